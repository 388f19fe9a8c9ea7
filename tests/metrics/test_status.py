"""RAG from indices, overall RAG, and watermelon projects (spec 2, "Status (RAG)")."""

import numpy as np
import pandas as pd
import pytest

from pmo_lib.metrics.status import RagThresholds, project_stage, project_status, rag_from_index, watermelon
from pmo_lib.rag import worst_rag

NAN = float("nan")


def test_rag_from_index_boundaries_are_inclusive():
    values = pd.Series([1.3, 0.95, 0.9499, 0.85, 0.8499, 0.0, NAN], index=list("abcdefg"))
    rag = rag_from_index(values)
    assert rag.tolist() == ["green", "green", "amber", "amber", "red", "red", "grey"]
    assert list(rag.index) == list("abcdefg")
    assert rag_from_index([1.0, 0.9], green=1.0, amber=0.95).tolist() == ["green", "red"]


def test_thresholds_defaults_and_checks():
    assert RagThresholds() == RagThresholds(spi_green=0.95, spi_amber=0.85, cpi_green=0.95, cpi_amber=0.85)
    with pytest.raises(ValueError, match="cpi thresholds"):
        RagThresholds(cpi_green=0.8, cpi_amber=0.9)


def test_project_status_from_spi_and_cpi_with_thresholds():
    evm = pd.DataFrame({"spi": [0.97, 0.9, NAN, NAN], "cpi": [0.9, 1.2, 0.5, NAN]}, index=["A", "B", "C", "D"])
    out = project_status(evm)
    assert out.columns.tolist() == ["schedule_rag", "cost_rag", "overall_rag"]
    assert out["schedule_rag"].tolist() == ["green", "amber", "grey", "grey"]
    assert out["cost_rag"].tolist() == ["amber", "green", "red", "grey"]
    # Worst of the two; grey ignored unless all are grey (D).
    assert out["overall_rag"].tolist() == ["amber", "amber", "red", "grey"]
    strict = project_status(evm, thresholds=RagThresholds(spi_green=0.98, spi_amber=0.95))
    assert strict["schedule_rag"].tolist() == ["amber", "red", "grey", "grey"]


def test_overall_rag_takes_extra_dimensions():
    evm = pd.DataFrame({"spi": [1.0, 1.0, NAN, 1.0], "cpi": [1.0, 1.0, NAN, 0.9]}, index=["A", "B", "C", "D"])
    extra = pd.DataFrame(
        {
            "risk_rag": pd.Categorical(["red", "green", "amber", None]),
            "issue_rag": ["grey", "", "green", "Green"],
            "issue_count": [9, 9, 9, 9],  # not a *_rag column: ignored
        },
        index=["A", "B", "C", "E"],  # D is missing: grey in these dimensions
    )
    out = project_status(evm, extra=extra)
    assert out["overall_rag"].tolist() == ["red", "green", "amber", "amber"]


def test_worst_rag_order():
    frame = pd.DataFrame({"a": ["red", "amber", "green", "grey"], "b": ["green", "red", "grey", np.nan]})
    assert worst_rag(frame).tolist() == ["red", "red", "green", "grey"]


UPDATES = pd.DataFrame(
    {
        "project_id": ["A", "A", "A", "B", "B", "C", "D", "E"],
        "status_date": pd.to_datetime(
            [
                "2026-01-02",
                "2026-01-09",
                "2026-01-16",  # after the status date: not yet written
                "2026-01-02",
                "2026-01-09",  # no RAG given: the earlier 'amber' stands
                "2026-01-09",
                "2026-01-09",
                "2026-01-09",
            ]
        ),
        "summary": ["s"] * 8,
        "manager_rag": pd.Categorical(
            ["red", "green", "red", "amber", None, "green", "green", "red"], categories=["green", "amber", "red"]
        ),
    }
)


def test_watermelon_compares_latest_manager_rag():
    computed = pd.Series(["red", "red", "grey", "green", "amber", "amber"], index=list("ABCDEF"))
    out = watermelon(UPDATES, computed, status_date="2026-01-09")
    assert out["manager_rag"].tolist()[:5] == ["green", "amber", "green", "green", "red"]
    assert pd.isna(out.loc["F", "manager_rag"])
    assert out.loc["B", "manager_rag_date"] == pd.Timestamp("2026-01-02")
    # A: green said, red computed -> watermelon. B: amber vs red -> watermelon.
    # C: computed grey -> never. D: same colour -> no. E: manager more pessimistic -> no. F: no update.
    assert out["watermelon"].tolist() == [True, True, False, False, False, False]
    assert out["watermelon"].dtype == bool
    # A week earlier, A's manager said red: no longer a watermelon.
    earlier = watermelon(UPDATES, computed, status_date="2026-01-02")
    assert earlier.loc["A", ["manager_rag", "watermelon"]].tolist() == ["red", False]





def test_project_stage_from_status_and_plan():
    metrics = pd.DataFrame({"status": ["active", "active", "closed", "on_hold", "cancelled", "active"],
                            "planned_start": pd.to_datetime(["2026-12-21", "2026-11-20", "2025-01-01",
                                                             "2026-01-01", "2026-01-01", "2026-12-01"]),
                            "ev": [0.0, 0.0, 5.0, 1.0, 0.0, 10.0]})
    assert project_stage(metrics, status_date="2026-11-20").tolist() == [
        "not_started", "active", "closed", "on_hold", "cancelled", "active"]
