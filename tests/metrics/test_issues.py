"""Issue log, open issues by priority, summary and issue RAG, as of T = 2026-04-15."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.issues import SUMMARY_COLUMNS, issue_log, issue_rag, issue_summary, open_by_priority

T = date(2026, 4, 15)

# project, id, priority, status, opened, closed, due
ROWS = [
    ("P1", "I1", "critical", "open", "2026-04-01", None, "2026-04-10"),  # age 14, 5 days overdue
    ("P1", "I2", "high", "closed", "2026-03-01", "2026-03-11", None),  # closed in 10 days
    ("P1", "I3", "low", "closed", "2026-03-01", "2026-04-20", None),  # closed after T: open, age 45
    ("P1", "I4", "medium", "open", "2026-04-16", None, None),  # opened after T: not in the log
    ("P1", "I5", "medium", "closed", "2026-02-01", None, None),  # closed, date unknown
    ("P1", "I6", "high", "closed", "2026-01-01", "2026-01-31", "2026-01-02"),  # 30 days; closed
    ("P2", "J1", "high", "open", "2026-04-01", None, "2026-04-20"),  # not overdue yet
    ("P3", "K1", "high", "open", "2026-03-01", None, "2026-04-01"),  # 14 days overdue
    ("P3", "K2", "high", "open", "2026-03-01", None, "2026-04-14"),  # 1 day overdue
    ("P3", "K3", "critical", "closed", "2026-03-01", "2026-03-02", "2026-03-01"),
    ("P3", "K4", "high", "open", "2026-03-01", None, "2026-04-15"),  # due today: not overdue
    ("P3", "K5", "high", "open", "2026-03-01", None, "2026-04-02"),  # 13 days overdue
    ("P4", "L1", "low", "open", "2026-04-01", None, "2026-04-14"),  # 1 day overdue
    ("P5", "M1", "low", "closed", "2026-03-25", "2026-04-01", None),  # closed in 7 days
]


@pytest.fixture
def issues(table):
    project, iid, priority, status, opened, closed, due = (list(c) for c in zip(*ROWS))
    return table(
        "issues", project_id=project, issue_id=iid, title=iid, priority=priority, status=status,
        opened_date=opened, closed_date=closed, due_date=due,
    )


@pytest.fixture
def projects(table):
    ids = ["P1", "P2", "P3", "P4", "P5", "P6"]
    return table("projects", project_id=ids, name=ids, program=["X"] * 6, manager=["M"] * 6)


def test_issue_log(issues):
    before = issues.copy()
    log = issue_log(issues, status_date=T)
    pd.testing.assert_frame_equal(issues, before)
    p1 = log[log["project_id"] == "P1"].set_index("issue_id")
    assert list(p1.index) == ["I1", "I6", "I2", "I5", "I3"]  # critical, high (oldest first), ...
    assert p1["is_open"].to_dict() == {"I1": True, "I6": False, "I2": False, "I5": False, "I3": True}
    # I1 Apr 15 - Apr 1 = 14; I6 Jan 31 - Jan 1 = 30; I2 Mar 11 - Mar 1 = 10; I3 31 + 14 = 45
    assert p1["age_days"].dropna().to_dict() == {"I1": 14, "I6": 30, "I2": 10, "I3": 45}
    assert pd.isna(p1.loc["I5", "age_days"])  # closed on an unknown date
    assert pd.isna(p1.loc["I3", "closed_date"])  # closed after T: not yet
    assert p1["overdue"].to_dict() == {"I1": True, "I6": False, "I2": False, "I5": False, "I3": False}
    assert p1.loc["I1", "days_overdue"] == 5
    p3 = log[log["project_id"] == "P3"].set_index("issue_id")
    assert p3["days_overdue"].dropna().to_dict() == {"K1": 14, "K2": 1, "K5": 13}


def test_open_by_priority(issues):
    result = open_by_priority(issues, status_date=T)
    assert list(result.columns) == ["project_id", "low", "medium", "high", "critical", "total"]
    assert result.values.tolist() == [
        ["P1", 1, 0, 0, 1, 2],  # I3 (closed after T) and I1
        ["P2", 0, 0, 1, 0, 1],
        ["P3", 0, 0, 4, 0, 4],  # K1, K2, K4, K5 open high; K3 closed
        ["P4", 1, 0, 0, 0, 1],
        ["P5", 0, 0, 0, 0, 0],  # all closed
    ]


def test_issue_summary(issues):
    summary = issue_summary(issues, status_date=T)
    assert list(summary.columns) == SUMMARY_COLUMNS
    rows = summary.set_index("project_id")
    # P1: 5 in the log, 2 open, 1 overdue, closed in (10 + 30) / 2 = 20 days (I5 undated), oldest 45
    assert rows.loc["P1"].tolist() == [5, 2, 1, 20.0, 45]
    # P3: 5 issues, 4 open, 3 overdue, K3 closed in 1 day, oldest open Mar 1 -> Apr 15 = 45
    assert rows.loc["P3"].tolist() == [5, 4, 3, 1.0, 45]
    assert np.isnan(rows.loc["P2", "mean_days_to_close"])
    assert pd.isna(rows.loc["P5", "oldest_open_days"]) and rows.loc["P5", "mean_days_to_close"] == 7.0


def test_issue_rag_default_rule(projects, issues):
    result = issue_rag(projects, issues, status_date=T).set_index("project_id")
    # P1 open critical -> red; P2 open high -> amber; P3 3 overdue high > 2 -> red;
    # P4 1 overdue low -> amber; P5 all closed -> green; P6 no issues -> grey
    assert result["issue_rag"].to_dict() == {
        "P1": "red", "P2": "amber", "P3": "red", "P4": "amber", "P5": "green", "P6": "grey",
    }
    assert result.loc["P3", ["open_critical", "open_high", "overdue_high"]].tolist() == [0, 4, 3]
    assert result.loc["P6", ["issues", "open", "overdue"]].tolist() == [0, 0, 0]


def test_issue_rag_threshold(projects, issues):
    result = issue_rag(projects, issues, status_date=T, red_overdue=3).set_index("project_id")
    assert result.loc["P3", "issue_rag"] == "amber"  # 3 overdue is not more than 3


def test_empty_log(projects):
    issues = empty_table("issues")
    assert issue_log(issues, status_date=T).empty
    by_priority = open_by_priority(issues, status_date=T)
    assert by_priority.empty and list(by_priority.columns) == [
        "project_id", "low", "medium", "high", "critical", "total",
    ]
    summary = issue_summary(issues, status_date=T)
    assert summary.empty and list(summary.columns) == SUMMARY_COLUMNS
    assert issue_rag(projects, issues, status_date=T)["issue_rag"].tolist() == ["grey"] * 6
