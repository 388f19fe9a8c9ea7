"""Why each RAG is what it is: the rule that fired and the number, as text.

Every dimension's colour comes with a reason ("cost red: CPI 0.74 < 0.85");
the overall colour's reason joins those of the dimensions at that colour.
Numbers are printed so that they never contradict the rule: an index or a
share gets more decimals where two would hide which side of its threshold it
is on ("CPI 0.8499 < 0.85", never "0.85 < 0.85").
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.metrics.status import INDEX_DECIMALS, as_decimal, rag_from_index  # noqa: F401  (doctests)

DIMENSION_NAMES = {"schedule_rag": "schedule", "cost_rag": "cost", "milestone_rag": "milestones",
                   "risk_rag": "risks", "issue_rag": "issues"}
"""The word each RAG column goes by in a reason ("cost red: CPI 0.74 < 0.85")."""


def format_index(value: float, threshold: float) -> str:
    """An index with two decimals, or more where two would hide which side of ``threshold`` it is on.

    Examples
    --------
    >>> format_index(0.7412, 0.85), format_index(0.8496, 0.85), format_index(0.85, 0.85)
    ('0.74', '0.8496', '0.85')
    """
    value, threshold = float(as_decimal(value)), float(as_decimal(threshold))
    for decimals in (2, 3, 4, 6, INDEX_DECIMALS):
        shown = round(value, decimals)
        if (shown >= threshold) == (value >= threshold):
            return f"{shown:.{decimals}f}".rstrip("0").rstrip(".") if decimals > 2 else f"{shown:.2f}"
    return repr(value)


def format_share(value: float, threshold: float) -> str:
    """A share as a whole percent, or with decimals where rounding would hide which side of ``threshold`` it is.

    Examples
    --------
    >>> format_share(0.197, 0.15), format_share(0.2963, 0.30), format_share(0.30, 0.30)
    ('20 %', '29.6 %', '30 %')
    """
    value, threshold = float(as_decimal(value)), float(as_decimal(threshold))
    for decimals in (0, 1, 2, 4):
        shown = round(value * 100, decimals)
        if (shown >= round(threshold * 100, 9)) == (value >= threshold):
            return f"{shown:.{decimals}f} %"
    return f"{value * 100} %"


def _plural(count, word: str, words: str | None = None) -> str:
    count = int(count)
    return f"{count} {word if count == 1 else (words or word + 's')}"


def index_reasons(values: pd.Series, rags: pd.Series, *, name: str, label: str,
                  green: float, amber: float) -> pd.Series:
    """Why an index-driven dimension has its colour: the rule that fired and the number.

    Examples
    --------
    >>> cpi = pd.Series([0.74, 0.85, 1.0, float("nan")])
    >>> index_reasons(cpi, rag_from_index(cpi), name="cost", label="CPI", green=0.95, amber=0.85).tolist()
    ['cost red: CPI 0.74 < 0.85', 'cost amber: CPI 0.85 < 0.95', 'cost green: CPI 1.00 ≥ 0.95', 'cost not rated: CPI n/a']
    """
    def one(value, rag):
        if rag == "red":
            return f"{name} red: {label} {format_index(value, amber)} < {amber:g}"
        if rag == "amber":
            return f"{name} amber: {label} {format_index(value, green)} < {green:g}"
        if rag == "green":
            return f"{name} green: {label} {format_index(value, green)} ≥ {green:g}"
        return f"{name} not rated: {label} n/a"

    return pd.Series([one(v, r) for v, r in zip(values, rags)], index=rags.index, dtype="str")


def milestone_reasons(frame: pd.DataFrame, *, red_days_overdue: int, red_on_time_share: float = 0.0,
                      amber_slip_days: int = 0) -> pd.Series:
    """Why each project's milestones have their colour (``milestone_rag`` output in, text out).

    Examples
    --------
    >>> frame = pd.DataFrame({"milestone_rag": ["red", "amber", "green", "grey"], "milestones": [3, 2, 1, 0],
    ...     "late": [1, 1, 1, 0], "late_beyond": [1, 1, 0, 0], "at_risk": [0, 1, 0, 0],
    ...     "max_days_overdue": [20, 3, None, None], "on_time_share": [1.0, 1.0, 1.0, None]})
    >>> milestone_reasons(frame, red_days_overdue=14, amber_slip_days=14).tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['milestones red: a milestone 20 days overdue (> 14)',
     'milestones amber: 1 late (overdue or more than 14 days past baseline), 1 at risk',
     'milestones green: 1 late within 14 days of baseline, none at risk', 'milestones not rated: no milestones']
    """
    def one(row):
        rag = row["milestone_rag"]
        if rag == "red":
            overdue = row["max_days_overdue"]
            if pd.notna(overdue) and overdue > red_days_overdue:
                return f"milestones red: a milestone {int(overdue)} days overdue (> {red_days_overdue})"
            return (f"milestones red: {row['on_time_share']:.0%} on time "
                    f"(< {red_on_time_share:.0%})").replace("%", " %")
        beyond = int(row.get("late_beyond", row["late"]))
        if rag == "amber":
            tolerance = f"more than {amber_slip_days} days past baseline" if amber_slip_days else "past baseline"
            parts = [f"{beyond} late (overdue or {tolerance})" if beyond else "",
                     f"{int(row['at_risk'])} at risk" if row["at_risk"] else ""]
            return "milestones amber: " + ", ".join(p for p in parts if p)
        if rag == "green":
            if row["late"]:
                return f"milestones green: {int(row['late'])} late within {amber_slip_days} days of baseline, none at risk"
            return "milestones green: none late or at risk"
        return "milestones not rated: no milestones"

    return pd.Series([one(r) for _, r in frame.iterrows()], index=frame.index, dtype="str")


def risk_reasons(frame: pd.DataFrame, *, red_score: int, red_overdue: int, amber_score: int) -> pd.Series:
    """Why each project's risks have their colour (``risk_rag`` output in, text out).

    Examples
    --------
    >>> frame = pd.DataFrame({"risk_rag": ["red", "red", "amber", "green", "grey"],
    ...     "max_score": [20, 12, 15, 6, None], "overdue": [0, 3, 0, 0, 0], "open": [2, 3, 1, 1, 0]})
    >>> risk_reasons(frame, red_score=20, red_overdue=2, amber_score=15).tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['risks red: an open risk scores 20 (≥ 20)', 'risks red: 3 risks past their mitigation date (> 2)',
     'risks amber: an open risk scores 15 (≥ 15)', 'risks green: top open risk scores 6 (< 15)',
     'risks not rated: no risk register entries']
    """
    def one(row):
        rag, top, overdue = row["risk_rag"], row["max_score"], int(row["overdue"])
        if rag == "red":
            if pd.notna(top) and top >= red_score:
                return f"risks red: an open risk scores {int(top)} (≥ {red_score})"
            return f"risks red: {_plural(overdue, 'risk')} past their mitigation date (> {red_overdue})"
        if rag == "amber":
            if pd.notna(top) and top >= amber_score:
                return f"risks amber: an open risk scores {int(top)} (≥ {amber_score})"
            return f"risks amber: {_plural(overdue, 'risk')} past the mitigation date"
        if rag == "green":
            if int(row["open"]) == 0:
                return "risks green: no open risks"
            return f"risks green: top open risk scores {int(top)} (< {amber_score})"
        return "risks not rated: no risk register entries"

    return pd.Series([one(r) for _, r in frame.iterrows()], index=frame.index, dtype="str")


def issue_reasons(frame: pd.DataFrame, *, red_overdue: int) -> pd.Series:
    """Why each project's issues have their colour (``issue_rag`` output in, text out).

    Examples
    --------
    >>> frame = pd.DataFrame({"issue_rag": ["red", "amber", "green", "grey"], "open_critical": [1, 0, 0, 0],
    ...     "overdue_high": [0, 0, 0, 0], "open_high": [0, 2, 0, 0], "overdue": [0, 0, 0, 0]})
    >>> issue_reasons(frame, red_overdue=2).tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['issues red: 1 critical issue open', 'issues amber: 2 high issues open',
     'issues green: no high or critical issue open, none overdue', 'issues not rated: no issues in the log']
    """
    def one(row):
        rag = row["issue_rag"]
        if rag == "red":
            if row["open_critical"] > 0:
                return f"issues red: {_plural(row['open_critical'], 'critical issue')} open"
            return f"issues red: {_plural(row['overdue_high'], 'high or critical issue')} overdue (> {red_overdue})"
        if rag == "amber":
            if row["open_high"] > 0:
                return f"issues amber: {_plural(row['open_high'], 'high issue')} open"
            return f"issues amber: {_plural(row['overdue'], 'issue')} overdue"
        if rag == "green":
            return "issues green: no high or critical issue open, none overdue"
        return "issues not rated: no issues in the log"

    return pd.Series([one(r) for _, r in frame.iterrows()], index=frame.index, dtype="str")


def overall_reasons(frame: pd.DataFrame) -> pd.Series:
    """The overall colour's reason: the reasons of every dimension rated that colour.

    ``frame`` holds ``overall_rag`` and, per dimension, ``<dim>_rag`` and
    ``<dim>_reason`` columns (those of :data:`DIMENSION_NAMES` present).

    Examples
    --------
    >>> frame = pd.DataFrame({"overall_rag": ["red", "green"], "schedule_rag": ["green", "green"],
    ...     "schedule_reason": ["schedule green: SPI 1.00 ≥ 0.95"] * 2, "cost_rag": ["red", "green"],
    ...     "cost_reason": ["cost red: CPI 0.74 < 0.85", "cost green: CPI 1.00 ≥ 0.95"]})
    >>> overall_reasons(frame).tolist()
    ['cost red: CPI 0.74 < 0.85', 'every rated dimension green']
    """
    columns = [c for c in DIMENSION_NAMES if c in frame and c.replace("_rag", "_reason") in frame]

    def one(row):
        level = row["overall_rag"]
        if level == "green":
            return "every rated dimension green"
        if level not in ("red", "amber"):
            return "not rated: no figure to judge by"
        return "; ".join(row[c.replace("_rag", "_reason")] for c in columns if row[c] == level)

    return pd.Series([one(r) for _, r in frame.iterrows()], index=frame.index, dtype="str")
