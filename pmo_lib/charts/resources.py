"""People: utilisation per role and month, and a project's planned hours per week by role."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmo_lib.charts._common import (
    HEIGHT,
    WIDTH,
    category_scale,
    chart_title,
    date_axis,
    date_format,
    is_empty,
    legend,
    no_data,
)
from pmo_lib.formatting import format_percent

# Diverging around fully booked: blue below, white at 100 %, red above (clamped at 0 % and 200 %).
_UNDER, _FULL, _OVER = "#2166ac", "#f7f7f7", "#b2182b"
_STRONG = 0.45
"""Cells further than this from 100 % get white text."""


def capacity_heat_map(
    capacity_monthly: pd.DataFrame,
    *,
    title: str = "Utilisation by role and month",
    width: int | None = None,
) -> alt.LayerChart | alt.Chart:
    """Role x period grid of planned hours over capacity, centred on 100 %.

    Parameters
    ----------
    capacity_monthly : DataFrame
        ``role, period, utilisation`` (planned / capacity, 1.0 is fully
        booked); ``capacity_hours`` and ``planned_hours`` go in the tooltip
        when present (``PortfolioAnalysis.capacity_monthly``). A period
        with no capacity (undefined utilisation) is grey, labelled "n/a".
    title : str
    width : int, optional
        Default: 80 pixels per period, between 320 and 900.

    Returns
    -------
    alt.LayerChart
        Rects and percentage labels; a "No data" chart for no rows.

    Examples
    --------
    >>> cap = pd.DataFrame({"role": ["Dev", "Dev"], "utilisation": [0.5, 1.25],
    ...                     "period": pd.to_datetime(["2026-03-01", "2026-04-01"])})
    >>> spec = capacity_heat_map(cap).to_dict()
    >>> spec["layer"][0]["encoding"]["color"]["condition"]["scale"]["domainMid"]
    1.0
    """
    if is_empty(capacity_monthly, ("role", "period", "utilisation")):
        return no_data(title, width=width or WIDTH)
    frame = pd.DataFrame({
        "role": capacity_monthly["role"].astype(str),
        "period": pd.to_datetime(capacity_monthly["period"]),
        "utilisation": pd.to_numeric(capacity_monthly["utilisation"], errors="coerce"),
    })
    for column in ("capacity_hours", "planned_hours"):
        frame[column] = pd.to_numeric(capacity_monthly[column], errors="coerce") if column in capacity_monthly else None
    frame["label"] = [format_percent(u, fraction=True) for u in frame["utilisation"]]
    frame["ink"] = ["#ffffff" if u == u and abs(u - 1) > _STRONG else "#1f2328" for u in frame["utilisation"]]
    periods = frame["period"].nunique()
    width = width or int(min(900, max(320, 80 * periods)))
    # The plan starts and ends inside its first and last months, which hold a month's capacity but
    # only part of a month's work: they are marked "*" rather than read as under-used.
    months = sorted(frame["period"].dropna().unique())
    partial = {months[0], months[-1]} if len(months) >= 3 else set()
    frame["month"] = [f"{pd.Timestamp(p):%b %Y}" + (" *" if p in partial else "") for p in frame["period"]]
    order = [f"{pd.Timestamp(p):%b %Y}" + (" *" if p in partial else "") for p in months]

    base = alt.Chart(frame).encode(
        x=alt.X("month:O", title=None, sort=order, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("role:N", title=None, sort="ascending"),
        tooltip=[alt.Tooltip("role:N", title="Role"),
                 alt.Tooltip("yearmonth(period):T", title="Month", format="%B %Y"),
                 alt.Tooltip("label:N", title="Utilisation"),
                 alt.Tooltip("planned_hours:Q", title="Planned hours", format=",.0f"),
                 alt.Tooltip("capacity_hours:Q", title="Capacity hours", format=",.0f")],
    )
    rects = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.ColorValue("#d0d7de", condition={
            "test": "isValid(datum.utilisation) && isFinite(datum.utilisation)",
            **alt.Color("utilisation:Q", title="Planned / capacity",
                        scale=alt.Scale(domain=[0, 2], domainMid=1.0, range=[_UNDER, _FULL, _OVER], clamp=True),
                        legend=alt.Legend(format=".0%", orient="right", gradientLength=160,
                                          values=[0, 0.5, 1, 1.5, 2])).to_dict(validate=False)}))
    text = base.mark_text(fontSize=11).encode(text=alt.Text("label:N"), color=alt.Color("ink:N", scale=None))
    subtitle = "Planned hours as a share of capacity; red above 100% is over-booked, blue under-used"
    if partial:
        subtitle = [subtitle, "* the plan starts or ends inside these months: only its weeks count"]
    # the text colour is no utilisation: the colour scales are independent
    return alt.layer(rects, text, title=chart_title(title, subtitle), width=width, height=alt.Step(26),
                     resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")))


def resource_loading(
    assignments: pd.DataFrame,
    resources: pd.DataFrame,
    *,
    project_id: str | None = None,
    title: str = "Planned hours per week by role",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> alt.Chart:
    """Stacked weekly bars of planned hours, one colour per role.

    Parameters
    ----------
    assignments : DataFrame
        ``project_id, resource_id, week_start, planned_hours``
        (``Portfolio.assignments``); weeks are counted from their Monday.
    resources : DataFrame
        ``resource_id, role`` (``Portfolio.resources``); an assignment to an
        unknown resource counts as role "Unknown".
    project_id : str, optional
        Only this project's assignments; all of them when None.
    title : str
    width, height : int

    Returns
    -------
    alt.Chart
        A "No data" chart when nothing is assigned (to that project).

    Examples
    --------
    >>> assignments = pd.DataFrame({"project_id": ["P1", "P1", "P2"], "resource_id": ["R1", "R2", "R1"],
    ...     "week_start": pd.to_datetime(["2026-03-02"] * 3), "planned_hours": [30.0, 10.0, 5.0]})
    >>> resources = pd.DataFrame({"resource_id": ["R1", "R2"], "role": ["Dev", "Tester"]})
    >>> chart = resource_loading(assignments, resources, project_id="P1")
    >>> chart.to_dict()["encoding"]["y2"]["field"]
    'top'
    """
    needed = ("project_id", "resource_id", "week_start", "planned_hours")
    if is_empty(assignments, needed):
        return no_data(title, width=width)
    rows = assignments if project_id is None else assignments[assignments["project_id"].astype(str) == str(project_id)]
    if rows.empty:
        return no_data(title, width=width)
    roles = (resources.drop_duplicates("resource_id").set_index("resource_id")["role"]
             if not is_empty(resources, ("resource_id", "role")) else pd.Series(dtype="object"))
    week = pd.to_datetime(rows["week_start"])
    week = (week - pd.to_timedelta(week.dt.day_of_week, unit="D")).dt.normalize()
    frame = (
        pd.DataFrame({"week": week.to_numpy(),
                      "role": rows["resource_id"].map(roles).astype("object").fillna("Unknown").astype(str).to_numpy(),
                      "hours": pd.to_numeric(rows["planned_hours"], errors="coerce").fillna(0).to_numpy()})
        .groupby(["week", "role"], as_index=False)["hours"].sum()
    )
    # Every role of the resources table keeps its colour from chart to chart.
    order = sorted(set(roles.astype(str)) | set(frame["role"]))
    present = [r for r in order if r in set(frame["role"])]
    # Stacked here, in role order: Vega-Lite does not stack bars that span x to x2.
    frame = frame.assign(rank=frame["role"].map({r: i for i, r in enumerate(order)})).sort_values(["week", "rank"])
    frame["top"] = frame.groupby("week")["hours"].cumsum()
    frame["bottom"] = frame["top"] - frame["hours"]
    frame["week_end"] = frame["week"] + pd.Timedelta(days=6)
    return (
        alt.Chart(frame, title=chart_title(title))
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("week:T", title="Week", axis=date_axis()),
            x2=alt.X2("week_end:T"),
            y=alt.Y("bottom:Q", title="Planned hours", axis=alt.Axis(format=",.0f")),
            y2=alt.Y2("top:Q"),
            color=alt.Color("role:N", title="Role", scale=category_scale(order), legend=legend(values=present)),
            tooltip=[alt.Tooltip("week:T", title="Week of", format=date_format()),
                     alt.Tooltip("role:N", title="Role"),
                     alt.Tooltip("hours:Q", title="Planned hours", format=",.1f")],
        )
        .properties(width=width, height=height)
    )
