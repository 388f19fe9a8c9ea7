"""The earned-value S-curve: cumulative planned value, actual cost, EV and the EAC forecast."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    HEIGHT,
    MONEY_FORMAT,
    RULE,
    WIDTH,
    chart_title,
    date_axis,
    date_format,
    is_empty,
    legend,
    money_axis,
    money_title,
    no_data,
    status_rule,
)
from pmo_lib.charts._theme import PALETTE
from pmo_lib.formatting import format_money

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
    """Chart PV, AC and the EAC forecast as lines and EV as points (joined across reports), with BAC and the status date.

    One legend names every series; the budget at completion (the last
    planned value) is a dotted line labelled "BAC €172k"; the plot reaches
    a little past the last date, so the forecast ends inside it.

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
    >>> [layer["mark"]["type"] for layer in chart.to_dict()["layer"][:4]]
    ['rule', 'text', 'line', 'point']
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

    ev = frame["series"].eq("ev")
    pv = frame[frame["series"].eq("pv")]
    bac = float(pv["value"].max()) if len(pv) else None
    # The plot reaches a little past the last date and above BAC and the forecast, so that the
    # forecast line and the BAC label end inside it instead of on its edge.
    start, end = frame["date"].min(), frame["date"].max()
    margin = max(pd.Timedelta(days=7), (end - start) * 0.04)
    x_scale = alt.Scale(domain=[start.isoformat(), (end + margin).isoformat()], nice=False)
    top = max(float(frame["value"].max()), bac or 0.0) * 1.08
    x = alt.X("date:T", title=None, axis=date_axis(), scale=x_scale)
    y = alt.Y("value:Q", title=money_title("Cumulative cost", currency), axis=money_axis(currency),
              scale=alt.Scale(domain=[0, top], nice=False))
    tooltip = [alt.Tooltip("series_name:N", title="Series"),
               alt.Tooltip("date:T", title="Date", format=date_format()),
               alt.Tooltip("value:Q", title=money_title("Value", currency), format=MONEY_FORMAT)]

    # One legend for every series: colour carries it, the dashes and the EV point follow colour.
    codes = [c for c in SERIES_NAMES if c in set(frame["series"])]
    names = [SERIES_NAMES[c] for c in codes]
    colour = alt.Color("series_name:N", legend=legend(title=None, **_LEGEND),
                       scale=alt.Scale(domain=names, range=[_COLOURS[c] for c in codes]))
    layers = []
    if bac is not None and bac > 0:
        # The label at the right end, above the line: clear of the legend (top left) and the curves.
        line = pd.DataFrame({"value": [bac], "label": [f"BAC {format_money(bac, currency)}"],
                             "date": [(end + margin).isoformat()]})
        rule = alt.Chart(line).mark_rule(color=RULE, strokeDash=[2, 3], strokeWidth=1.2).encode(
            y=alt.Y("value:Q", scale=alt.Scale(domain=[0, top], nice=False)),
            tooltip=[alt.Tooltip("label:N", title="Budget at completion")])
        text = alt.Chart(line).mark_text(align="right", baseline="bottom", dx=-4, dy=-3, color=RULE,
                                         fontSize=11).encode(x=x, y=alt.Y("value:Q"), text=alt.Text("label:N"))
        layers += [rule, text]
    if (~ev).any():  # lines; the forecast dashed
        dashes = alt.StrokeDash("series_name:N", legend=None,
                                scale=alt.Scale(domain=names, range=[_DASHES[c] for c in codes]))
        layers.append(alt.Chart(frame[~ev]).mark_line(strokeWidth=2, clip=True).encode(
            x=x, y=y, tooltip=tooltip, color=colour, strokeDash=dashes))
    if ev.any():  # EV at each report: points, joined by a line when the run history gives several
        if ev.sum() > 1:
            layers.append(alt.Chart(frame[ev]).mark_line(strokeWidth=2, clip=True).encode(x=x, y=y, color=colour))
        layers.append(alt.Chart(frame[ev]).mark_point(size=90, filled=True, opacity=1).encode(
            x=x, y=y, tooltip=tooltip, color=colour))

    if status_date is None and ev.any():  # EV's latest report
        status_date = frame.loc[ev, "date"].max()
    if status_date is not None:
        layers.append(status_rule(status_date))
    return (
        alt.layer(*layers, title=chart_title(title), width=width, height=height)
    )
