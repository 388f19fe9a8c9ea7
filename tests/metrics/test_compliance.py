"""Governance compliance as of T = 2026-11-20 (updates within 14 days: on or after Nov 6)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.compliance import COMPLIANCE_COLUMNS, RULES, compliance

T = date(2026, 11, 20)


@pytest.fixture
def projects(table):
    ids = ["P1", "P2", "P3", "P4", "P5"]
    return table(
        "projects", project_id=ids, name=ids, program=["X"] * 5, manager=["M"] * 5,
        status=["active", "on_hold", "closed", "active", "active"],
        budget=[10000.0, np.nan, 50.0, 500.0, 100.0],
    )


@pytest.fixture
def tasks(table):
    return table(
        "tasks",
        project_id=["P1", "P1", "P3", "P4", "P5"],
        task_id=["T1", "T2", "T1", "T1", "T1"],
        name=["a", "b", "c", "d", "e"],
        baseline_start=["2026-01-01"] * 5,
        baseline_finish=["2026-12-31"] * 5,
        percent_complete=[0.0] * 5,
        budget=[6000.0, 3000.0, 100.0, 1000.0, 100.0],  # P1 BAC 9000; P4 1000 > 500; P5 = 100
        owner=["Ann", " ", "", "Cy", "Di"],  # P1 T2 has no owner (blank)
    )


@pytest.fixture
def risks(table):
    return table(
        "risks",
        project_id=["P1", "P1", "P1", "P4", "P5"],
        risk_id=["R1", "R2", "R3", "R1", "R1"],
        title=["a", "b", "c", "d", "e"],
        probability=[3] * 5,
        impact=[3] * 5,
        status=["open", "open", "closed", "open", "open"],
        owner=["Bo", "", "", "", "Di"],
        mitigation=["", "plan", "", "", "plan"],
        raised_date=[None, None, None, "2026-11-21", None],  # P4 R1 raised after T: not counted
        due_date=[None, "2026-11-01", "2026-01-01", None, "2026-11-20"],  # P5 R1 due today: fine
    )


@pytest.fixture
def updates(table):
    return table(
        "status_updates",
        project_id=["P1", "P2", "P2", "P5"],
        status_date=["2026-11-06", "2026-11-05", "2026-11-25", "2026-11-20"],  # Nov 6: 14 days
        summary=["ok"] * 4,
    )


def test_compliance_rules_score_and_breaches(projects, tasks, risks, updates):
    inputs = [f.copy() for f in (projects, tasks, risks, updates)]
    result = compliance(projects, tasks, risks, updates, status_date=T)
    for frame, before in zip((projects, tasks, risks, updates), inputs):
        pd.testing.assert_frame_equal(frame, before)
    assert list(result.columns) == COMPLIANCE_COLUMNS
    rows = result.set_index("project_id")
    assert rows["checked"].tolist() == [True, True, False, True, True]
    rules = rows[RULES].astype("object").where(rows[RULES].notna(), None)
    assert rules.loc["P1"].tolist() == [True, True, False, False, False, True]
    assert rules.loc["P2"].tolist() == [False, False, True, True, True, False]
    assert rules.loc["P3"].tolist() == [None] * 6  # closed: not checked
    assert rules.loc["P4"].tolist() == [True, False, True, True, True, False]
    assert rules.loc["P5"].tolist() == [True] * 6
    # 3 of 6, 3 of 6, -, 4 of 6, 6 of 6
    assert rows["score"].tolist()[:2] == [0.5, 0.5] and np.isnan(rows.loc["P3", "score"])
    assert rows.loc["P4", "score"] == pytest.approx(4 / 6) and rows.loc["P5", "score"] == 1.0
    assert rows["breaches"].to_dict() == {
        "P1": "1 open risk without an owner; 1 open risk without a mitigation; "
        "1 open risk past due; 1 task without an owner",
        "P2": "no tasks, so no baseline; no status update in the last 14 days (last: 2026-11-05); "
        "no approved budget",
        "P3": "",
        "P4": "no status update on record; approved budget 500 is below BAC 1,000",
        "P5": "",
    }


def test_update_window_and_scope_are_parameters(projects, tasks, risks, updates):
    result = compliance(
        projects, tasks, risks, updates, status_date=T, update_within_days=15,
        checked_statuses=("active", "on_hold", "closed"),
    ).set_index("project_id")
    assert bool(result.loc["P2", "recent_status_update"])  # Nov 5 is 15 days before T
    assert result.loc["P3", "checked"]
    # P3: tasks with no owner, no update on record; budget 50 below BAC 100
    assert result.loc["P3", "breaches"] == (
        "no status update on record; 1 task without an owner; approved budget 50 is below BAC 100"
    )


def test_plural_breaches(table, projects):
    tasks = table(
        "tasks", project_id=["P5"] * 3, task_id=["a", "b", "c"], name=["a", "b", "c"],
        baseline_start=["2026-01-01"] * 3, baseline_finish=["2026-02-01"] * 3,
        percent_complete=[0.0] * 3, budget=[10.0] * 3,
    )
    result = compliance(projects, tasks, empty_table("risks"), empty_table("status_updates"),
                        status_date=T).set_index("project_id")
    assert result.loc["P5", "breaches"] == "no status update on record; 3 tasks without an owner"


def test_empty_tables(projects):
    result = compliance(projects, empty_table("tasks"), empty_table("risks"),
                        empty_table("status_updates"), status_date=T)
    assert result.loc[result["checked"], "has_baseline"].tolist() == [False] * 4
    assert result.loc[result["checked"], "risks_owned_and_mitigated"].tolist() == [True] * 4
    empty = compliance(empty_table("projects"), empty_table("tasks"), empty_table("risks"),
                       empty_table("status_updates"), status_date=T)
    assert empty.empty and list(empty.columns) == COMPLIANCE_COLUMNS
