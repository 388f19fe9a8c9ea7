"""Trend charts: indices over the RAG bands, RAG history, milestone trend analysis, drift, RAG counts."""

from __future__ import annotations

import pandas as pd

from pmo_lib.charts.trends import finish_drift, index_trend, milestone_trend, rag_counts_trend, rag_history, value_trend
from pmo_lib.rag import RAG_COLOURS

DAYS = pd.to_datetime(["2026-01-02", "2026-01-09", "2026-01-16"])


def test_index_trend_draws_the_threshold_bands_and_one_line_per_index(values, render):
    frame = pd.DataFrame({"status_date": list(DAYS) * 2, "index": ["SPI"] * 3 + ["CPI"] * 3,
                          "value": [1.0, 0.9, 0.8, 1.0, 1.02, 1.05]})
    spec = index_trend(frame, green=0.95, amber=0.85).to_dict()
    bands = values(spec, 0)
    assert [(round(b["from"], 2), round(b["to"], 2), b["rag"]) for b in bands] == [
        (0.75, 0.85, "red"), (0.85, 0.95, "amber"), (0.95, 1.1, "green")]
    assert len(values(spec, 1)) == 6
    _, soup = render(index_trend(frame, green=0.95, amber=0.85))
    assert "Performance indices over time" in soup.get_text(" ")


def test_rag_history_colours_each_cell_by_its_rag(values, render, hostile):
    frame = pd.DataFrame({"status_date": DAYS, "dimension": [hostile[0]] * 3, "rag": ["Green", "amber", None]})
    spec = rag_history(frame).to_dict()
    assert [r["rag"] for r in values(spec)] == ["green", "amber", "grey"]
    assert spec["encoding"]["color"]["scale"]["range"] == [RAG_COLOURS[k] for k in ("green", "amber", "red", "grey")]
    _, soup = render(rag_history(frame))
    assert hostile[0] in soup.get_text(" ")


def test_milestone_trend_has_the_diagonal_from_first_report_to_last_forecast(values):
    frame = pd.DataFrame({"status_date": DAYS, "milestone": "Go-live",
                          "forecast": pd.to_datetime(["2026-03-01", "2026-03-11", "2026-04-08"])})
    spec = milestone_trend(frame).to_dict()
    diagonal = values(spec, 0)
    assert [(d["status_date"][:10], d["forecast"][:10]) for d in diagonal] == [
        ("2026-01-02", "2026-01-02"), ("2026-04-08", "2026-04-08")]
    assert [r["forecast"][:10] for r in values(spec, 1)] == ["2026-03-01", "2026-03-11", "2026-04-08"]


def test_value_trend_finish_drift_and_rag_counts(values, render):
    eac = pd.DataFrame({"status_date": DAYS, "series": "EAC", "value": [100.0, 110.0, 125.0]})
    spec = value_trend(eac, title="EAC", currency="EUR", baseline=100.0).to_dict()
    assert values(spec, 1) == [{"value": 100.0, "label": "Budget (BAC)"}]
    drift = pd.DataFrame({"status_date": DAYS, "planned_finish": pd.Timestamp("2026-06-30"),
                          "forecast_finish": pd.to_datetime(["2026-06-30", "2026-07-10", None])})
    assert len(values(finish_drift(drift).to_dict())) == 5  # three planned, two forecast (one undefined)
    counts = pd.DataFrame({"status_date": DAYS[:2], "red": [1, 2], "amber": [0, 1], "green": [3, 1], "grey": 0})
    rows = values(rag_counts_trend(counts).to_dict())
    assert sorted((r["rag"], r["projects"]) for r in rows) == [("amber", 1), ("green", 1), ("green", 3),
                                                                ("red", 1), ("red", 2)]
    render(rag_counts_trend(counts))


def test_empty_inputs_say_no_data():
    empty = pd.DataFrame()
    for chart in (index_trend(empty), rag_history(empty), milestone_trend(empty), value_trend(empty, title="x"),
                  finish_drift(empty), rag_counts_trend(empty)):
        assert chart.to_dict()["mark"]["type"] == "text"
