"""Tests for pmo_lib.charts.demand."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.charts.demand import STATUS_COLOURS, demand_pipeline


@pytest.fixture
def ranked() -> pd.DataFrame:
    return pd.DataFrame({
        "request_id": ["D2", "D1", "D3"],
        "title": ["Wiki", "CRM", "Wiki"],
        "status": pd.Categorical(["approved", "submitted", "rejected"],
                                 categories=["submitted", "approved", "rejected", "deferred"]),
        "estimated_cost": [85_000.0, 1_344_000.0, float("nan")],
        "score": [50.0, 90.0, 10.0],
        "rank": [2, 1, 3],
        "fits": [True, None, False],
    })


def test_bars_by_rank_coloured_by_status_with_cost_labels(ranked, values, marks):
    spec = demand_pipeline(ranked, currency="GBP").to_dict()
    assert marks(spec) == ["bar", "text"]
    rows = values(spec)
    assert [r["row"] for r in rows] == ["CRM", "Wiki (D2)", "Wiki (D3)"]
    assert [r["cost_text"] for r in rows] == ["£1.34M", "£85k", "n/a"]
    assert [r["fits"] for r in rows] == ["", "yes", "no"]
    assert [r["order"] for r in rows] == [0, 1, 2]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == {"field": "order", "op": "min"}
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["approved", "submitted", "rejected"]
    assert colour["range"] == [STATUS_COLOURS[s] for s in colour["domain"]]
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 100]


def test_renders_with_hostile_title_as_text(ranked, render, hostile):
    ranked.loc[0, "title"] = hostile[0]
    ranked.loc[1, "title"] = hostile[1]
    svg, soup = render(demand_pipeline(ranked))
    text = soup.get_text(" ")
    for expected in ("Demand pipeline by score", "Score (0–100)", hostile[0], hostile[1], "€1.34M"):
        assert expected in text


def test_empty_input_gives_a_no_data_chart(ranked):
    assert demand_pipeline(ranked.iloc[:0]).to_dict()["mark"]["type"] == "text"


def test_input_is_not_changed(ranked):
    before = ranked.copy()
    demand_pipeline(ranked)
    pd.testing.assert_frame_equal(ranked, before)
