"""Tests for pmo_lib.charts.milestones."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.charts.milestones import STATES, milestone_timeline


@pytest.fixture
def milestones() -> pd.DataFrame:
    return pd.DataFrame({
        "project_id": ["P1", "P1", "P2", "P2"],
        "task_id": ["M1", "M2", "M1", "M2"],
        "name": ["Design", "Go-live", "Go-live", "Go-live"],
        "baseline_finish": pd.to_datetime(["2026-02-01", "2026-05-01", "2026-03-01", "2026-06-01"]),
        "forecast_finish": pd.to_datetime(["2026-02-01", "2026-05-20", "2026-03-01", "2026-06-01"]),
        "actual_finish": pd.to_datetime(["2026-02-05", None, None, None]),
        "slip_days": pd.array([4, 19, 0, 0], dtype="Int64"),
        "state": ["done", "at risk", "late", "on track"],
    })


def test_one_row_per_milestone_with_project_and_unique_labels(milestones, values, marks):
    spec = milestone_timeline(milestones, status_date="2026-03-10").to_dict()
    assert marks(spec) == ["rule", "point", "point", "text", "rule", "text"]
    rows = values(spec, 0)
    assert [r["row"] for r in rows] == ["P1 · Design", "P1 · Go-live", "P2 · Go-live (M1)", "P2 · Go-live (M2)"]
    assert rows[0]["date"].startswith("2026-02-05")  # done: the actual date
    assert rows[1]["date"].startswith("2026-05-20")  # not done: the forecast
    assert [r["slip_text"] for r in rows] == ["+4 d", "+19 d", "", ""]
    baseline = spec["layer"][1]
    assert baseline["mark"]["shape"] == "diamond" and baseline["mark"]["filled"] is False
    colour = spec["layer"][2]["encoding"]["color"]["scale"]
    assert colour["domain"] == list(STATES) and colour["range"] == list(STATES.values())
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "date"  # the slip line


def test_status_rule_at_the_status_date_and_one_project_reads_plain_names(milestones, values):
    one = milestones[milestones["project_id"] == "P1"]
    spec = milestone_timeline(one, status_date=pd.Timestamp("2026-03-10")).to_dict()
    assert values(spec, 4, 0)[0]["date"].startswith("2026-03-10")
    assert [r["row"] for r in values(spec, 0)] == ["Design", "Go-live"]


def test_renders_with_hostile_milestone_name_as_text(milestones, render, hostile):
    milestones.loc[0, "name"] = hostile[0]
    milestones.loc[1, "name"] = hostile[1]
    svg, soup = render(milestone_timeline(milestones, status_date="2026-03-10", title="Key dates"))
    text = soup.get_text(" ")
    for expected in ("Key dates", "Status date 2026-03-10", "P1 · " + hostile[0], hostile[1], "at risk"):
        assert expected in text


def test_empty_input_gives_a_no_data_chart(milestones):
    assert milestone_timeline(milestones.iloc[:0], status_date="2026-03-10").to_dict()["mark"]["type"] == "text"
    no_label = milestones.drop(columns="name")
    assert milestone_timeline(no_label, status_date="2026-03-10").to_dict()["mark"]["type"] == "text"


def test_input_is_not_changed(milestones):
    before = milestones.copy()
    milestone_timeline(milestones, status_date="2026-03-10")
    pd.testing.assert_frame_equal(milestones, before)
