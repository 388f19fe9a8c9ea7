"""Reasons: the rule that fired and the number, per RAG dimension (issue 12)."""

import pandas as pd

from pmo_lib.metrics.reasons import (
    format_index,
    format_share,
    index_reasons,
    issue_reasons,
    milestone_reasons,
    overall_reasons,
    risk_reasons,
)
from pmo_lib.metrics.status import rag_from_index

NAN = float("nan")


def test_reasons_name_the_rule_and_the_number():
    cpi = pd.Series([0.74, 0.8499, 0.85, 0.97, NAN])
    rags = rag_from_index(cpi)
    assert index_reasons(cpi, rags, name="cost", label="CPI", green=0.95, amber=0.85).tolist() == [
        "cost red: CPI 0.74 < 0.85",
        "cost red: CPI 0.8499 < 0.85",  # two decimals would read "0.85 < 0.85": more are shown
        "cost amber: CPI 0.85 < 0.95",
        "cost green: CPI 0.97 ≥ 0.95",
        "cost not rated: CPI n/a",
    ]
    milestones = pd.DataFrame({"milestone_rag": ["red", "amber"], "milestones": [2, 2], "late": [1, 2],
                               "at_risk": [0, 0], "max_days_overdue": [30, 5], "on_time_share": [1.0, 1.0]})
    assert milestone_reasons(milestones, red_days_overdue=14).tolist() == [
        "milestones red: a milestone 30 days overdue (> 14)", "milestones amber: 2 late (overdue or past baseline)"]
    risks = pd.DataFrame({"risk_rag": ["amber"], "max_score": [8], "overdue": [1], "open": [2]})
    assert risk_reasons(risks, red_score=20, red_overdue=2, amber_score=15).tolist() == [
        "risks amber: 1 risk past the mitigation date"]
    issues = pd.DataFrame({"issue_rag": ["red"], "open_critical": [0], "overdue_high": [3], "open_high": [3],
                           "overdue": [3]})
    assert issue_reasons(issues, red_overdue=2).tolist() == ["issues red: 3 high or critical issues overdue (> 2)"]

def test_overall_reason_lists_every_dimension_at_the_overall_colour():
    frame = pd.DataFrame({"overall_rag": ["red", "amber", "grey"], "schedule_rag": ["red", "amber", "grey"],
                          "schedule_reason": ["schedule red: SPI 0.71 < 0.85", "schedule amber: SPI 0.9 < 0.95",
                                              "schedule not rated: SPI n/a"],
                          "risk_rag": ["red", "green", "grey"],
                          "risk_reason": ["risks red: an open risk scores 20 (≥ 20)", "risks green: no open risks",
                                          "risks not rated: no risk register entries"]})
    assert overall_reasons(frame).tolist() == [
        "schedule red: SPI 0.71 < 0.85; risks red: an open risk scores 20 (≥ 20)",
        "schedule amber: SPI 0.9 < 0.95", "not rated: no figure to judge by"]


def test_numbers_never_contradict_the_rule_they_are_printed_with():
    assert format_index(0.8499999999999999, 0.85) == "0.85"  # binary dust: the edge itself, amber
    assert format_index(0.9449, 0.95) == "0.94" and format_index(0.9496, 0.95) == "0.9496"
    assert format_share(0.1496, 0.15) == "14.96 %" and format_share(0.15, 0.15) == "15 %"
