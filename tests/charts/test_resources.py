"""Tests for pmo_lib.charts.resources."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.charts.resources import capacity_heat_map, resource_loading


@pytest.fixture
def capacity() -> pd.DataFrame:
    return pd.DataFrame({
        "role": ["Dev", "Dev", "Tester", "Tester"],
        "period": pd.to_datetime(["2026-03-01", "2026-04-01", "2026-03-01", "2026-04-01"]),
        "capacity_hours": [300.0, 240.0, 0.0, 120.0],
        "planned_hours": [150.0, 300.0, 10.0, 120.0],
        "utilisation": [0.5, 1.25, float("nan"), 1.0],
    })


@pytest.fixture
def assignments() -> pd.DataFrame:
    return pd.DataFrame({
        "project_id": ["P1", "P1", "P1", "P2", "P1"],
        "resource_id": ["R1", "R2", "R1", "R1", "R9"],
        "week_start": pd.to_datetime(["2026-03-02", "2026-03-04", "2026-03-09", "2026-03-02", "2026-03-02"]),
        "planned_hours": [30.0, 10.0, 20.0, 5.0, 2.0],
    })


@pytest.fixture
def resources() -> pd.DataFrame:
    return pd.DataFrame({"resource_id": ["R1", "R2", "R3"], "name": ["Ann", "Bo", "Cy"],
                         "role": ["Dev", "Tester", "Architect"]})


def test_capacity_heat_map_labels_percentages_centred_on_100(capacity, values, marks):
    spec = capacity_heat_map(capacity).to_dict()
    assert marks(spec) == ["rect", "text"]
    assert [r["label"] for r in values(spec)] == ["50%", "125%", "n/a", "100%"]
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["condition"]["scale"]["domainMid"] == 1.0 and colour["value"] == "#d0d7de"
    assert spec["layer"][0]["encoding"]["x"]["field"] == "month"  # months in time order


def test_capacity_heat_map_marks_the_partial_first_and_last_months():
    cap = pd.DataFrame({"role": ["Dev"] * 4, "utilisation": [0.34, 0.9, 1.0, 0.55],
                        "period": pd.to_datetime(["2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"])})
    spec = capacity_heat_map(cap).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["Aug 2026 *", "Sep 2026", "Oct 2026", "Nov 2026 *"]
    assert spec["title"]["subtitle"][1] == "* the plan starts or ends inside these months: only its weeks count"


def test_capacity_heat_map_renders_roles_months_and_hostile_role(capacity, render, hostile):
    capacity.loc[capacity["role"] == "Tester", "role"] = hostile[0]
    svg, soup = render(capacity_heat_map(capacity))
    text = soup.get_text(" ")
    for expected in ("Utilisation by role and month", "Mar 2026", "125%", hostile[0]):
        assert expected in text


def test_resource_loading_stacks_one_project_by_role_per_monday(assignments, resources, values):
    spec = resource_loading(assignments, resources, project_id="P1").to_dict()
    assert spec["mark"]["type"] == "bar"
    rows = [(r["week"][:10], r["role"], r["hours"], r["bottom"], r["top"]) for r in values(spec)]
    assert rows == [
        ("2026-03-02", "Dev", 30.0, 0.0, 30.0),
        ("2026-03-02", "Tester", 10.0, 30.0, 40.0),  # 4 March counts in the week of Monday 2 March
        ("2026-03-02", "Unknown", 2.0, 40.0, 42.0),  # R9 is not in resources
        ("2026-03-09", "Dev", 20.0, 0.0, 20.0),
    ]
    colour = spec["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Architect", "Dev", "Tester", "Unknown"]  # same colours everywhere
    assert colour["legend"]["values"] == ["Dev", "Tester", "Unknown"]
    assert spec["encoding"]["y"]["title"] == "Planned hours"


def test_resource_loading_of_all_projects_renders(assignments, resources, render):
    svg, soup = render(resource_loading(assignments, resources))
    text = soup.get_text(" ")
    assert "Planned hours per week by role" in text and "Week" in text and "Dev" in text


def test_empty_inputs_give_no_data_charts(capacity, assignments, resources):
    assert capacity_heat_map(capacity.iloc[:0]).to_dict()["mark"]["type"] == "text"
    assert resource_loading(assignments.iloc[:0], resources).to_dict()["mark"]["type"] == "text"
    assert resource_loading(assignments, resources, project_id="P404").to_dict()["mark"]["type"] == "text"
    unknown_roles = resource_loading(assignments, resources.iloc[:0]).to_dict()
    assert unknown_roles["mark"]["type"] == "bar"


def test_inputs_are_not_changed(capacity, assignments, resources):
    before = (capacity.copy(), assignments.copy(), resources.copy())
    capacity_heat_map(capacity)
    resource_loading(assignments, resources, project_id="P1")
    for frame, copy in zip((capacity, assignments, resources), before):
        pd.testing.assert_frame_equal(frame, copy)
