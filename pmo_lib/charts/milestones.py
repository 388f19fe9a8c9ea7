"""Milestones on a timeline: baseline against forecast or actual date, with the slip between."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    MUTED,
    WIDTH,
    chart_title,
    date_axis,
    date_format,
    is_empty,
    legend,
    no_data,
    status_rule,
    unique_labels,
)
from pmo_lib.charts._theme import PALETTE
from pmo_lib.formatting import format_days
from pmo_lib.rag import RAG_COLOURS

STATES = {"done": PALETTE[0], "on track": RAG_COLOURS["green"], "at risk": RAG_COLOURS["amber"],
          "late": RAG_COLOURS["red"]}
"""Colour of each milestone state of :func:`pmo_lib.metrics.schedule.milestones`."""


def milestone_timeline(
    milestones: pd.DataFrame,
    *,
    status_date,
    label: str = "name",
    title: str = "Milestones",
    width: int = WIDTH,
) -> alt.LayerChart | alt.Chart:
    """One row per milestone: baseline (hollow diamond), forecast or actual (dot), slip line.

    Parameters
    ----------
    milestones : DataFrame
        ``baseline_finish``, ``forecast_finish``, ``state`` and the ``label``
        column; ``actual_finish``, ``project_id``, ``task_id`` and
        ``slip_days`` are used when present (``PortfolioAnalysis.milestones``
        or ``upcoming_milestones(days)``, whole or one project's rows).
        Rows keep their order, top to bottom.
    status_date : date, Timestamp or ISO str
        Where the vertical rule goes (None: no rule).
    label : str, default "name"
        The column naming a milestone; with several projects a row reads
        ``"PRJ-008 · Go-live"``.
    title : str
    width : int
        The height grows with the number of milestones.

    Returns
    -------
    alt.LayerChart
        A "No data" chart when there are no milestones.

    Examples
    --------
    >>> ms = pd.DataFrame({"name": ["Design", "Go-live"], "state": ["done", "at risk"],
    ...     "baseline_finish": pd.to_datetime(["2026-03-01", "2026-06-01"]),
    ...     "forecast_finish": pd.to_datetime(["2026-03-01", "2026-06-20"]),
    ...     "actual_finish": pd.to_datetime(["2026-03-05", None])})
    >>> chart = milestone_timeline(ms, status_date="2026-04-01")
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"][:3]]
    ['rule', 'point', 'point']
    """
    if is_empty(milestones, ("baseline_finish", "forecast_finish", "state", label)):
        return no_data(title, width=width)
    baseline = pd.to_datetime(milestones["baseline_finish"])
    forecast = pd.to_datetime(milestones["forecast_finish"]).fillna(baseline)
    actual = (pd.to_datetime(milestones["actual_finish"]) if "actual_finish" in milestones.columns
              else pd.Series(pd.NaT, index=milestones.index))
    text = milestones[label].astype("object").where(milestones[label].notna(), "").astype(str)
    projects = milestones["project_id"].astype(str) if "project_id" in milestones.columns else None
    if projects is not None and projects.nunique() > 1:
        text = projects + " · " + text
    keys = milestones["task_id"].astype(str) if "task_id" in milestones.columns else pd.Series(
        range(1, len(milestones) + 1), index=milestones.index).astype(str)
    slip = (pd.to_numeric(milestones["slip_days"], errors="coerce") if "slip_days" in milestones.columns
            else ((actual.fillna(forecast) - baseline).dt.days))
    frame = pd.DataFrame({
        "row": unique_labels(text, keys).to_numpy(),
        "order": range(len(milestones)),
        "baseline": baseline.to_numpy(),
        "date": actual.fillna(forecast).to_numpy(),
        "actual": actual.to_numpy(),
        "forecast": forecast.to_numpy(),
        "state": milestones["state"].astype(str).to_numpy(),
        "slip": slip.to_numpy(dtype="float64", na_value=float("nan")),
        "slip_text": [format_days(v) if v == v and v != 0 else "" for v in slip.astype("float64")],
    })
    frame = frame[frame["baseline"].notna() | frame["date"].notna()]
    if frame.empty:
        return no_data(title, width=width)
    frame["last"] = frame[["baseline", "date"]].max(axis=1)

    states = list(STATES) + sorted(set(frame["state"]) - set(STATES))
    y = alt.Y("row:N", title=None, sort=alt.EncodingSortField("order", op="min"), axis=alt.Axis(labelLimit=320))
    x = alt.X("baseline:T", title="Date", axis=date_axis(), scale=alt.Scale(padding=16))
    tooltip = [alt.Tooltip("row:N", title="Milestone"), alt.Tooltip("state:N", title="State"),
               alt.Tooltip("baseline:T", title="Baseline", format=date_format()),
               alt.Tooltip("forecast:T", title="Forecast", format=date_format()),
               alt.Tooltip("actual:T", title="Actual", format=date_format()),
               alt.Tooltip("slip:Q", title="Slip (days)", format=",.0f")]
    base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
    slip_line = base.mark_rule(color="#8c959f", strokeWidth=2).encode(x=x, x2=alt.X2("date:T"))
    planned = base.mark_point(shape="diamond", filled=False, size=110, strokeWidth=1.8, color="#24292f",
                              opacity=1).encode(x=x)
    forecast_mark = base.mark_point(filled=True, size=100, opacity=1).encode(
        x=alt.X("date:T"),
        color=alt.Color("state:N", title="State", legend=legend(orient="right"),
                        scale=alt.Scale(domain=states, range=[STATES.get(s, MUTED) for s in states])))
    slip_label = base.mark_text(align="left", dx=10, fontSize=10, color=MUTED).encode(
        x=alt.X("last:T"), text=alt.Text("slip_text:N"))
    subtitle = "◇ baseline date, ● forecast or actual date, coloured by state; the line is the slip."
    layers = [slip_line, planned, forecast_mark, slip_label]
    if status_date is not None:
        layers.append(status_rule(status_date))
    return (
        alt.layer(*layers, title=chart_title(title, subtitle), width=width, height=alt.Step(24))
    )
