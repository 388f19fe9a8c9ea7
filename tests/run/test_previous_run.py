"""A run compares itself only with an earlier run of the same portfolio (name and projects)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from pmo_lib.errors import ParameterError
from pmo_lib.run.identity import OtherPortfolioError, PortfolioIdentity, check_same_portfolio
from pmo_lib.run.suite import check_previous_run, find_previous_run

ACME = PortfolioIdentity.of("Acme Grid", ["A1", "A2", "A3", "A4"])


def _run(root, day: str, name: str | None, ids=("A1", "A2", "A3", "A4"), *, identity: bool = False):
    folder = root / day
    folder.mkdir(parents=True)
    (folder / "metrics.csv").write_text("project_id,name\n" + "".join(f"{i},x\n" for i in ids))
    if name is not None:
        manifest = {"portfolio_name": name}
        if identity:
            manifest["portfolio"] = PortfolioIdentity.of(name, ids).to_manifest()
        (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_previous_run_of_another_name_is_passed_over(tmp_path):
    ours = _run(tmp_path, "2026-11-06", "Acme Grid")
    _run(tmp_path, "2026-11-13", "Northwind Utilities")
    out = tmp_path / "2026-11-20"
    assert find_previous_run(out, dt.date(2026, 11, 20), ACME) == ours
    assert find_previous_run(out, dt.date(2026, 11, 20)) == tmp_path / "2026-11-13"
    assert find_previous_run(out, dt.date(2026, 11, 20), PortfolioIdentity.of("Other", ["A1"])) is None


def test_same_name_on_other_projects_is_another_portfolio_with_a_warning(tmp_path, caplog):
    ours = _run(tmp_path, "2026-11-06", "Acme Grid", identity=True)
    _run(tmp_path, "2026-11-13", "Acme Grid", ids=("N1", "N2", "A1"))  # 1 of our 4 projects
    with caplog.at_level(logging.WARNING, logger="pmo_lib.run"):
        found = find_previous_run(tmp_path / "2026-11-20", dt.date(2026, 11, 20), ACME)
    assert found == ours
    assert ("not compared with the run of 2026-11-13: a run of another portfolio also named 'Acme Grid' "
            "(1 of this run's 4 projects in it)") in caplog.messages


def test_a_portfolio_that_gained_and_lost_projects_is_still_itself(tmp_path):
    week = _run(tmp_path, "2026-11-13", "Acme Grid", ids=("A1", "A2", "A9"))  # 2 of our 4: half
    assert find_previous_run(tmp_path / "2026-11-20", dt.date(2026, 11, 20), ACME) == week


def test_explicit_previous_of_another_portfolio_is_refused(tmp_path):
    other = _run(tmp_path, "2026-11-13", "Northwind Utilities", ids=("N1",))
    with pytest.raises(ParameterError, match=r"--previous .*2026-11-13: a run of portfolio 'Northwind Utilities', "
                                             r"not of 'Acme Grid'"):
        check_previous_run(other, ACME)
    check_previous_run(_run(tmp_path, "2026-11-06", "Acme Grid"), ACME)


def test_a_run_folder_of_another_portfolio_is_not_replaced_unless_forced(tmp_path):
    theirs = _run(tmp_path, "2026-11-20", "Acme Grid", ids=("N1", "N2"), identity=True)
    with pytest.raises(OtherPortfolioError, match="holds a run of another portfolio also named 'Acme Grid' "
                                                  r"\(0 of this run's 4 projects in it\)"):
        check_same_portfolio(theirs, ACME)
    check_same_portfolio(theirs, ACME, force=True)
    check_same_portfolio(_run(tmp_path, "2026-11-13", "Acme Grid", identity=True), ACME)
    check_same_portfolio(tmp_path / "2026-11-27", ACME)  # a new folder
