"""A run writes its snapshot to the history store only when it succeeded, and reads the earlier periods."""

from __future__ import annotations

import datetime as dt

import pytest

from pmo_lib.errors import HistoryError
from pmo_lib.history.store import open_store
from pmo_lib.parameters import parse_parameters
from pmo_lib.run.suite import run_reports
from tests.run.test_suite import write_notebook

pytestmark = pytest.mark.e2e


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    write_notebook(root / "notebooks" / "trend.ipynb",
                   "from pmo_lib.analysis.handoff import load_analysis\n"
                   "from pmo_lib.reports.html import note\n"
                   "a = load_analysis(data_path=data_path, status_date=status_date, params_file=params_file)\n"
                   "note(f'periods={a.history.periods}')")
    write_notebook(root / "notebooks" / "broken.ipynb", "raise ValueError('broken on purpose')")
    return root


def params(notebook):
    return parse_parameters({"portfolio_name": "Test", "reports": [
        {"name": "portfolio", "notebook": f"notebooks/{notebook}", "scope": "portfolio", "title": "P"}]})


def test_each_successful_run_adds_a_period_and_a_failed_one_writes_nothing(make_portfolio, root, tmp_path,
                                                                        monkeypatch):
    monkeypatch.delenv("PMO_HISTORY_DB", raising=False)
    data, out = make_portfolio(), tmp_path / "output"
    for day in ("2024-01-12", "2024-01-19"):
        outcome = run_reports(data=data, status_date=dt.date.fromisoformat(day), out_dir=out / day,
                              params=params("trend.ipynb"), root=root, workers=1, progress=False)
        assert outcome.exit_code == 0
    page = (out / "2024-01-19" / "portfolio.html").read_text()
    assert "periods=2" in page
    store = open_store(f"sqlite:///{out / 'history.sqlite'}")
    assert store.dates("Test") == [dt.date(2024, 1, 12), dt.date(2024, 1, 19)]
    failed = run_reports(data=data, status_date=dt.date(2024, 1, 26), out_dir=out / "2024-01-26",
                         params=params("broken.ipynb"), root=root, workers=1, progress=False)
    assert failed.exit_code == 1
    assert store.dates("Test") == [dt.date(2024, 1, 12), dt.date(2024, 1, 19)]
    series = store.read_series("Test").project("P1")
    assert series["ev"].round(2).tolist() == [400.0 + 600 * 0.5] * 2


def test_a_bad_history_url_stops_the_run_before_anything_is_written(make_portfolio, root, tmp_path):
    out = tmp_path / "output" / "2024-01-19"
    with pytest.raises(HistoryError, match="unsupported database"):
        run_reports(data=make_portfolio(), status_date=dt.date(2024, 1, 19), out_dir=out,
                    params=params("trend.ipynb"), root=root, workers=1, progress=False,
                    history_db="nosuchdb://host/x")
    assert not out.exists()
