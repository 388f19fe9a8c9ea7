"""The 5x5 risk heat map: open risks counted by probability and impact, banded by score."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import chart_title, is_empty, no_data
from pmo_lib.parameters import HeatMapBands
from pmo_lib.rag import RAG_BADGE_COLOURS, RAG_COLOURS

SCALE = range(1, 6)
BANDS = HeatMapBands()
"""Default score (probability x impact) from which a cell is red or amber (run parameter
``rag_rules.heat_map``); below amber it is green."""
_TEXT_ON_STRONG = {"green": "#ffffff", "amber": "#1f2328", "red": "#ffffff"}


def score_band(score: int, bands: HeatMapBands = BANDS) -> str:
    """The RAG band of a probability x impact score.

    Examples
    --------
    >>> [score_band(s) for s in (7, 8, 14, 15, 25)]
    ['green', 'amber', 'amber', 'red', 'red']
    >>> score_band(12, HeatMapBands(red=12, amber=6))
    'red'
    """
    return "red" if score >= bands.red else "amber" if score >= bands.amber else "green"


def risk_heat_map(
    heat: pd.DataFrame,
    *,
    title: str = "Open risks by probability and impact",
    width: int = 360,
    height: int = 300,
    bands: HeatMapBands = BANDS,
) -> alt.LayerChart | alt.Chart:
    """A 5x5 grid of risk counts, impact across, probability up, cells coloured by score band.

    By default a cell is red when probability x impact is 15 or more, amber
    from 8 to 14, green below 8 (``bands``, the run parameter
    ``rag_rules.heat_map``); empty cells are a light tint of their band.

    Parameters
    ----------
    heat : DataFrame
        ``probability, impact, count`` (``pmo_lib.metrics.risk.heat_map``);
        with a ``project_id`` column the counts are summed over projects.
        Cells absent from the frame count 0.
    title : str
    width, height : int
    bands : HeatMapBands

    Returns
    -------
    alt.LayerChart
        25 rects and 25 count labels; a "No data" chart for no rows.

    Examples
    --------
    >>> heat = pd.DataFrame({"probability": [4, 1], "impact": [5, 1], "count": [2, 1]})
    >>> spec = risk_heat_map(heat).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rect', 'text']
    >>> cells = list(spec["datasets"].values())[0]
    >>> len(cells), [c["count"] for c in cells if c["probability"] == 4 and c["impact"] == 5]
    (25, [2])
    """
    if is_empty(heat, ("probability", "impact", "count")):
        return no_data(title, width=width)
    counts = (
        heat.assign(probability=pd.to_numeric(heat["probability"], errors="coerce"),
                    impact=pd.to_numeric(heat["impact"], errors="coerce"),
                    count=pd.to_numeric(heat["count"], errors="coerce").fillna(0))
        .dropna(subset=["probability", "impact"])
        .astype({"probability": "int64", "impact": "int64"})
        .groupby(["probability", "impact"])["count"].sum()
    )
    cells = pd.MultiIndex.from_product([SCALE, SCALE], names=["probability", "impact"])
    grid = counts.reindex(cells, fill_value=0).astype("int64").rename("count").reset_index()
    grid["score"] = grid["probability"] * grid["impact"]
    grid["band"] = grid["score"].map(lambda score: score_band(score, bands))
    empty = grid["count"].eq(0)
    grid["fill"] = [RAG_BADGE_COLOURS[b][0] if e else RAG_COLOURS[b] for b, e in zip(grid["band"], empty)]
    grid["ink"] = [RAG_BADGE_COLOURS[b][1] if e else _TEXT_ON_STRONG[b] for b, e in zip(grid["band"], empty)]

    base = alt.Chart(grid).encode(
        x=alt.X("impact:O", title="Impact (1 = very low, 5 = very high)", sort=list(SCALE),
                axis=alt.Axis(labelAngle=0, domain=False, ticks=False)),
        y=alt.Y("probability:O", title="Probability (5 = almost certain)", sort=list(SCALE)[::-1],
                axis=alt.Axis(domain=False, ticks=False)),
        tooltip=[alt.Tooltip("probability:O", title="Probability"), alt.Tooltip("impact:O", title="Impact"),
                 alt.Tooltip("score:Q", title="Score"), alt.Tooltip("count:Q", title="Open risks")],
    )
    rects = base.mark_rect(stroke="white", strokeWidth=2).encode(color=alt.Color("fill:N", scale=None))
    text = base.mark_text(fontSize=18, fontWeight="bold").encode(
        text=alt.Text("count:Q"), color=alt.Color("ink:N", scale=None),
        opacity=alt.OpacityValue(0.55, condition={"test": "datum.count > 0", "value": 1.0}))
    subtitle = (f"Score = probability × impact: red {bands.red} or more, amber {bands.amber}–{bands.red - 1}, "
                f"green below {bands.amber}")
    return alt.layer(rects, text, title=chart_title(title, subtitle), width=width, height=height)
