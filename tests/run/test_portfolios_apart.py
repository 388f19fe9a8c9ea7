"""Two portfolios run into one output root through the CLI stay apart (issue 14, item 7).

Both keep the sample's default name (the warning says so), so only their
projects tell them apart: neither compares with, lists, prunes or replaces
the other's runs, and the history store keeps two series.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pmo_lib.cli import main
from pmo_lib.history.store import open_store
from tests.conftest import VALID_TABLES, write_tables

pytestmark = pytest.mark.e2e  # the CLI runs the report suite

REPORTS = ("reports:\n  - {name: portfolio, notebook: notebooks/portfolio_overview.ipynb, scope: portfolio, "
           "title: Portfolio overview}\n")


@pytest.fixture
def two(tmp_path):
    acme = write_tables(tmp_path / "acme", VALID_TABLES)
    other = {name: text.replace("P1,", "Q1,").replace("P2,", "Q2,") for name, text in VALID_TABLES.items()}
    bravo = write_tables(tmp_path / "bravo", other)
    params = tmp_path / "params.yaml"
    params.write_text(REPORTS, encoding="utf-8")
    return acme, bravo, params


def _run(data, day, root, params, *extra):
    return CliRunner().invoke(main, ["run", "--data", str(data), "--status-date", day, "--out", str(root / day),
                                     "--params", str(params), "--workers", "1", *extra])


def _manifest(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_two_portfolios_in_one_output_root_never_meet(two, tmp_path, monkeypatch):
    monkeypatch.delenv("PMO_HISTORY_DB", raising=False)
    acme, bravo, params = two
    root = tmp_path / "output"
    first = _run(acme, "2024-01-12", root, params)
    assert first.exit_code == 0, first.stderr
    assert "warning: the portfolio name 'Northwind Utilities' is the sample's" in first.stderr
    second = _run(bravo, "2024-01-19", root, params)
    assert second.exit_code == 0, second.stderr
    assert _manifest(root / "2024-01-19")["previous_run"] is None  # not Acme's run of a week before
    third = _run(acme, "2024-01-26", root, params, "--keep", "1")
    assert third.exit_code == 0, third.stderr
    manifest = _manifest(root / "2024-01-26")
    assert manifest["previous_run"] == str((root / "2024-01-12").resolve())
    assert manifest["portfolio"]["projects"] == 2 and len(manifest["portfolio"]["fingerprint"]) == 64
    # --keep 1 pruned Acme's older run only; Bravo's run is untouched
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["2024-01-19", "2024-01-26"]
    page = " ".join((root / "index.html").read_text(encoding="utf-8").split())
    assert 'href="2024-01-26/index.html"' in page and "2024-01-19" not in page
    assert ("1 run of other portfolios (another &#39;Northwind Utilities&#39;) in this folder is not listed"
            in page)
    # Bravo may not replace Acme's run of the same date; nothing changes
    before = (root / "2024-01-26" / "manifest.json").read_bytes()
    clash = _run(bravo, "2024-01-26", root, params)
    assert clash.exit_code == 2
    assert (f"error: {(root / '2024-01-26').resolve()} holds a run of another portfolio also named "
            "'Northwind Utilities' (0 of this run's 2 projects in it)") in clash.stderr
    assert (root / "2024-01-26" / "manifest.json").read_bytes() == before
    store = open_store(f"sqlite:///{root / 'history.sqlite'}")
    series = store.portfolios()
    assert series["snapshots"].tolist() == [2, 1]
    assert series["portfolio"].iloc[0] == "Northwind Utilities"
    assert series["portfolio"].iloc[1].startswith("Northwind Utilities [")
