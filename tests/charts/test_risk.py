"""Tests for pmo_lib.charts.risk."""

from __future__ import annotations

import pandas as pd

from pmo_lib.charts.risk import risk_heat_map
from pmo_lib.rag import RAG_BADGE_COLOURS, RAG_COLOURS


def cells(values, spec) -> dict[tuple[int, int], dict]:
    return {(c["probability"], c["impact"]): c for c in values(spec, 0)}


def test_25_cells_summed_over_projects(values, marks):
    heat = pd.DataFrame({"project_id": ["P1", "P2", "P1"], "probability": [4, 4, 1],
                         "impact": [5, 5, 2], "count": [2, 1, 3]})
    spec = risk_heat_map(heat).to_dict()
    assert marks(spec) == ["rect", "text"]
    grid = cells(values, spec)
    assert len(grid) == 25 and sum(c["count"] for c in grid.values()) == 6
    assert grid[(4, 5)]["count"] == 3 and grid[(1, 2)]["count"] == 3 and grid[(5, 5)]["count"] == 0
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [5, 4, 3, 2, 1]  # 5 at the top
    assert spec["layer"][1]["encoding"]["text"]["field"] == "count"


def test_cells_are_coloured_by_score_band_lighter_when_empty(values):
    heat = pd.DataFrame({"probability": [3, 2, 1], "impact": [5, 4, 5], "count": [1, 1, 1]})
    grid = cells(values, risk_heat_map(heat).to_dict())
    assert grid[(3, 5)]["fill"] == RAG_COLOURS["red"]  # 15
    assert grid[(2, 4)]["fill"] == RAG_COLOURS["amber"]  # 8
    assert grid[(1, 5)]["fill"] == RAG_COLOURS["green"]  # 5
    assert grid[(5, 5)]["fill"] == RAG_BADGE_COLOURS["red"][0]  # empty red cell: light
    assert grid[(2, 7 // 2)]["band"] == "green"  # 6


def test_renders_counts_and_axis_titles(render):
    heat = pd.DataFrame({"probability": [4], "impact": [5], "count": [12]})
    svg, soup = render(risk_heat_map(heat))
    text = soup.get_text(" ")
    assert "12" in text and "Impact (1 = very low, 5 = very high)" in text
    assert "Open risks by probability and impact" in text


def test_empty_input_gives_a_no_data_chart():
    empty = pd.DataFrame({"project_id": [], "probability": [], "impact": [], "count": []})
    assert risk_heat_map(empty).to_dict()["mark"]["type"] == "text"


def test_input_is_not_changed():
    heat = pd.DataFrame({"probability": pd.array([4], dtype="Int64"), "impact": [5], "count": [2]})
    before = heat.copy()
    risk_heat_map(heat)
    pd.testing.assert_frame_equal(heat, before)
