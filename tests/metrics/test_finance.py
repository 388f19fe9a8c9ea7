"""Budget summary, cost phasing, burn rate, runway and cost by category.

Status date T = 2026-02-15. Project P1's tasks:
  A  budget 3100, 2026-01-01 -> 02-01: 31 days of 100 (Jan 2 .. Feb 1): Jan 3000, Feb 100
  B  budget  280, 2026-02-01 -> 03-01: 28 days of 10 (Feb 2 .. Mar 1):  Feb  270, Mar  10
  M  budget  500, milestone on 2026-03-15:                                         Mar 500
  planned: Jan 3000, Feb 370, Mar 510 (cumulative 3000, 3370, 3880 = BAC)
P1 costs: Jan 10 1000 labour, Jan 18 500 (no category), Feb 5 800 labour,
  Feb 10 -100 labour (a reversal), Mar 2 300 travel (after T: not spent yet)
  actual: Jan 1500, Feb 700, AC = 2200
P2 costs: 2025-12-20 200 travel (no tasks).
"""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.finance import (
    BUDGET_COLUMNS,
    PHASING_COLUMNS,
    budget_runway,
    budget_summary,
    burn_rate,
    cost_by_category,
    cost_phasing,
)

T = date(2026, 2, 15)


@pytest.fixture
def tasks(table):
    return table(
        "tasks",
        project_id=["P1", "P1", "P1"],
        task_id=["A", "B", "M"],
        name=["Build", "Test", "Launch"],
        baseline_start=["2026-01-01", "2026-02-01", "2026-03-15"],
        baseline_finish=["2026-02-01", "2026-03-01", "2026-03-15"],
        percent_complete=[100.0, 50.0, 0.0],
        budget=[3100.0, 280.0, 500.0],
        is_milestone=[False, False, True],
    )


@pytest.fixture
def costs(table):
    return table(
        "costs",
        project_id=["P1", "P1", "P1", "P1", "P1", "P2"],
        date=["2026-01-10", "2026-01-18", "2026-02-05", "2026-02-10", "2026-03-02", "2025-12-20"],
        amount=[1000.0, 500.0, 800.0, -100.0, 300.0, 200.0],
        category=["labour", "", "labour", "labour", "travel", "travel"],
    )


@pytest.fixture
def projects(table):
    return table(
        "projects",
        project_id=["P3", "P1", "P2"],
        name=["C", "A", "B"],
        program=["X"] * 3,
        manager=["M"] * 3,
        budget=[1000.0, 5000.0, np.nan],
    )


def test_budget_summary(projects):
    evm = pd.DataFrame(
        {"bac": [3880.0, 100.0], "eac": [4000.0, 100.0], "ac": [2200.0, 50.0]},
        index=pd.Index(["P1", "P3"], name="project_id"),
    )
    result = budget_summary(projects, evm)
    assert list(result.columns) == BUDGET_COLUMNS
    p1, p2, p3 = (row for _, row in result.iterrows())
    # P1: 5000 - 3880 = 1120; 5000 - 4000 = 1000; 3880 - 4000 = -120; 2200 / 5000 = 0.44
    assert p1[5:].tolist() == [1120.0, 1000.0, -120.0, 0.44]
    assert p2[1:].isna().all()  # no budget, no EVM row
    # P3: 1000 - 100 = 900; 1000 - 100 = 900; 0; 50 / 1000 = 0.05
    assert p3[5:].tolist() == [900.0, 900.0, 0.0, 0.05]
    # project_id may also be a column of the EVM frame
    pd.testing.assert_frame_equal(budget_summary(projects, evm.reset_index()), result)


def test_budget_summary_zero_budget_has_no_spent_share(table):
    projects = table("projects", project_id=["P"], name=["P"], program=["X"], manager=["M"],
                     budget=[0.0])
    evm = pd.DataFrame({"bac": [100.0], "eac": [100.0], "ac": [50.0]}, index=["P"])
    row = budget_summary(projects, evm).iloc[0]
    assert row["budget_less_bac"] == -100.0 and np.isnan(row["spent_share"])


def test_cost_phasing_monthly(tasks, costs):
    before = (tasks.copy(), costs.copy())
    result = cost_phasing(tasks, costs, status_date=T)
    pd.testing.assert_frame_equal(tasks, before[0])
    pd.testing.assert_frame_equal(costs, before[1])
    assert list(result.columns) == PHASING_COLUMNS
    assert result["period"].dtype == "datetime64[ns]"
    expected = pd.DataFrame(
        {
            "project_id": ["P1", "P1", "P1", "P2"],
            "period": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", "2025-12-01"]),
            "planned": [3000.0, 370.0, 510.0, 0.0],
            "actual": [1500.0, 700.0, np.nan, 200.0],  # March starts after T
            "cumulative_planned": [3000.0, 3370.0, 3880.0, 0.0],
            "cumulative_actual": [1500.0, 2200.0, np.nan, 200.0],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False, atol=1e-9)


def test_cost_phasing_weekly_sums_to_bac(tasks, costs):
    result = cost_phasing(tasks, costs, status_date=T, freq="W-MON")
    p1 = result[result["project_id"] == "P1"]
    assert (p1["period"].dt.day_of_week == 0).all()
    assert p1["planned"].sum() == pytest.approx(3880.0)
    # weeks starting on or before T hold all 2200 spent; 2025-12-29 is the Monday before Jan 1
    assert p1["period"].iloc[0] == pd.Timestamp("2025-12-29")
    assert p1["actual"].sum() == pytest.approx(2200.0)


def test_burn_rate_window_excludes_its_first_day(costs):
    # (Jan 18, Feb 15]: Feb 5 800 + Feb 10 -100 = 700; / 4 weeks = 175. Jan 18 is outside.
    result = burn_rate(costs, status_date=T)
    assert result.values.tolist() == [["P1", 700.0, 175.0], ["P2", 0.0, 0.0]]
    # 5 weeks: (Jan 11, Feb 15] adds Jan 18's 500: 1200 / 5 = 240
    assert burn_rate(costs, status_date=T, weeks=5)["burn_rate"].tolist() == [240.0, 0.0]


def test_budget_runway(projects, costs):
    result = budget_runway(projects, costs, status_date=T).set_index("project_id")
    # P1: 5000 - 2200 = 2800 left at 175 a week = 16 weeks
    assert result.loc["P1"].tolist() == [5000.0, 2200.0, 2800.0, 175.0, 16.0]
    assert np.isnan(result.loc["P2", "runway_weeks"])  # no approved budget
    assert result.loc["P2", "ac"] == 200.0
    assert np.isnan(result.loc["P3", "runway_weeks"])  # burns nothing
    overspent = projects.assign(budget=[1000.0, 2000.0, np.nan])
    # P1: 2000 - 2200 = -200: nothing left, 0 weeks
    assert budget_runway(overspent, costs, status_date=T).iloc[0]["runway_weeks"] == 0.0


def test_cost_by_category(costs, table):
    result = cost_by_category(costs, status_date=T)
    # P1 labour 1000 + 800 - 100 = 1700, uncategorised 500, of 2200; travel is after T
    assert result[["project_id", "category", "amount"]].values.tolist() == [
        ["P1", "labour", 1700.0], ["P1", "Uncategorised", 500.0], ["P2", "travel", 200.0],
    ]
    assert result["share"].tolist() == pytest.approx([1700 / 2200, 500 / 2200, 1.0])
    netted = table("costs", project_id=["P5", "P5"], date=["2026-01-01", "2026-01-02"],
                   amount=[100.0, -100.0], category=["x", "x"])
    assert np.isnan(cost_by_category(netted, status_date=T)["share"].iloc[0])


def test_empty_inputs(projects):
    tasks, costs = empty_table("tasks"), empty_table("costs")
    phasing = cost_phasing(tasks, costs, status_date=T)
    assert phasing.empty and list(phasing.columns) == PHASING_COLUMNS
    assert burn_rate(costs, status_date=T).empty
    assert list(burn_rate(costs, status_date=T).columns) == ["project_id", "spend", "burn_rate"]
    runway = budget_runway(projects, costs, status_date=T)
    assert runway["ac"].tolist() == [0.0, 0.0, 0.0] and runway["runway_weeks"].isna().all()
    by_category = cost_by_category(costs, status_date=T)
    assert by_category.empty and list(by_category.columns) == [
        "project_id", "category", "amount", "share",
    ]
    summary = budget_summary(empty_table("projects"), pd.DataFrame(columns=["bac", "eac", "ac"]))
    assert summary.empty and list(summary.columns) == BUDGET_COLUMNS
