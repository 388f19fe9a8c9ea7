"""The demand pipeline: project requests by score, best first, with their estimated cost."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    MONEY_FORMAT,
    MUTED,
    WIDTH,
    chart_title,
    is_empty,
    legend,
    money_title,
    no_data,
    unique_labels,
)
from pmo_lib.charts._theme import PALETTE
from pmo_lib.formatting import format_money

STATUS_COLOURS = {"approved": PALETTE[2], "submitted": PALETTE[0], "deferred": PALETTE[1],
                  "rejected": "#8c959f"}
"""Bar colour of each demand status (``schema.DEMAND_STATUSES``)."""


def demand_pipeline(
    demand_ranked: pd.DataFrame,
    *,
    currency: str = "EUR",
    label: str = "title",
    title: str = "Demand pipeline by score",
    width: int = WIDTH - 120,
) -> alt.LayerChart | alt.Chart:
    """Horizontal bars of each request's score (0-100), rank 1 on top, coloured by status.

    Parameters
    ----------
    demand_ranked : DataFrame
        ``request_id, score, rank, status, estimated_cost`` and the
        ``label`` column (``PortfolioAnalysis.demand_ranked``); ``fits`` goes
        in the tooltip when present.
    currency : str, default "EUR"
        For the cost written at the end of each bar.
    label : str, default "title"
        The column naming a request (repeated names get their request id).
    title : str
    width : int
        The height grows with the number of requests.

    Returns
    -------
    alt.LayerChart
        Bars and cost labels; a "No data" chart for no requests.

    Examples
    --------
    >>> ranked = pd.DataFrame({"request_id": ["D1", "D2"], "title": ["CRM", "Wiki"],
    ...     "status": ["approved", "submitted"], "score": [90.0, 50.0], "rank": [1, 2],
    ...     "estimated_cost": [1_344_000.0, 85_000.0]})
    >>> spec = demand_pipeline(ranked).to_dict()
    >>> [c["cost_text"] for c in list(spec["datasets"].values())[0]]
    ['€1.34M', '€85k']
    """
    needed = ("request_id", "score", "rank", "status", "estimated_cost", label)
    if is_empty(demand_ranked, needed):
        return no_data(title, width=width)
    cost = pd.to_numeric(demand_ranked["estimated_cost"], errors="coerce")
    frame = pd.DataFrame({
        "request_id": demand_ranked["request_id"].astype(str).to_numpy(),
        "row": unique_labels(demand_ranked[label], demand_ranked["request_id"]).to_numpy(),
        "status": demand_ranked["status"].astype("object").fillna("unknown").astype(str).to_numpy(),
        "score": pd.to_numeric(demand_ranked["score"], errors="coerce").to_numpy(),
        "rank": pd.to_numeric(demand_ranked["rank"], errors="coerce").to_numpy(),
        "cost": cost.to_numpy(),
        "cost_text": [format_money(v, currency) for v in cost],
    })
    if "fits" in demand_ranked.columns:
        frame["fits"] = demand_ranked["fits"].map({True: "yes", False: "no"}).fillna("").to_numpy()
    frame = frame.sort_values(["rank", "request_id"]).assign(order=range(len(frame)))
    statuses = [s for s in STATUS_COLOURS if s in set(frame["status"])] + sorted(
        set(frame["status"]) - set(STATUS_COLOURS))

    tooltip = [alt.Tooltip("rank:Q", title="Rank"), alt.Tooltip("request_id:N", title="Request"),
               alt.Tooltip("row:N", title="Title"), alt.Tooltip("status:N", title="Status"),
               alt.Tooltip("score:Q", title="Score", format=".1f"),
               alt.Tooltip("cost:Q", title=money_title("Estimated cost", currency), format=MONEY_FORMAT)]
    if "fits" in frame.columns:
        tooltip.append(alt.Tooltip("fits:N", title="Fits the budget"))
    base = alt.Chart(frame).encode(
        y=alt.Y("row:N", title=None, sort=alt.EncodingSortField("order", op="min"),
                axis=alt.Axis(labelLimit=300)),
        x=alt.X("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100], nice=False),
                  axis=alt.Axis(values=list(range(0, 101, 10)))),
        tooltip=tooltip,
    )
    bars = base.mark_bar().encode(
        color=alt.Color("status:N", title="Status", legend=legend(),
                        scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS.get(s, MUTED) for s in statuses])))
    costs = base.mark_text(align="left", dx=4, fontSize=10, color=MUTED).encode(text=alt.Text("cost_text:N"))
    subtitle = "Bars: score, best first; at the end of each bar its estimated cost"
    return alt.layer(bars, costs, title=chart_title(title, subtitle), width=width, height=alt.Step(22))
