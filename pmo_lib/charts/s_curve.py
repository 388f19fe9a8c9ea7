"""The earned-value S-curve: cumulative planned value, actual cost, EV and the EAC forecast."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    DATE_FORMAT,
    HEIGHT,
    MONEY_FORMAT,
    WIDTH,
    chart_title,
    date_axis,
    is_empty,
    legend,
    money_axis,
    money_title,
    no_data,
    status_rule,
)
from pmo_lib.charts._theme import PALETTE

SERIES_NAMES = {
    "pv": "Planned value (PV)",
    "ev": "Earned value (EV)",
    "ac": "Actual cost (AC)",
    "eac_forecast": "Forecast (EAC)",
}
"""Legend name of each series code of :func:`pmo_lib.metrics.s_curve.s_curve`."""
_COLOURS = {"pv": PALETTE[0], "ev": PALETTE[2], "ac": PALETTE[3], "eac_forecast": PALETTE[1]}
# Cumulative curves rise from bottom left to top right: the legends go in the empty top left.
_LEGEND = {"orient": "top-left", "direction": "vertical", "fillColor": "rgba(255,255,255,0.85)", "padding": 4}
_DASHES = {"pv": [1, 0], "ev": [1, 0], "ac": [1, 0], "eac_forecast": [6, 4]}


def s_curve_chart(
    curve: pd.DataFrame,
    *,
    currency: str = "EUR",
    status_date=None,
    title: str = "Cost and earned value over time",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> alt.LayerChart | alt.Chart:
    """Chart PV, AC and the EAC forecast as lines and EV as a point, with the status date.

    Parameters
    ----------
    curve : DataFrame
        Long form ``date, series, value``; ``series`` is one of ``pv``, ``ev``,
        ``ac``, ``eac_forecast`` (other series are ignored). One project's
        slice of ``PortfolioAnalysis.s_curves`` (a ``project_id`` column
        holding one project is ignored) or ``PortfolioAnalysis.portfolio_s_curve``.
    currency : str, default "EUR"
        Written in the y axis title.
    status_date : date, Timestamp or ISO str, optional
        Where the vertical rule goes; by default the date of the EV point
        (EV is recorded at the status date only), no rule without one.
    title : str
    width, height : int

    Returns
    -------
    alt.LayerChart
        Lines, the EV point and the status-date rule; a "No data" chart
        when ``curve`` has no rows.

    Raises
    ------
    ValueError
        If ``curve`` holds several projects (pass one project's slice).

    Examples
    --------
    >>> curve = pd.DataFrame({"date": pd.to_datetime(["2026-01-02", "2026-01-16", "2026-01-09"]),
    ...                       "series": ["pv", "pv", "ev"], "value": [0.0, 700.0, 350.0]})
    >>> chart = s_curve_chart(curve)
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"][:2]]
    ['line', 'point']
    >>> s_curve_chart(curve.iloc[:0]).to_dict()["mark"]["type"]
    'text'
    """
    if is_empty(curve, ("date", "series", "value")):
        return no_data(title, width=width)
    if "project_id" in curve.columns and curve["project_id"].nunique() > 1:
        raise ValueError(
            "s_curve_chart draws one curve: pass one project's rows of PortfolioAnalysis.s_curves "
            "or PortfolioAnalysis.portfolio_s_curve"
        )
    frame = pd.DataFrame({
        "date": pd.to_datetime(curve["date"]),
        "series": curve["series"].astype("object"),
        "value": pd.to_numeric(curve["value"], errors="coerce"),
    })
    frame = frame[frame["series"].isin(list(SERIES_NAMES)) & frame["date"].notna() & frame["value"].notna()]
    if frame.empty:
        return no_data(title, width=width)
    frame = frame.assign(series_name=frame["series"].map(SERIES_NAMES)).sort_values(["series", "date"])

    x = alt.X("date:T", title="Date", axis=date_axis())
    y = alt.Y("value:Q", title=money_title("Cumulative cost", currency), axis=money_axis())
    tooltip = [alt.Tooltip("series_name:N", title="Series"),
               alt.Tooltip("date:T", title="Date", format=DATE_FORMAT),
               alt.Tooltip("value:Q", title=money_title("Value", currency), format=MONEY_FORMAT)]

    ev = frame["series"].eq("ev")
    layers = []
    if (~ev).any():  # lines: one legend with stroke symbols, the forecast dashed
        codes = [c for c in SERIES_NAMES if c != "ev" and c in set(frame["series"])]
        names = [SERIES_NAMES[c] for c in codes]
        lines_legend = legend(title=None, symbolType="stroke", symbolStrokeWidth=2.5, symbolSize=240, **_LEGEND)
        layers.append(alt.Chart(frame[~ev]).mark_line(strokeWidth=2).encode(
            x=x, y=y, tooltip=tooltip,
            color=alt.Color("series_name:N", legend=lines_legend,
                            scale=alt.Scale(domain=names, range=[_COLOURS[c] for c in codes])),
            strokeDash=alt.StrokeDash("series_name:N", legend=lines_legend,
                                      scale=alt.Scale(domain=names, range=[_DASHES[c] for c in codes]))))
    if ev.any():  # EV has no history: a point, with a circle of its own in the legend
        green = _COLOURS["ev"]
        layers.append(alt.Chart(frame[ev]).mark_point(size=90, filled=True, opacity=1, color=green).encode(
            x=x, y=y, tooltip=tooltip,
            shape=alt.Shape("series_name:N", scale=alt.Scale(domain=[SERIES_NAMES["ev"]], range=["circle"]),
                            legend=legend(title=None, symbolFillColor=green, symbolStrokeColor=green, **_LEGEND))))

    if status_date is None and ev.any():
        status_date = frame.loc[ev, "date"].max()
    if status_date is not None:
        layers.append(status_rule(status_date))
    return (
        alt.layer(*layers, title=chart_title(title))
        .properties(width=width, height=height)
    )
