"""Money against plan per program or project, and how many projects are red, amber, green."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    MONEY_FORMAT,
    WIDTH,
    chart_title,
    is_empty,
    legend,
    money_axis,
    money_title,
    no_data,
    rag_scale,
)
from pmo_lib.rag import RAG_NAMES, WORST_FIRST, normalize_rag

MEASURES = {
    "budget": "Approved budget",
    "bac": "Budget at completion (BAC)",
    "eac": "Forecast at completion (EAC)",
    "ac": "Actual cost to date (AC)",
}
"""The money columns :func:`budget_vs_eac` draws (those present), in this order."""
_COLOURS = {"budget": "#424a53", "bac": "#0072b2", "eac": "#e69f00", "ac": "#cc79a7"}


def budget_vs_eac(
    frame: pd.DataFrame,
    *,
    by: str = "program",
    currency: str = "EUR",
    title: str = "Budget, forecast and actual cost",
    width: int = WIDTH,
) -> alt.Chart:
    """Grouped horizontal bars of approved budget, BAC, EAC and AC per program or project.

    Parameters
    ----------
    frame : DataFrame
        One row per bar group, with any of the columns ``budget``, ``bac``,
        ``eac``, ``ac`` (missing columns are not drawn; a missing value
        draws no bar). ``PortfolioAnalysis.programs`` (indexed by
        ``program``, no ``budget``) or a per-project frame such as
        ``PortfolioAnalysis.budget``.
    by : str, default "program"
        The column, or the index name, holding the group labels
        (``"project_id"`` for a per-project frame).
    currency : str, default "EUR"
    title : str
    width : int
        The height grows with the number of groups.

    Returns
    -------
    alt.Chart
        A "No data" chart when ``frame`` has no rows or none of the columns.

    Raises
    ------
    ValueError
        If ``by`` is neither a column nor the index name, or repeats a value.

    Examples
    --------
    >>> programs = pd.DataFrame({"bac": [100.0, 200.0], "eac": [110.0, 190.0], "ac": [50.0, 80.0]},
    ...                         index=pd.Index(["Grid", "Digital"], name="program"))
    >>> spec = budget_vs_eac(programs).to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["yOffset"]["field"]
    ('bar', 'measure')
    """
    measures = [m for m in MEASURES if frame is not None and m in frame.columns]
    if is_empty(frame) or not measures:
        return no_data(title, width=width)
    if by in frame.columns:
        labels = frame[by]
    elif by in (frame.index.names or []):
        labels = pd.Series(frame.index.get_level_values(by), index=frame.index)
    else:
        raise ValueError(f"budget_vs_eac: {by!r} is neither a column nor the index of the frame")
    labels = labels.astype("object").where(labels.notna(), "(none)").astype(str)
    if labels.duplicated().any():
        repeated = sorted(set(labels[labels.duplicated()]))[:3]
        raise ValueError(f"budget_vs_eac: {by!r} repeats {repeated}; pass one row per {by} "
                         "(PortfolioAnalysis.programs for programs)")
    wide = pd.DataFrame({m: pd.to_numeric(frame[m], errors="coerce").to_numpy() for m in measures})
    wide.insert(0, "group", labels.to_numpy())
    wide.insert(1, "group_order", range(len(wide)))
    long = wide.melt(id_vars=["group", "group_order"], var_name="code", value_name="amount").dropna(subset=["amount"])
    long["measure"] = long["code"].map(MEASURES)
    long["order"] = long["code"].map({m: i for i, m in enumerate(measures)})
    if long.empty:
        return no_data(title, width=width)

    names = [MEASURES[m] for m in measures]
    group_title = by.replace("_id", "").replace("_", " ").capitalize()
    return (
        alt.Chart(long, title=chart_title(title))
        .mark_bar(height={"band": 1})
        .encode(
            # Sorted by a number: a sort list of names would put data text into a Vega expression.
            y=alt.Y("group:N", title=None, sort=alt.EncodingSortField("group_order", op="min"),
                    scale=alt.Scale(paddingInner=0.3)),
            yOffset=alt.YOffset("measure:N", scale=alt.Scale(domain=names)),
            x=alt.X("amount:Q", title=money_title("Amount", currency), axis=money_axis(currency)),
            color=alt.Color("measure:N", title=None,
                            scale=alt.Scale(domain=names, range=[_COLOURS[m] for m in measures]),
                            legend=legend(title=None)),
            tooltip=[alt.Tooltip("group:N", title=group_title), alt.Tooltip("measure:N", title="Measure"),
                     alt.Tooltip("amount:Q", title=money_title("Amount", currency), format=MONEY_FORMAT)],
        )
        .properties(width=width, height=alt.Step(11 if len(labels) <= 8 else 7))
    )


def rag_distribution(
    metrics: pd.DataFrame,
    *,
    column: str = "overall_rag",
    title: str | None = None,
    width: int = 560,
) -> alt.LayerChart | alt.Chart:
    """Bars counting the projects per RAG value, red first, each labelled with its count.

    Parameters
    ----------
    metrics : DataFrame
        One row per project with a RAG column (``PortfolioAnalysis.metrics``);
        anything but green, amber and red counts as grey.
    column : str, default "overall_rag"
    title : str, optional
        Default "Projects by overall RAG" (from ``column``).
    width : int

    Returns
    -------
    alt.LayerChart
        Bars and count labels, all four RAG values shown (0 where none);
        a "No data" chart for no rows.

    Examples
    --------
    >>> metrics = pd.DataFrame({"overall_rag": ["red", "green", "red", None]})
    >>> chart = rag_distribution(metrics)
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"]]
    ['bar', 'text']
    """
    title = title or f"Projects by {column.replace('_', ' ').replace('rag', 'RAG')}"
    if is_empty(metrics, [column]):
        return no_data(title, width=width)
    counts = metrics[column].map(normalize_rag).value_counts().reindex(list(WORST_FIRST), fill_value=0)
    frame = pd.DataFrame({"rag": list(WORST_FIRST), "label": [RAG_NAMES[k] for k in WORST_FIRST],
                          "count": counts.to_numpy().astype(int)})
    labels = list(frame["label"])
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", title=None, sort=labels),
        x=alt.X("count:Q", title="Projects", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip("label:N", title="RAG"), alt.Tooltip("count:Q", title="Projects")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("rag:N", scale=rag_scale(WORST_FIRST), legend=None))
    text = base.mark_text(align="left", dx=4, fontWeight=600).encode(text=alt.Text("count:Q"))
    return alt.layer(bars, text, title=chart_title(title), width=width, height=alt.Step(30))
