"""Tests for pmo_lib.charts: what the package exports, and what every builder promises."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

import pmo_lib.charts as charts

EMPTY_CALLS = {
    "s_curve_chart": lambda f: charts.s_curve_chart(f),
    "cpi_spi_bubble": lambda f: charts.cpi_spi_bubble(f),
    "budget_vs_eac": lambda f: charts.budget_vs_eac(f),
    "rag_distribution": lambda f: charts.rag_distribution(f),
    "milestone_timeline": lambda f: charts.milestone_timeline(f, status_date="2026-11-20"),
    "risk_heat_map": lambda f: charts.risk_heat_map(f),
    "capacity_heat_map": lambda f: charts.capacity_heat_map(f),
    "resource_loading": lambda f: charts.resource_loading(f, f, project_id="P1"),
    "demand_pipeline": lambda f: charts.demand_pipeline(f),
}


def test_every_builder_is_exported():
    assert sorted(charts.__all__) == sorted(EMPTY_CALLS)


@pytest.mark.parametrize("name", sorted(EMPTY_CALLS))
def test_a_frame_without_rows_or_columns_gives_a_titled_no_data_chart(name, values):
    chart = EMPTY_CALLS[name](pd.DataFrame())
    assert isinstance(chart, alt.Chart)
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "text" and spec["title"]["text"]
    assert values(spec) == [{"message": "No data"}]


def test_no_data_chart_renders(render):
    svg, soup = render(charts.risk_heat_map(pd.DataFrame()))
    assert "No data" in soup.get_text(" ") and "Open risks" in soup.get_text(" ")
