"""Change summary and baseline movement, as of T = 2026-05-31."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.changes import MOVEMENT_COLUMNS, SUMMARY_COLUMNS, baseline_movement, change_summary

T = date(2026, 5, 31)

# project, id, status, cost, days, raised, decided
ROWS = [
    ("P1", "C1", "approved", 1000.0, 10, "2026-04-01", "2026-05-01"),
    ("P1", "C2", "implemented", -200.0, 0, "2026-03-01", "2026-04-01"),
    ("P1", "C3", "proposed", 500.0, 5, "2026-05-15", None),
    ("P1", "C4", "rejected", 9999.0, 30, "2026-04-15", "2026-05-02"),
    ("P1", "C5", "approved", 300.0, 7, "2026-05-20", "2026-06-05"),  # decided after T: pending
    ("P1", "C6", "proposed", 50.0, 1, "2026-06-02", None),  # raised after T: left out
    ("P2", "D1", "rejected", 50.0, 1, "2026-02-01", None),  # no decision date: as given
]


@pytest.fixture
def changes(table):
    project, cid, status, cost, days, raised, decided = (list(c) for c in zip(*ROWS))
    return table(
        "changes", project_id=project, change_id=cid, title=cid, status=status, cost_impact=cost,
        schedule_impact_days=days, raised_date=raised, decided_date=decided,
    )


@pytest.fixture
def tasks(table):
    return table(
        "tasks",
        project_id=["P1", "P1", "P3"],
        task_id=["T1", "T2", "T1"],
        name=["Build", "Test", "Tidy"],
        baseline_start=["2026-01-01", "2026-03-01", "2026-01-01"],
        baseline_finish=["2026-03-01", "2026-04-10", "2026-01-11"],
        percent_complete=[0.0, 0.0, 0.0],
        budget=[6000.0, 2000.0, 100.0],
    )


def test_change_summary(changes):
    before = changes.copy()
    result = change_summary(changes, status_date=T)
    pd.testing.assert_frame_equal(changes, before)
    assert list(result.columns) == SUMMARY_COLUMNS
    assert result.values.tolist() == [
        # approved C1 + C2: 1000 - 200 = 800, 10 + 0 days; pending C3 + C5: 800, 12 days; C4 rejected
        ["P1", 2, 800.0, 10, 2, 800.0, 12, 1],
        ["P2", 0, 0.0, 0, 0, 0.0, 0, 1],
    ]


def test_change_summary_later_status_date_sees_the_decision(changes):
    result = change_summary(changes, status_date="2026-06-05").set_index("project_id")
    # C5 now approved (800 + 300, 10 + 7 days); C6 raised on 06-02 is pending with C3
    assert result.loc["P1"].tolist() == [3, 1100.0, 17, 2, 550.0, 6, 1]


def test_baseline_movement(tasks, changes):
    result = baseline_movement(tasks, changes, status_date=T)
    assert list(result.columns) == MOVEMENT_COLUMNS
    rows = result.set_index("project_id")
    p1 = rows.loc["P1"]
    # BAC 6000 + 2000 = 8000 + 800 approved = 8800, moved 800 / 8000 = 0.1
    assert p1[["original_bac", "approved_cost", "adjusted_bac", "bac_moved_share"]].tolist() == [
        8000.0, 800.0, 8800.0, 0.1,
    ]
    # finish Apr 10 + 10 days = Apr 20; duration Jan 1 -> Apr 10 = 31 + 28 + 31 + 9 = 99 days
    assert p1["original_finish"] == pd.Timestamp("2026-04-10")
    assert p1["adjusted_finish"] == pd.Timestamp("2026-04-20")
    assert p1["schedule_moved_share"] == pytest.approx(10 / 99)
    p2 = rows.loc["P2"]  # changes but no tasks: no baseline to move
    assert np.isnan(p2["original_bac"]) and pd.isna(p2["adjusted_finish"])
    assert np.isnan(p2["bac_moved_share"]) and np.isnan(p2["schedule_moved_share"])
    p3 = rows.loc["P3"]  # tasks but no changes: nothing moved
    assert p3[["adjusted_bac", "bac_moved_share", "schedule_moved_share"]].tolist() == [100.0, 0.0, 0.0]
    assert p3["adjusted_finish"] == pd.Timestamp("2026-01-11")


def test_empty_changes(tasks):
    changes = empty_table("changes")
    summary = change_summary(changes, status_date=T)
    assert summary.empty and list(summary.columns) == SUMMARY_COLUMNS
    movement = baseline_movement(tasks, changes, status_date=T)
    assert movement["project_id"].tolist() == ["P1", "P3"]
    assert (movement["adjusted_bac"] == movement["original_bac"]).all()
    empty = baseline_movement(empty_table("tasks"), changes, status_date=T)
    assert empty.empty and list(empty.columns) == MOVEMENT_COLUMNS
