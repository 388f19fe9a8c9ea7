"""Milestone states, overdue tasks, upcoming milestones, on-time share and milestone RAG.

All cases are as of T = 2026-03-10 unless a test says otherwise.
"""

from datetime import date

import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.schedule import (
    MILESTONE_COLUMNS,
    OVERDUE_COLUMNS,
    milestone_on_time_share,
    milestone_rag,
    milestones,
    overdue_tasks,
    upcoming_milestones,
)

T = date(2026, 3, 10)

# id, project, baseline_finish, forecast_finish, actual_finish, percent, is_milestone
ROWS = [
    ("M1", "P1", "2026-03-01", None, "2026-02-27", 100.0, True),  # done early: slip -2
    ("M2", "P1", "2026-03-05", None, "2026-03-08", 100.0, True),  # done late: slip +3
    ("M3", "P1", "2026-02-20", None, None, 0.0, True),  # late: 8 (Feb) + 10 (Mar) = 18 days
    ("M4", "P1", "2026-04-01", "2026-04-15", None, 0.0, True),  # late: forecast 14 days past baseline
    ("M5", "P1", "2026-03-31", None, None, 0.0, True),  # on track (at risk within a 21-day look-ahead)
    ("M6", "P1", "2026-03-10", None, None, 0.0, True),  # due today, T1 overdue before it: at risk, not late
    ("M7", "P1", "2026-03-09", None, "2026-03-12", 50.0, True),  # actual after T ignored: late 1
    ("T1", "P1", "2026-02-28", "2026-03-06", None, 40.0, False),  # overdue task: 10 - 6 = 4
    ("T2", "P1", "2026-01-31", None, None, 100.0, False),  # finished (100 %) without a date
    ("M8", "P2", "2026-03-20", "2026-03-25", None, 0.0, True),  # late: forecast 5 days past baseline
    ("M9", "P4", "2026-03-02", None, "2026-03-02", 100.0, True),  # done on the day
]


@pytest.fixture
def tasks(table):
    ids, projects, baseline, forecast, actual, percent, milestone = zip(*ROWS)
    return table(
        "tasks",
        project_id=list(projects),
        task_id=list(ids),
        name=[f"Task {i}" for i in ids],
        baseline_start=list(baseline),
        baseline_finish=list(baseline),
        forecast_finish=list(forecast),
        actual_finish=list(actual),
        percent_complete=list(percent),
        budget=[0.0] * len(ids),
        is_milestone=list(milestone),
    )


@pytest.fixture
def projects(table):
    ids = ["P1", "P2", "P3", "P4"]
    return table("projects", project_id=ids, name=ids, program=["X"] * 4, manager=["M"] * 4)


def test_milestone_states_slip_and_days_overdue(tasks):
    before = tasks.copy()
    result = milestones(tasks, status_date=T)
    pd.testing.assert_frame_equal(tasks, before)  # input untouched
    assert list(result.columns) == MILESTONE_COLUMNS
    result = result.set_index("task_id")
    assert list(result.index) == ["M3", "M1", "M2", "M7", "M6", "M5", "M4", "M8", "M9"]
    assert result["state"].to_dict() == {
        "M3": "late", "M1": "done", "M2": "done", "M7": "late", "M6": "at risk",
        "M5": "on track", "M4": "late", "M8": "late", "M9": "done",
    }
    # slip: M1 Feb 27 - Mar 1 = -2; M2 Mar 8 - Mar 5 = 3; M4 Apr 15 - Apr 1 = 14; M8 25 - 20 = 5
    assert result["slip_days"].to_dict() == {
        "M3": 0, "M1": -2, "M2": 3, "M7": 0, "M6": 0, "M5": 0, "M4": 14, "M8": 5, "M9": 0,
    }
    # days overdue: M3 Mar 10 - Feb 20 = 18; M7 Mar 10 - Mar 9 = 1; others not late
    assert result["days_overdue"].dropna().to_dict() == {"M3": 18, "M7": 1}
    assert result["finished_late"][result["finished_late"]].index.tolist() == ["M2"]
    assert pd.isna(result.loc["M7", "actual_finish"])  # dated after T: has not happened
    assert result.loc["M4", "forecast_finish"] == pd.Timestamp("2026-04-15")
    assert result.loc["M5", "forecast_finish"] == pd.Timestamp("2026-03-31")  # baseline fallback


def test_at_risk_is_the_look_ahead_rule_and_late_any_slip(tasks):
    result = milestones(tasks, status_date=T, at_risk_days=21).set_index("task_id")
    # M5 (Mar 31) is due within 21 days and T1 (baseline Feb 28) is overdue: at risk
    assert result.loc["M5", "state"] == "at risk"
    assert result.loc["M8", "state"] == "late"  # a slip of 5 days is late, whatever the look-ahead
    without_overdue_work = tasks[tasks["task_id"] != "T1"]
    calm = milestones(without_overdue_work, status_date=T, at_risk_days=21).set_index("task_id")
    assert calm.loc["M5", "state"] == "on track" and calm.loc["M6", "state"] == "on track"
    # a milestone whose baseline passed undone is late even with a forecast still ahead
    moved = tasks.assign(forecast_finish=tasks["forecast_finish"].where(tasks["task_id"] != "M3",
                                                                        pd.Timestamp("2026-03-20")))
    assert milestones(moved, status_date=T).set_index("task_id").loc["M3", "state"] == "late"


def test_status_date_accepts_timestamp_and_iso_string(tasks):
    expected = milestones(tasks, status_date=T)
    pd.testing.assert_frame_equal(milestones(tasks, status_date="2026-03-10"), expected)
    pd.testing.assert_frame_equal(milestones(tasks, status_date=pd.Timestamp(T)), expected)


def test_overdue_tasks_most_overdue_first(tasks):
    result = overdue_tasks(tasks, status_date=T)
    assert list(result.columns) == OVERDUE_COLUMNS
    # M3 18 days, T1 Mar 10 - Mar 6 (forecast) = 4 days, M7 1 day; T2 is 100 %
    assert result[["task_id", "days_overdue"]].values.tolist() == [["M3", 18], ["T1", 4], ["M7", 1]]


def test_upcoming_milestones_window_includes_today_and_last_day(tasks):
    result = upcoming_milestones(tasks, status_date=T, days=21)
    # window Mar 10 .. Mar 31: M6 (today, 0), M8 (Mar 25, 15), M5 (Mar 31, 21); M4 is Apr 15
    assert result[["task_id", "days_to_go"]].values.tolist() == [["M6", 0], ["M8", 15], ["M5", 21]]
    assert upcoming_milestones(tasks, status_date=T, days=20)["task_id"].tolist() == ["M6", "M8"]


def test_on_time_share(tasks):
    result = milestone_on_time_share(tasks, status_date=T).set_index("project_id")
    # P1 due: M1 (on time), M2 (late finish), M3, M7 (unfinished); M6 due today and open: not yet
    assert result.loc["P1", ["milestones_due", "on_time"]].tolist() == [4, 1]
    assert result.loc["P1", "on_time_share"] == 0.25  # 1 / 4
    assert result.loc["P2", "milestones_due"] == 0 and pd.isna(result.loc["P2", "on_time_share"])
    assert result.loc["P4", "on_time_share"] == 1.0  # M9 finished on its baseline day
    assert "P3" not in result.index  # no milestones


def test_milestone_rag_default_rule(projects, tasks):
    result = milestone_rag(projects, tasks, status_date=T).set_index("project_id")
    # P1: M3 18 days late > 14 -> red; P2: M8 late by 5 days, within the 14-day slip tolerance -> green;
    # P3: none -> grey; P4: green
    assert result["milestone_rag"].to_dict() == {
        "P1": "red", "P2": "green", "P3": "grey", "P4": "green",
    }
    strict = milestone_rag(projects, tasks, status_date=T, amber_slip_days=0).set_index("project_id")
    assert strict.loc["P2", "milestone_rag"] == "amber"  # any slip turns it amber
    assert result.loc["P1", ["milestones", "late", "at_risk", "max_days_overdue"]].tolist() == [
        7, 3, 1, 18,
    ]
    assert result.loc["P3", "milestones"] == 0


def test_milestone_rag_thresholds(projects, tasks):
    # 18 days is not > 30; share 0.25 is below 0.3 -> still red
    red = milestone_rag(projects, tasks, status_date=T, red_days_overdue=30, red_on_time_share=0.3)
    assert red.set_index("project_id").loc["P1", "milestone_rag"] == "red"
    # share 0.25 not below 0.25 either -> amber (late milestones remain)
    amber = milestone_rag(projects, tasks, status_date=T, red_days_overdue=30, red_on_time_share=0.25)
    assert amber.set_index("project_id").loc["P1", "milestone_rag"] == "amber"


def test_empty_tasks_give_empty_frames_and_grey_projects(projects):
    tasks = empty_table("tasks")
    assert list(milestones(tasks, status_date=T).columns) == MILESTONE_COLUMNS
    assert list(overdue_tasks(tasks, status_date=T).columns) == OVERDUE_COLUMNS
    assert upcoming_milestones(tasks, status_date=T).empty
    share = milestone_on_time_share(tasks, status_date=T)
    assert share.empty and list(share.columns) == [
        "project_id", "milestones_due", "on_time", "on_time_share",
    ]
    rag = milestone_rag(projects, tasks, status_date=T)
    assert rag["milestone_rag"].tolist() == ["grey"] * 4
    assert milestone_rag(empty_table("projects"), tasks, status_date=T).empty
