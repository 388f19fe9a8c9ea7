"""Risk register, heat map, top risks, summary and risk RAG, as of T = 2026-03-11."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.risk import (
    SUMMARY_COLUMNS,
    heat_map,
    risk_rag,
    risk_register,
    risk_summary,
    top_risks,
)

T = date(2026, 3, 11)

# project, id, probability, impact, status, raised, due, cost_impact
ROWS = [
    ("P1", "R1", 4, 5, "open", None, "2026-03-01", 10000.0),  # 20, 0.7 x 10000 = 7000, 10 days over
    ("P1", "R2", 3, 4, "open", None, "2026-03-11", np.nan),  # 12, due today: not overdue; exposure ?
    ("P1", "R3", 5, 5, "closed", None, "2026-01-01", 1000.0),  # 25 but closed: 0.9 x 1000 = 900
    ("P1", "R4", 1, 1, "open", "2026-03-12", None, 50.0),  # raised after T: not in the register
    ("P1", "R5", 2, 3, "open", "2026-03-11", "2026-03-10", 2000.0),  # 6, 0.3 x 2000 = 600, 1 day
    ("P2", "R1", 3, 5, "open", None, None, 0.0),  # 15, exposure 0
    ("P2", "R2", 5, 3, "open", None, "2026-02-01", 500.0),  # 15, 450, 27 + 11 = 38 days over
    ("P2", "R3", 1, 2, "open", None, "2026-03-01", np.nan),  # 2, 10 days over
    ("P2", "R4", 1, 1, "open", None, None, np.nan),  # 1
    ("P3", "R1", 5, 5, "closed", None, None, np.nan),  # only closed risks
    ("P5", "R1", 2, 3, "open", None, None, np.nan),  # 6
]


@pytest.fixture
def risks(table):
    project, rid, p, i, status, raised, due, cost = (list(c) for c in zip(*ROWS))
    return table(
        "risks", project_id=project, risk_id=rid, title=[f"{a} {b}" for a, b in zip(project, rid)],
        probability=p, impact=i, status=status, raised_date=raised, due_date=due, cost_impact=cost,
    )


@pytest.fixture
def projects(table):
    ids = ["P1", "P2", "P3", "P4", "P5"]
    return table("projects", project_id=ids, name=ids, program=["X"] * 5, manager=["M"] * 5)


def test_register_scores_exposure_and_overdue(risks):
    before = risks.copy()
    register = risk_register(risks, status_date=T)
    pd.testing.assert_frame_equal(risks, before)
    p1 = register[register["project_id"] == "P1"].set_index("risk_id")
    assert list(p1.index) == ["R3", "R1", "R2", "R5"]  # by score 25, 20, 12, 6; R4 not raised yet
    assert p1["score"].tolist() == [25, 20, 12, 6]
    assert p1["probability_band"].tolist() == [0.9, 0.7, 0.5, 0.3]
    assert p1["exposure"].tolist()[:2] == pytest.approx([900.0, 7000.0])
    assert np.isnan(p1.loc["R2", "exposure"]) and p1.loc["R5", "exposure"] == pytest.approx(600.0)
    assert p1["overdue"].tolist() == [False, True, False, True]  # R3 closed; R2 due today
    assert p1["days_overdue"].dropna().to_dict() == {"R1": 10, "R5": 1}
    p2 = register[register["project_id"] == "P2"].set_index("risk_id")
    assert p2.loc["R2", "days_overdue"] == 38


def test_register_accepts_iso_string(risks):
    pd.testing.assert_frame_equal(
        risk_register(risks, status_date="2026-03-11"), risk_register(risks, status_date=T)
    )


def test_heat_map_per_project_has_all_cells(risks):
    grid = heat_map(risks, status_date=T)
    assert list(grid.columns) == ["project_id", "probability", "impact", "count"]
    assert grid.groupby("project_id").size().to_dict() == {"P1": 25, "P2": 25, "P3": 25, "P5": 25}
    p1 = grid[(grid["project_id"] == "P1") & (grid["count"] > 0)]
    # open P1 risks: (4,5) R1, (3,4) R2, (2,3) R5; closed R3 and unraised R4 not counted
    assert p1[["probability", "impact", "count"]].values.tolist() == [[2, 3, 1], [3, 4, 1], [4, 5, 1]]
    assert grid.loc[grid["project_id"] == "P3", "count"].sum() == 0


def test_heat_map_over_all_risks(risks):
    grid = heat_map(risks, status_date=T, by_project=False).set_index(["probability", "impact"])
    assert len(grid) == 25
    assert grid["count"].sum() == 8  # 3 open in P1, 4 in P2, 1 in P5
    assert grid.loc[(2, 3), "count"] == 2  # P1 R5 and P5 R1
    empty = heat_map(empty_table("risks"), status_date=T, by_project=False)
    assert len(empty) == 25 and empty["count"].sum() == 0


def test_top_risks(risks):
    top = top_risks(risks, status_date=T, n=3)
    # 20 (P1 R1); 15 with exposure 450 (P2 R2) before 15 with exposure 0 (P2 R1)
    assert top[["project_id", "risk_id"]].values.tolist() == [["P1", "R1"], ["P2", "R2"], ["P2", "R1"]]
    per_project = top_risks(risks, status_date=T, n=1, per_project=True)
    assert per_project[["project_id", "risk_id"]].values.tolist() == [
        ["P1", "R1"], ["P2", "R2"], ["P5", "R1"],
    ]


def test_risk_summary(risks):
    summary = risk_summary(risks, status_date=T)
    assert list(summary.columns) == SUMMARY_COLUMNS
    rows = summary.set_index("project_id")
    # P1: 4 raised, 3 open, 1 high (20), exposure 7000 + 600 (R2 unknown), 2 overdue, max 20
    assert rows.loc["P1"].tolist() == [4, 3, 1, 7600.0, 2, 20]
    # P2: 4 open, 2 high (15, 15), exposure 0 + 450, overdue R2 and R3, max 15
    assert rows.loc["P2"].tolist() == [4, 4, 2, 450.0, 2, 15]
    assert rows.loc["P3", ["risks", "open", "exposure"]].tolist() == [1, 0, 0.0]
    assert pd.isna(rows.loc["P3", "max_score"])
    assert risk_summary(risks, status_date=T, high_score=20).set_index("project_id")["high"].tolist() == [
        1, 0, 0, 0,
    ]


def test_risk_rag_default_rule(projects, risks):
    result = risk_rag(projects, risks, status_date=T).set_index("project_id")
    # P1 has an open 20 -> red; P2 max 15 >= 12 and 2 overdue (not > 2) -> amber;
    # P3 only closed -> green; P4 no risks -> grey; P5 one open 6 -> green
    assert result["risk_rag"].to_dict() == {
        "P1": "red", "P2": "amber", "P3": "green", "P4": "grey", "P5": "green",
    }
    assert result.loc["P4", ["risks", "open", "exposure"]].tolist() == [0, 0, 0.0]


def test_risk_rag_thresholds(projects, risks):
    strict = risk_rag(projects, risks, status_date=T, red_overdue=1).set_index("project_id")
    assert strict.loc["P2", "risk_rag"] == "red"  # 2 overdue > 1
    lenient = risk_rag(projects, risks, status_date=T, red_score=21, amber_score=6)
    lenient = lenient.set_index("project_id")["risk_rag"]
    assert lenient[["P1", "P5"]].tolist() == ["amber", "amber"]  # 20 < 21; 6 >= 6


def test_empty_register(projects):
    risks = empty_table("risks")
    register = risk_register(risks, status_date=T)
    assert register.empty and {"score", "exposure", "overdue"} <= set(register.columns)
    assert heat_map(risks, status_date=T).empty
    assert top_risks(risks, status_date=T).empty
    summary = risk_summary(risks, status_date=T)
    assert summary.empty and list(summary.columns) == SUMMARY_COLUMNS
    assert risk_rag(projects, risks, status_date=T)["risk_rag"].tolist() == ["grey"] * 5
