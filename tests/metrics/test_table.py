"""The metrics table (spec section 3): columns, order, rows, and one project worked by hand."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pmo_lib.metrics.status import RagThresholds
from pmo_lib.metrics.table import EXTRA_COLUMNS, METRICS_COLUMNS, metrics_table

SPEC_COLUMNS = (
    "project_id, name, program, bac, pv, ev, ac, sv, cv, spi, cpi, eac, eac_atypical, "
    "eac_composite, etc, vac, tcpi, planned_start, planned_finish, pd_days, at_days, es_days, "
    "spi_t, sv_t_days, ieac_t_days, forecast_finish, schedule_rag, cost_rag, overall_rag"
).split(", ")
T = date(2026, 1, 6)


@pytest.fixture
def portfolio(table):
    projects = table(
        "projects",
        project_id=["P3", "P1", "P2"],  # not sorted: the table keeps this order
        name=["On plan", "Textbook <late>", "Empty"],
        program=["Grid", "Core", "Unassigned"],
        manager=["A", "B", "C"],
        status=["active", "active", "on_hold"],
    )
    tasks = table(
        "tasks",
        project_id=["P1", "P3"],
        task_id=["T1", "T1"],
        name=["Build", "Build"],
        baseline_start=["2026-01-01", "2026-01-01"],
        baseline_finish=["2026-01-11", "2026-01-11"],
        budget=[100_000.0, 1_000.0],
        percent_complete=[40.0, 50.0],
    )
    costs = table(
        "costs",
        project_id=["P1", "P3", "P3"],
        date=["2026-01-05", "2026-01-02", "2026-01-07"],
        amount=[45_000.0, 500.0, 80.0],
    )
    return projects, tasks, costs


def test_columns_are_the_spec_list_in_order(portfolio):
    assert list(METRICS_COLUMNS) == SPEC_COLUMNS
    out = metrics_table(*portfolio, status_date=T)
    assert list(out.columns) == SPEC_COLUMNS + list(EXTRA_COLUMNS)
    assert out["project_id"].tolist() == ["P3", "P1", "P2"]
    assert out["name"].tolist() == ["On plan", "Textbook <late>", "Empty"]


def test_textbook_project_row(portfolio):
    row = metrics_table(*portfolio, status_date=T).set_index("project_id").loc["P1"]
    # EVM as in test_evm's textbook case: PV 50,000 (5 of 10 days), EV 40,000, AC 45,000.
    assert (row["bac"], row["pv"], row["ev"], row["ac"]) == (100_000, 50_000, 40_000, 45_000)
    assert row["spi"] == pytest.approx(0.8) and row["cpi"] == pytest.approx(8 / 9)
    assert row["eac"] == pytest.approx(112_500) and row["eac_composite"] == pytest.approx(129_375)
    # Earned schedule: PV_k = 10,000 k, EV 40,000 -> ES = 4; AT = 5; PD = 10.
    # SPI(t) = 0.8, SV(t) = -1, IEAC = 10 / 0.8 = 12.5 -> 1 Jan + 13 days = 14 Jan.
    assert (row["pd_days"], row["at_days"], row["es_days"]) == (10, 5, 4)
    assert row["spi_t"] == pytest.approx(0.8) and row["sv_t_days"] == pytest.approx(-1)
    assert row["ieac_t_days"] == pytest.approx(12.5)
    assert row["forecast_finish"] == pd.Timestamp("2026-01-14")
    assert row["tspi"] == pytest.approx(6 / 5)  # (10 - 4) / (10 - 5)
    # SPI 0.8 < 0.85: red; CPI 0.889: amber; overall the worse.
    assert (row["schedule_rag"], row["cost_rag"], row["overall_rag"]) == ("red", "amber", "red")


def test_on_plan_and_empty_projects(portfolio):
    out = metrics_table(*portfolio, status_date=T).set_index("project_id")
    on_plan = out.loc["P3"]  # PV = EV = 500, AC = 500 (the 80 on 7 Jan is after T)
    assert (on_plan["spi"], on_plan["cpi"], on_plan["es_days"], on_plan["at_days"]) == (1, 1, 5, 5)
    assert on_plan["overall_rag"] == "green"
    assert on_plan["forecast_finish"] == on_plan["planned_finish"] == pd.Timestamp("2026-01-11")
    empty = out.loc["P2"]  # no tasks, no costs
    numbers = [c for c in SPEC_COLUMNS[3:] if not c.endswith("_rag")]
    assert empty[numbers].isna().all()
    assert empty[["schedule_rag", "cost_rag", "overall_rag"]].tolist() == ["grey"] * 3
    assert empty["status"] == "on_hold"


def test_dtypes(portfolio):
    out = metrics_table(*portfolio, status_date=T)
    for column in ("planned_start", "planned_finish", "forecast_finish"):
        assert out[column].dtype == "datetime64[ns]", column
    for column in ("bac", "spi", "tcpi", "pd_days", "at_days", "es_days", "tspi"):
        assert out[column].dtype == "float64", column
    for column in ("project_id", "name", "program", "overall_rag", "status", "manager_rag"):
        assert out[column].dtype == "str", column
    assert out["watermelon"].dtype == bool
    assert not np.isinf(out.select_dtypes("number").to_numpy()).any()


def test_thresholds_extra_dimensions_and_watermelons(portfolio, table):
    lenient = RagThresholds(spi_green=0.8, spi_amber=0.5, cpi_green=0.8, cpi_amber=0.5)
    updates = table(
        "status_updates",
        project_id=["P1", "P3"],
        status_date=["2026-01-05", "2026-01-05"],
        summary=["fine", "fine"],
        manager_rag=["green", "green"],
    )
    extra = pd.DataFrame({"risk_rag": ["amber"]}, index=["P3"])
    out = metrics_table(
        *portfolio, status_date=T, thresholds=lenient, status_updates=updates, extra=extra
    ).set_index("project_id")
    assert out.loc["P1", "overall_rag"] == "green"  # SPI 0.8 and CPI 0.89 are green at 0.8
    assert out.loc["P3", "overall_rag"] == "amber"  # the risk dimension
    assert out["manager_rag"].tolist()[:2] == ["green", "green"]
    # P3: green said, amber overall from its risks only; its numbers are green, so no watermelon
    # (a watermelon is judged against the numbers: the worse of schedule and cost RAG).
    assert out["watermelon"].tolist() == [False, False, False]
    default = metrics_table(*portfolio, status_date=T, status_updates=updates).set_index("project_id")
    assert default.loc["P1", "watermelon"]  # green said, red computed
