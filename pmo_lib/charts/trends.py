"""Trend charts over the stored periods (docs/history.md): indices, RAG history, milestone trend analysis, drift.

Every builder takes long frames with a ``status_date`` column (one row per
period, as :class:`pmo_lib.history.series.TrendHistory` holds them) and returns
an Altair chart; an empty input gives the "No data" chart.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"status_date": pd.to_datetime(["2026-01-02", "2026-01-09"] * 2),
...                       "index": ["SPI", "SPI", "CPI", "CPI"], "value": [1.0, 0.9, 1.0, 1.02]})
>>> chart = index_trend(frame, green=0.95, amber=0.85)
>>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"]]
['rect', 'line']
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    DATE_FORMAT,
    HEIGHT,
    MONEY_FORMAT,
    WIDTH,
    category_scale,
    chart_title,
    is_empty,
    legend,
    money_axis,
    money_title,
    no_data,
    rag_scale,
)
from pmo_lib.charts._theme import PALETTE
from pmo_lib.rag import RAG_COLOURS, RAG_LEVELS, normalize_rag

_DAY_AXIS = alt.Axis(format="%d %b %y", labelAngle=0, labelOverlap=True, labelSeparation=12)


def _period_x(title: str | None = None) -> alt.X:
    # no axis title: the dates speak for themselves and the chart's title says "over time"
    return alt.X("status_date:T", title=title, axis=_DAY_AXIS)


def _values_per_period(frame: pd.DataFrame, label: str) -> pd.DataFrame | None:
    """``status_date, <label>, value`` with dates parsed and rows without a number dropped; None when empty."""
    if is_empty(frame, ("status_date", label, "value")):
        return None
    data = frame.assign(status_date=pd.to_datetime(frame["status_date"]),
                        value=pd.to_numeric(frame["value"], errors="coerce")).dropna(subset=["value"])
    return None if data.empty else data


def index_trend(frame: pd.DataFrame, *, green: float = 0.95, amber: float = 0.85,
                title: str = "Performance indices over time", width: int = WIDTH, height: int = HEIGHT):
    """SPI, CPI and SPI(t) per period as lines, over the green/amber/red threshold bands.

    Parameters
    ----------
    frame : DataFrame
        ``status_date, index, value`` (``index`` names the line: ``SPI``, ``CPI``, ``SPI(t)``).
    green, amber : float
        The run's thresholds: the bands are ``>= green``, ``>= amber`` and below.
    """
    data = _values_per_period(frame, "index")
    if data is None:
        return no_data(title, width=width)
    low = min(float(data["value"].min()), amber) - 0.05
    high = max(float(data["value"].max()), green) + 0.05
    bands = pd.DataFrame({"from": [low, amber, green], "to": [amber, green, high], "rag": ["red", "amber", "green"]})
    y_scale = alt.Scale(domain=[low, high], nice=False, zero=False)
    band = alt.Chart(bands).mark_rect(opacity=0.12).encode(
        y=alt.Y("from:Q", scale=y_scale, title="Index (1.00 = on plan)"), y2=alt.Y2("to:Q"),
        color=alt.Color("rag:N", scale=rag_scale(["green", "amber", "red"]), legend=None))
    names = list(dict.fromkeys(data["index"]))
    lines = alt.Chart(data).mark_line(point=True, strokeWidth=2).encode(
        x=_period_x(), y=alt.Y("value:Q", scale=y_scale),
        color=alt.Color("index:N", scale=category_scale(names), legend=legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("index:N", title="Index"), alt.Tooltip("status_date:T", title="Report date",
                                                                    format=DATE_FORMAT),
                 alt.Tooltip("value:Q", title="Value", format=".2f")])
    return alt.layer(band, lines, title=chart_title(title), width=width, height=height,
                     resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))


def rag_history(frame: pd.DataFrame, *, title: str = "RAG history", width: int = WIDTH):
    """One row of coloured cells per dimension, one column per period (the manager's RAG included).

    Parameters
    ----------
    frame : DataFrame
        ``status_date, dimension, rag``; the rows keep the order of first appearance.
    """
    if is_empty(frame, ("status_date", "dimension", "rag")):
        return no_data(title, width=width)
    data = frame.assign(status_date=pd.to_datetime(frame["status_date"]),
                        rag=frame["rag"].map(normalize_rag))
    data = data.assign(word=data["rag"].str.upper())
    dimensions = list(dict.fromkeys(data["dimension"]))
    # rows in order of first appearance through a number: a sort list would put data text into an expression
    data = data.assign(row=data["dimension"].map({d: i for i, d in enumerate(dimensions)}))
    return alt.Chart(data, title=chart_title(title)).mark_rect(stroke="white", strokeWidth=2).encode(
        x=alt.X("yearmonthdate(status_date):O", title=None,
                axis=alt.Axis(format="%d %b %y", labelAngle=0, labelOverlap=True)),
        y=alt.Y("dimension:N", sort=alt.EncodingSortField("row", op="min"), title=None),
        color=alt.Color("rag:N", scale=rag_scale(RAG_LEVELS), legend=legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("dimension:N", title="Dimension"),
                 alt.Tooltip("status_date:T", title="Report date", format=DATE_FORMAT),
                 alt.Tooltip("word:N", title="RAG")],
    ).properties(width=width, height=max(20 * len(dimensions), 40))


def milestone_trend(frame: pd.DataFrame, *, title: str = "Milestone trend analysis", width: int = WIDTH,
                    height: int = HEIGHT + 60, legend_orient: str = "right"):
    """Milestone trend analysis: each milestone's forecast (or actual) date against the report date.

    A flat line is a milestone holding its date; a rising line one slipping.
    The diagonal is "forecast = report date": a line meets it when the
    milestone is reached.

    Parameters
    ----------
    frame : DataFrame
        ``status_date, milestone, forecast`` (forecast or actual finish per report).
    legend_orient : str
        ``"right"`` (the plot is 160 px narrower than ``width``) or ``"bottom"`` for a small multiple.
    """
    if is_empty(frame, ("status_date", "milestone", "forecast")):
        return no_data(title, width=width)
    data = frame.assign(status_date=pd.to_datetime(frame["status_date"]),
                        forecast=pd.to_datetime(frame["forecast"])).dropna(subset=["forecast"])
    if data.empty:
        return no_data(title, width=width)
    low = min(data["status_date"].min(), data["forecast"].min())
    high = max(data["status_date"].max(), data["forecast"].max())
    diagonal = pd.DataFrame({"status_date": [low, high], "forecast": [low, high]})
    x_scale = alt.Scale(domain=[low.isoformat(), data["status_date"].max().isoformat()])
    y_scale = alt.Scale(domain=[low.isoformat(), high.isoformat()])
    names = list(dict.fromkeys(data["milestone"]))
    diag = alt.Chart(diagonal).mark_line(color="#8c959f", strokeDash=[4, 3], clip=True).encode(
        x=alt.X("status_date:T", scale=x_scale), y=alt.Y("forecast:T", scale=y_scale))
    lines = alt.Chart(data).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("status_date:T", title=None, scale=x_scale, axis=_DAY_AXIS),
        y=alt.Y("forecast:T", title="Forecast date", scale=y_scale, axis=alt.Axis(format="%b %Y")),
        color=alt.Color("milestone:N", scale=category_scale(names),
                        legend=legend(title=None, orient=legend_orient,
                                      **({"columns": 2} if legend_orient == "bottom" else {}))),
        tooltip=[alt.Tooltip("milestone:N", title="Milestone"),
                 alt.Tooltip("status_date:T", title="Report date", format=DATE_FORMAT),
                 alt.Tooltip("forecast:T", title="Forecast", format=DATE_FORMAT)])
    return alt.layer(diag, lines, title=chart_title(title, "Flat: on its date · rising: slipping · "
                                                           "dashed diagonal: reached"),
                     width=width - 160 if legend_orient == "right" else width, height=height)


def value_trend(frame: pd.DataFrame, *, title: str, currency: str | None = None, y_title: str = "Value",
                baseline: float | None = None, width: int = WIDTH, height: int = HEIGHT - 60):
    """One or more money series per period (EAC drift, risk exposure), with an optional baseline rule.

    Parameters
    ----------
    frame : DataFrame
        ``status_date, series, value``.
    baseline : float, optional
        A horizontal rule (the budget at completion).
    """
    data = _values_per_period(frame, "series")
    if data is None:
        return no_data(title, width=width)
    names = list(dict.fromkeys(data["series"]))
    y = alt.Y("value:Q", title=money_title(y_title, currency), axis=money_axis(currency),
              scale=alt.Scale(zero=False))
    layers = [alt.Chart(data).mark_line(point=True, strokeWidth=2).encode(
        x=_period_x(), y=y,
        color=alt.Color("series:N", scale=category_scale(names), legend=legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("status_date:T", title="Report date", format=DATE_FORMAT),
                 alt.Tooltip("value:Q", title=money_title("Value", currency), format=MONEY_FORMAT)])]
    if baseline is not None and pd.notna(baseline):
        layers.append(alt.Chart(pd.DataFrame({"value": [float(baseline)], "label": ["Budget (BAC)"]}))
                      .mark_rule(color=PALETTE[0], strokeDash=[6, 4]).encode(
                          y=alt.Y("value:Q"), tooltip=[alt.Tooltip("label:N", title="Line"),
                                                alt.Tooltip("value:Q", title="Value", format=MONEY_FORMAT)]))
    return alt.layer(*layers, title=chart_title(title), width=width, height=height)


def finish_drift(frame: pd.DataFrame, *, title: str = "Forecast finish over time", width: int = WIDTH,
                 height: int = HEIGHT - 60):
    """The forecast finish date per period, with the planned finish as a dashed line.

    Parameters
    ----------
    frame : DataFrame
        ``status_date, forecast_finish, planned_finish``.
    """
    if is_empty(frame, ("status_date", "forecast_finish", "planned_finish")):
        return no_data(title, width=width)
    long = frame[["status_date", "planned_finish", "forecast_finish"]].melt(
        id_vars="status_date", var_name="series", value_name="date")
    long = long.assign(status_date=pd.to_datetime(long["status_date"]), date=pd.to_datetime(long["date"]),
                       series=long["series"].map({"planned_finish": "Planned finish",
                                                  "forecast_finish": "Forecast finish"})).dropna(subset=["date"])
    if long.empty:
        return no_data(title, width=width)
    return alt.Chart(long, title=chart_title(title)).mark_line(point=True, strokeWidth=2).encode(
        x=_period_x(), y=alt.Y("date:T", title="Finish date", scale=alt.Scale(zero=False),
                               axis=alt.Axis(format="%b %Y")),
        color=alt.Color("series:N", scale=category_scale(["Planned finish", "Forecast finish"]),
                        legend=legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=["Planned finish", "Forecast finish"],
                                                              range=[[6, 4], [1, 0]]), legend=None),
        tooltip=[alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("status_date:T", title="Report date", format=DATE_FORMAT),
                 alt.Tooltip("date:T", title="Finish", format=DATE_FORMAT)],
    ).properties(width=width, height=height)


def rag_counts_trend(frame: pd.DataFrame, *, title: str = "Projects by overall RAG over time", width: int = WIDTH,
                     height: int = HEIGHT - 60):
    """Stacked red/amber/green/grey project counts per period.

    Parameters
    ----------
    frame : DataFrame
        ``status_date, red, amber, green, grey`` (roll-up rows of one program or the portfolio).
    """
    if is_empty(frame, ("status_date", "red", "amber", "green", "grey")):
        return no_data(title, width=width)
    long = frame[["status_date", "red", "amber", "green", "grey"]].melt(
        id_vars="status_date", var_name="rag", value_name="projects")
    long = long.assign(status_date=pd.to_datetime(long["status_date"]), order=long["rag"].map(
        {"red": 0, "amber": 1, "green": 2, "grey": 3}), word=long["rag"].str.upper())
    long = long[long["projects"] > 0]
    levels = ["red", "amber", "green", "grey"]
    return alt.Chart(long, title=chart_title(title)).mark_bar().encode(
        x=alt.X("yearmonthdate(status_date):O", title=None,
                axis=alt.Axis(format="%d %b %y", labelAngle=0, labelOverlap=True)),
        y=alt.Y("projects:Q", title="Projects", stack="zero"),
        color=alt.Color("rag:N", scale=alt.Scale(domain=levels, range=[RAG_COLOURS[k] for k in levels]),
                        legend=legend(title=None, orient="top")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("status_date:T", title="Report date", format=DATE_FORMAT),
                 alt.Tooltip("word:N", title="RAG"), alt.Tooltip("projects:Q", title="Projects")],
    ).properties(width=width, height=height)
