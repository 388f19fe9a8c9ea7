"""One project's rows by a remembered index: the same rows as comparing the column, computed once."""

from __future__ import annotations

import gc

import pandas as pd
import pandas.testing as pdt
import pytest

from pmo_lib.reports import memo
from pmo_lib.reports.memo import remember
from pmo_lib.reports.slices import rows_of


@pytest.fixture
def tasks():
    return pd.DataFrame({
        "project_id": pd.Series(["P2", "P1", None, "P2", "P1", "P3"], dtype="str"),
        "hours": [1.0, 2.0, 3.0, 4.0, float("nan"), 6.0],
        "due": pd.to_datetime(["2026-01-05", "2026-02-01", None, "2026-03-01", "2026-01-01", "2026-04-01"]),
    }).set_axis([10, 11, 12, 13, 14, 15])


@pytest.mark.parametrize("value", ["P1", "P2", "P3", "P9"])
def test_the_rows_are_those_of_the_comparison(tasks, value):
    pdt.assert_frame_equal(rows_of(tasks, value), tasks[tasks["project_id"] == value])


def test_worked_example_keeps_order_labels_and_types(tasks):
    assert tasks["project_id"].tolist()[:2] == ["P2", "P1"]
    rows = rows_of(tasks, "P2")
    assert rows.index.tolist() == [10, 13] and rows["hours"].tolist() == [1.0, 4.0]
    assert rows.dtypes.equals(tasks.dtypes)
    assert rows_of(tasks, None).empty  # a missing id matches no row, not the row with no project


def test_other_columns_and_categories(tasks):
    coded = tasks.assign(project_id=tasks["project_id"].astype("category"), program=["A", "B", "A", "B", "A", "A"])
    pdt.assert_frame_equal(rows_of(coded, "P1"), coded[coded["project_id"] == "P1"])
    pdt.assert_frame_equal(rows_of(coded, "A", column="program"), coded[coded["program"] == "A"])


def test_the_index_is_built_once_per_table_and_anew_for_a_longer_one(tasks, monkeypatch):
    built = []
    groupby = pd.DataFrame.groupby
    monkeypatch.setattr(pd.DataFrame, "groupby", lambda self, *a, **k: built.append(1) or groupby(self, *a, **k))
    for value in ("P1", "P2", "P3"):
        rows_of(tasks, value)
    assert len(built) == 1
    longer = pd.concat([tasks, tasks.iloc[:1]])
    assert rows_of(longer, "P2").index.tolist() == [10, 13, 10]
    assert len(built) == 2


def test_remember_computes_once_per_owner_key_and_stamp():
    class Owner:
        pass

    owner, calls = Owner(), []

    def answer():
        calls.append(1)
        return len(calls)

    assert remember(owner, "k", answer) == 1 and remember(owner, "k", answer) == 1
    assert remember(owner, "other", answer) == 2
    assert remember(owner, "k", answer, stamp=5) == 3 and remember(owner, "k", answer, stamp=5) == 3
    assert remember(Owner(), "k", answer) == 4  # another owner, another answer


def test_remember_forgets_what_belonged_to_a_collected_owner():
    class Owner:
        pass

    owner = Owner()
    remember(owner, "big", lambda: list(range(1000)))
    slot = (id(owner), "big")
    assert slot in memo._remembered
    del owner
    gc.collect()
    assert slot not in memo._remembered


def test_every_project_page_shares_one_computation_of_the_decisions(monkeypatch):
    import datetime as dt

    from pmo_lib.analysis.core import PortfolioAnalysis
    from pmo_lib.data.loading import load_portfolio
    from pmo_lib.parameters import load_parameters
    from pmo_lib.reports import ProjectReport, base
    from tests.conftest import SAMPLE

    analysis = PortfolioAnalysis(load_portfolio(SAMPLE), status_date=dt.date(2026, 11, 20), params=load_parameters())
    calls = []
    real = base.decisions_needed
    monkeypatch.setattr(base, "decisions_needed", lambda *a, **k: calls.append(1) or real(*a, **k))
    pages = [ProjectReport(analysis, project_id=pid).summary().html for pid in ("PRJ-001", "PRJ-003", "PRJ-008")]
    assert len(calls) == 1
    assert "Decisions needed: 1, listed below (1 change request)." in pages[0]
    assert "Decisions needed: 1, listed below (1 overdue issue)." in pages[1]
    assert "Decisions needed: 2, listed below (1 change request, 1 red risk past its date)." in pages[2]
