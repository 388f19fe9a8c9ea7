"""The one RAG vocabulary: levels, severity, words, colours and the worst-first order.

Every page, chart, mail and metric that speaks of red, amber and green takes
it from here. ``grey`` means "no figure to judge by": it is the least severe
level and wins only when every dimension is grey.

Examples
--------
>>> normalize_rag(" Amber "), worst_of(["green", "grey", "amber"])
('amber', 'amber')
>>> WORST_FIRST
('red', 'amber', 'green', 'grey')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

RAG_LEVELS = ("green", "amber", "red", "grey")
"""The RAG values of the data contract, best first; ``grey`` means undefined."""

RAG_ORDER = ("grey", "green", "amber", "red")
"""Least to most severe."""

WORST_FIRST = tuple(reversed(RAG_ORDER[1:])) + ("grey",)
"""The order of lists and counts a reader scans: red, amber, green, then grey."""

SEVERITY = {rag: rank for rank, rag in enumerate(RAG_ORDER)}
"""Rank of each level, grey 0 to red 3."""

RAG_COLOURS = {
    "green": "#1a7f37",
    "amber": "#c77c02",
    "red": "#c62828",
    "grey": "#6e7781",
}
"""One strong colour per RAG value, for chart marks and tile borders.

Each has a contrast of at least 3:1 against white (the WCAG ratio for
graphics); text is never drawn in these colours on white, see
:data:`RAG_BADGE_COLOURS`.
"""

RAG_BADGE_COLOURS = {
    "green": ("#dafbe1", "#0f5323"),
    "amber": ("#fff1c2", "#6b4100"),
    "red": ("#ffe1e1", "#8c0e1c"),
    "grey": ("#eaeef2", "#3d444d"),
}
"""``(background, text)`` colours of a RAG pill; each pair has a contrast above 7:1."""

RAG_WORDS = {"green": "GREEN", "amber": "AMBER", "red": "RED", "grey": "N/A"}
"""The word a RAG pill carries, so that it reads without colour."""

RAG_NAMES = {"red": "Red", "amber": "Amber", "green": "Green", "grey": "Grey (not rated)"}
"""The level's name in running text and chart labels."""


def normalize_rag(value: Any) -> str:
    """Return ``green``, ``amber``, ``red`` or ``grey`` (missing or unknown).

    Examples
    --------
    >>> [normalize_rag(v) for v in ("RED", "Green ", None, "purple", float("nan"))]
    ['red', 'green', 'grey', 'grey', 'grey']
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return "grey"
    if isinstance(value, float) and math.isnan(value):
        return "grey"
    text = str(value).strip().lower()
    if text == "gray":
        return "grey"
    return text if text in RAG_LEVELS else "grey"


def compare_rag(current: Any, previous: Any) -> int:
    """Compare two RAG values: 1 if ``current`` is better, -1 if worse, else 0.

    ``grey`` compares equal to everything: an undefined status neither
    improves nor worsens.

    Examples
    --------
    >>> compare_rag("green", "amber"), compare_rag("red", "amber"), compare_rag("grey", "red")
    (1, -1, 0)
    """
    now, before = normalize_rag(current), normalize_rag(previous)
    if "grey" in (now, before):
        return 0
    return (SEVERITY[before] > SEVERITY[now]) - (SEVERITY[before] < SEVERITY[now])


def worst_of(rags: Iterable[Any]) -> str:
    """The worst of some RAG values; grey only when all are grey (or there are none).

    Examples
    --------
    >>> worst_of(["green", "grey", "amber"]), worst_of(["grey"]), worst_of([])
    ('amber', 'grey', 'grey')
    """
    return RAG_ORDER[max((SEVERITY[normalize_rag(r)] for r in rags), default=0)]


def worst_rag(frame: pd.DataFrame) -> pd.Series:
    """Row-wise worst RAG of the columns of ``frame``; grey only when all are grey.

    Anything that is not green, amber or red (NaN, ``""``) counts as grey.

    Examples
    --------
    >>> worst_rag(pd.DataFrame({"a": ["green", "grey", "grey"], "b": ["amber", "red", None]})).tolist()
    ['amber', 'red', 'grey']
    """
    ranks = np.zeros(len(frame), dtype="int64")
    for column in frame.columns:
        ranks = np.maximum(ranks, severity(frame[column]).to_numpy(dtype="int64"))
    return pd.Series(np.asarray(RAG_ORDER)[ranks], index=frame.index, dtype="str")


def severity(values: pd.Series) -> pd.Series:
    """Each value's severity rank (:data:`SEVERITY`); anything unknown is grey (0).

    Examples
    --------
    >>> severity(pd.Series(["RED", "green", None])).tolist()
    [3, 1, 0]
    """
    text = values.astype("str").str.strip().str.lower()
    return text.map(SEVERITY).fillna(0).astype("int64")


def sort_worst_first(frame: pd.DataFrame, column: str = "overall_rag",
                     then: Iterable[str] = ("program", "project_id")) -> pd.DataFrame:
    """Rows ordered red, amber, green, grey, then by ``then`` (the columns present).

    The one order of every project list: on pages, in the index and in mail.

    Examples
    --------
    >>> frame = pd.DataFrame({"project_id": ["P2", "P1", "P3", "P4"],
    ...                       "overall_rag": ["green", "red", "grey", "red"]})
    >>> sort_worst_first(frame)["project_id"].tolist()
    ['P1', 'P4', 'P2', 'P3']
    """
    if column not in frame:
        return frame
    rank = severity(frame[column])
    key = rank.where(rank > 0, -1)  # grey after green
    keys = [c for c in then if c in frame and c != column]
    order = frame.assign(_rag_rank=-key).sort_values(["_rag_rank", *keys], kind="stable")
    return order.drop(columns="_rag_rank")
