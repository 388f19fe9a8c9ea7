"""Tests for pmo_lib.charts.budget."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.charts.budget import MEASURES, budget_vs_eac, rag_distribution
from pmo_lib.rag import RAG_COLOURS


@pytest.fixture
def programs() -> pd.DataFrame:
    return pd.DataFrame({"projects": [2, 1], "bac": [300.0, 1200.0], "eac": [320.0, float("nan")],
                         "ac": [100.0, 700.0], "spi": [1.0, 0.9]},
                        index=pd.Index(["Grid", "Digital"], name="program"))


def test_programs_from_the_index_as_grouped_bars(programs, values):
    spec = budget_vs_eac(programs).to_dict()
    assert spec["mark"]["type"] == "bar"
    enc = spec["encoding"]
    assert (enc["y"]["field"], enc["yOffset"]["field"], enc["x"]["field"]) == ("group", "measure", "amount")
    assert enc["y"]["sort"] == {"field": "group_order", "op": "min"}
    assert [(r["group"], r["group_order"]) for r in values(spec)][:2] == [("Grid", 0), ("Digital", 1)]
    assert enc["color"]["scale"]["domain"] == [MEASURES["bac"], MEASURES["eac"], MEASURES["ac"]]
    assert "format(abs(datum.value), '.3~s')" in enc["x"]["axis"]["labelExpr"] and enc["x"]["title"] == "Amount (EUR)"
    rows = {(r["group"], r["measure"]): r["amount"] for r in values(spec)}
    assert rows[("Digital", MEASURES["ac"])] == 700.0
    assert ("Digital", MEASURES["eac"]) not in rows  # an undefined EAC draws no bar
    assert len(rows) == 5


def test_per_project_frame_by_column_with_approved_budget(values):
    frame = pd.DataFrame({"project_id": ["P1", "P2"], "budget": [500.0, 90.0], "bac": [450.0, 80.0],
                          "eac": [470.0, 95.0], "ac": [100.0, 60.0]})
    spec = budget_vs_eac(frame, by="project_id", currency="USD").to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"][0] == "Approved budget"
    assert {r["group"] for r in values(spec)} == {"P1", "P2"}
    assert spec["encoding"]["x"]["title"] == "Amount (USD)"


def test_unknown_or_repeated_group_is_an_error(programs):
    with pytest.raises(ValueError, match="neither a column nor the index"):
        budget_vs_eac(programs, by="portfolio")
    repeated = pd.DataFrame({"program": ["A", "A"], "bac": [1.0, 2.0]})
    with pytest.raises(ValueError, match="repeats"):
        budget_vs_eac(repeated)


def test_budget_renders_with_hostile_program_name_as_text(programs, render, hostile):
    frame = programs.rename(index={"Grid": hostile[0], "Digital": hostile[1]})
    svg, soup = render(budget_vs_eac(frame, title="Programs"))
    text = soup.get_text(" ")
    for expected in ("Programs", "Amount (EUR)", hostile[0], hostile[1], "Forecast at completion (EAC)"):
        assert expected in text


def test_rag_distribution_counts_in_red_amber_green_grey_order(values, marks):
    metrics = pd.DataFrame({"overall_rag": ["green", "red", "green", None, "GREEN", "purple"]})
    spec = rag_distribution(metrics).to_dict()
    assert marks(spec) == ["bar", "text"]
    assert [(r["rag"], r["count"]) for r in values(spec)] == [
        ("red", 1), ("amber", 0), ("green", 3), ("grey", 2)]
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["range"] == [RAG_COLOURS[k] for k in ("red", "amber", "green", "grey")]
    assert spec["title"]["text"] == "Projects by overall RAG"


def test_rag_distribution_renders_counts(render):
    metrics = pd.DataFrame({"schedule_rag": ["amber"] * 7 + ["green"] * 2})
    svg, soup = render(rag_distribution(metrics, column="schedule_rag"))
    text = soup.get_text(" ")
    assert "Projects by schedule RAG" in text and "Amber" in text and " 7 " in f" {text} "


def test_empty_inputs_give_no_data_charts(programs, render):
    assert budget_vs_eac(programs.iloc[:0]).to_dict()["mark"]["type"] == "text"
    assert budget_vs_eac(programs[["spi"]]).to_dict()["mark"]["type"] == "text"  # no money column
    chart = rag_distribution(pd.DataFrame({"overall_rag": []}))
    assert "No data" in render(chart)[1].get_text()
    assert rag_distribution(pd.DataFrame()).to_dict()["mark"]["type"] == "text"


def test_inputs_are_not_changed(programs):
    before = programs.copy()
    budget_vs_eac(programs)
    pd.testing.assert_frame_equal(programs, before)
