"""Tests for pmo_lib.charts.bubble."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.charts.bubble import cpi_spi_bubble
from pmo_lib.rag import RAG_COLOURS


@pytest.fixture
def metrics() -> pd.DataFrame:
    return pd.DataFrame({
        "project_id": ["P1", "P2", "P3", "P4", "P5"],
        "name": ["Billing", "Grid", "No baseline", "Not started", "Late"],
        "program": ["Digital", "Grid", "Grid", "Digital", "Grid"],
        "spi": [1.02, 0.91, float("nan"), 0.97, 0.70],
        "cpi": [0.98, 1.05, 1.0, float("nan"), 0.80],
        "bac": [1_000_000.0, 250_000.0, 90_000.0, 50_000.0, 400_000.0],
        "overall_rag": ["green", "amber", "grey", "grey", "red"],
    })


def test_projects_without_spi_or_cpi_are_left_out_and_counted(metrics, values, marks):
    spec = cpi_spi_bubble(metrics).to_dict()
    assert "2 projects without SPI/CPI not shown." in spec["title"]["subtitle"][0]
    bubbles = next(i for i, layer in enumerate(spec["layer"]) if layer["mark"]["type"] == "circle")
    assert [row["project_id"] for row in values(spec, bubbles)] == ["P1", "P2", "P5"]
    encoding = spec["layer"][bubbles]["encoding"]
    assert (encoding["x"]["field"], encoding["y"]["field"], encoding["size"]["field"]) == ("spi", "cpi", "size")
    assert encoding["color"]["scale"]["domain"] == ["Red", "Amber", "Green", "Grey (not rated)"]
    assert marks(spec).count("rule") == 3  # SPI = 1, CPI = 1 and the label leaders
    labels = values(spec, len(spec["layer"]) - 1)
    assert sorted(row["project_id"] for row in labels) == ["P1", "P2", "P5"]


def test_axes_hold_every_point_and_one(metrics):
    spec = cpi_spi_bubble(metrics).to_dict()
    x = spec["layer"][-1]["encoding"]["x"]["scale"]["domain"]
    y = spec["layer"][-1]["encoding"]["y"]["scale"]["domain"]
    assert x[0] <= 0.70 and x[1] >= 1.02 and y[0] <= 0.80 and y[1] >= 1.05


def test_colour_by_rag_uses_the_rag_colours_and_no_labels(metrics, marks):
    spec = cpi_spi_bubble(metrics, color="overall_rag", label=False, size=None).to_dict()
    colour = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")["encoding"]["color"]
    assert colour["scale"]["range"][:3] == [RAG_COLOURS["red"], RAG_COLOURS["amber"], RAG_COLOURS["green"]]
    assert "text" not in marks(spec)[-1:]
    assert spec["title"]["subtitle"] == ["2 projects without SPI/CPI not shown."]


def test_renders_with_axis_titles_and_hostile_program_as_text(metrics, render, hostile):
    metrics.loc[0, "program"] = hostile[0]
    metrics.loc[1, "name"] = hostile[1]
    svg, soup = render(cpi_spi_bubble(metrics, color="program"))
    text = soup.get_text(" ")
    for expected in ("Cost and schedule performance", "Schedule performance index (SPI)",
                     "Cost performance index (CPI)", "P5", hostile[0]):
        assert expected in text


def test_empty_or_all_undefined_gives_a_no_data_chart(metrics):
    assert cpi_spi_bubble(metrics.iloc[:0]).to_dict()["mark"]["type"] == "text"
    undefined = metrics.assign(spi=float("nan"))
    assert cpi_spi_bubble(undefined).to_dict()["mark"]["type"] == "text"


def test_input_is_not_changed(metrics):
    before = metrics.copy()
    cpi_spi_bubble(metrics, color="overall_rag")
    pd.testing.assert_frame_equal(metrics, before)
