"""Capacity against demand, utilisation, over-allocation and demand cost.

Resources: A (Dev, 40 h/week, 100/h), B (Dev, 20 h/week, no rate), C (QA, 40 h/week, 80/h).
Weeks (Mondays) from 2026-03-02 to 2026-04-06: six weeks.
"""

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.resources import (
    CAPACITY_COLUMNS,
    DEMAND_COLUMNS,
    OVER_COLUMNS,
    UTILISATION_COLUMNS,
    capacity_vs_demand,
    demand_by_project,
    over_allocated,
    resource_utilisation,
)

WEEKS = pd.to_datetime(
    ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30", "2026-04-06"]
)


@pytest.fixture
def resources(table):
    return table(
        "resources", resource_id=["C", "A", "B"], name=["Cy", "Ann", "Bo"], role=["QA", "Dev", "Dev"],
        capacity_hours_per_week=[40.0, 40.0, 20.0], cost_rate=[80.0, 100.0, np.nan],
    )


@pytest.fixture
def assignments(table):
    return table(
        "assignments",
        project_id=["P1", "P2", "P1", "P1", "P1", "P2", "P2"],
        resource_id=["A", "A", "B", "A", "C", "A", "B"],
        # 2026-03-04 is a Wednesday: it counts in the week of Monday 2026-03-02
        week_start=["2026-03-02", "2026-03-02", "2026-03-04", "2026-03-09", "2026-03-16",
                    "2026-03-30", "2026-04-06"],
        planned_hours=[30.0, 20.0, 10.0, 40.0, 44.0, 45.0, 25.0],
    )


def test_resource_utilisation_grid(resources, assignments):
    before = (resources.copy(), assignments.copy())
    result = resource_utilisation(resources, assignments)
    pd.testing.assert_frame_equal(resources, before[0])
    pd.testing.assert_frame_equal(assignments, before[1])
    assert list(result.columns) == UTILISATION_COLUMNS
    assert len(result) == 18  # 3 resources x 6 weeks
    a = result[result["resource_id"] == "A"]
    assert a["week_start"].tolist() == list(WEEKS)
    # A: 30 + 20 = 50 of 40 = 1.25; 40 / 40 = 1.0; 0; 0; 45 / 40 = 1.125; 0
    assert a["planned_hours"].tolist() == [50.0, 40.0, 0.0, 0.0, 45.0, 0.0]
    assert a["utilisation"].tolist() == [1.25, 1.0, 0.0, 0.0, 1.125, 0.0]
    b = result[result["resource_id"] == "B"]
    assert b["utilisation"].tolist() == [0.5, 0.0, 0.0, 0.0, 0.0, 1.25]  # 10 / 20; 25 / 20


def test_capacity_vs_demand_weekly(resources, assignments):
    result = capacity_vs_demand(resources, assignments)
    assert list(result.columns) == CAPACITY_COLUMNS
    dev = result[result["role"] == "Dev"]
    assert dev["period"].tolist() == list(WEEKS)
    assert (dev["capacity_hours"] == 60.0).all()  # 40 + 20
    # Dev: 30 + 20 + 10 = 60; 40; 0; 0; 45; 25
    assert dev["planned_hours"].tolist() == [60.0, 40.0, 0.0, 0.0, 45.0, 25.0]
    assert dev["utilisation"].tolist() == pytest.approx([1.0, 40 / 60, 0.0, 0.0, 0.75, 25 / 60])
    qa = result[result["role"] == "QA"]
    assert qa["utilisation"].tolist() == [0.0, 0.0, 1.1, 0.0, 0.0, 0.0]  # 44 / 40


def test_capacity_vs_demand_monthly(resources, assignments):
    result = capacity_vs_demand(resources, assignments, freq="MS")
    # The plan spans the weeks of 2026-03-02 to 2026-04-06: all 5 Mondays of March (2, 9, 16, 23, 30)
    # and 1 of April's 4 (6): April's capacity is prorated to that week, not diluted by the other three
    assert result.values.tolist() == [
        ["Dev", pd.Timestamp("2026-03-01"), 300.0, 145.0, pytest.approx(145 / 300)],  # 60 + 40 + 45
        ["Dev", pd.Timestamp("2026-04-01"), 60.0, 25.0, pytest.approx(25 / 60)],
        ["QA", pd.Timestamp("2026-03-01"), 200.0, 44.0, pytest.approx(0.22)],
        ["QA", pd.Timestamp("2026-04-01"), 40.0, 0.0, 0.0],
    ]


def test_capacity_vs_demand_rejects_other_frequencies(resources, assignments):
    with pytest.raises(ValueError, match="freq"):
        capacity_vs_demand(resources, assignments, freq="D")


def test_over_allocated(resources, assignments):
    result = over_allocated(resources, assignments)
    assert list(result.columns) == OVER_COLUMNS
    assert result[["resource_id", "weeks_over", "peak_utilisation", "weeks"]].values.tolist() == [
        ["A", 2, 1.25, "2026-03-02; 2026-03-30"],  # 1.0 in week 03-09 is not over
        ["B", 1, 1.25, "2026-04-06"],
        ["C", 1, 1.1, "2026-03-16"],
    ]
    peaks = ("2026-03-02", "2026-04-06", "2026-03-16")
    assert result["peak_week"].tolist() == [pd.Timestamp(d) for d in peaks]
    assert over_allocated(resources, assignments, threshold=1.2)["resource_id"].tolist() == ["A", "B"]


def test_demand_by_project(resources, assignments):
    result = demand_by_project(assignments, resources)
    assert list(result.columns) == DEMAND_COLUMNS
    # P1: 30 + 10 + 40 + 44 = 124 h; cost 30x100 + 40x100 + 44x80 = 10520; B's 10 h unpriced
    # P2: 20 + 45 + 25 = 90 h; cost 20x100 + 45x100 = 6500; B's 25 h unpriced
    assert result.values.tolist() == [["P1", 124.0, 10520.0, 10.0], ["P2", 90.0, 6500.0, 25.0]]


def test_empty_assignments(resources):
    assignments = empty_table("assignments")
    assert resource_utilisation(resources, assignments).empty
    for freq in ("W", "MS"):
        result = capacity_vs_demand(resources, assignments, freq=freq)
        assert result.empty and list(result.columns) == CAPACITY_COLUMNS
    over = over_allocated(resources, assignments)
    assert over.empty and list(over.columns) == OVER_COLUMNS
    demand = demand_by_project(assignments, resources)
    assert demand.empty and list(demand.columns) == DEMAND_COLUMNS
