"""A run compares itself only with an earlier run of the same portfolio."""

from __future__ import annotations

import datetime as dt
import json

from pmo_lib.run.suite import find_previous_run


def _run(root, day: str, name: str | None):
    folder = root / day
    folder.mkdir(parents=True)
    (folder / "metrics.csv").write_text("project_id\n")
    if name is not None:
        (folder / "manifest.json").write_text(json.dumps({"portfolio_name": name}))
    return folder


def test_previous_run_of_another_portfolio_is_passed_over(tmp_path):
    ours = _run(tmp_path, "2026-11-06", "Acme Grid")
    _run(tmp_path, "2026-11-13", "Northwind Utilities")
    out = tmp_path / "2026-11-20"
    assert find_previous_run(out, dt.date(2026, 11, 20), "Acme Grid") == ours
    assert find_previous_run(out, dt.date(2026, 11, 20)) == tmp_path / "2026-11-13"
    assert find_previous_run(out, dt.date(2026, 11, 20), "Other") is None
