"""People: capacity against planned demand, utilisation and over-allocation.

Weeks are ISO weeks, Monday to Sunday, named by their Monday: an assignment's
``week_start`` counts in the week that contains it. A resource's capacity is
``capacity_hours_per_week`` in every week; a month's capacity is the weekly
capacity times the number of weeks starting (Mondays) in that month. Periods
run from the first to the last week (month) with an assignment.
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.metrics._days import ratio

CAPACITY_COLUMNS = ["role", "period", "capacity_hours", "planned_hours", "utilisation"]
UTILISATION_COLUMNS = [
    "resource_id", "name", "role", "week_start", "capacity_hours", "planned_hours", "utilisation",
]
OVER_COLUMNS = ["resource_id", "name", "role", "weeks_over", "peak_utilisation", "peak_week", "weeks"]
DEMAND_COLUMNS = ["project_id", "planned_hours", "planned_cost", "unpriced_hours"]


def _monday(dates: pd.Series) -> pd.Series:
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def _weekly(resources: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Every resource's capacity and planned hours in every week of the span.

    The span runs from the first to the last week with an assignment.
    """
    weeks = _monday(assignments["week_start"]).rename("week_start")
    hours = assignments.groupby(["resource_id", weeks])["planned_hours"].sum()
    first, last = weeks.min(), weeks.max()
    span = pd.date_range(first, last, freq="W-MON") if len(weeks) else []
    grid = pd.MultiIndex.from_product(
        [resources["resource_id"].sort_values().unique(), pd.DatetimeIndex(span).as_unit("ns")],
        names=["resource_id", "week_start"],
    )
    planned = hours.reindex(grid, fill_value=0.0).astype("float64").reset_index()
    people = resources.set_index("resource_id")
    capacity = planned["resource_id"].map(people["capacity_hours_per_week"]).astype("float64")
    out = planned.assign(
        name=planned["resource_id"].map(people["name"]),
        role=planned["resource_id"].map(people["role"]),
        capacity_hours=capacity,
        utilisation=ratio(planned["planned_hours"], capacity),
    )
    return out.astype({"resource_id": "str", "name": "str", "role": "str"})[UTILISATION_COLUMNS]


def resource_utilisation(resources: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Planned hours against capacity for every resource in every week.

    Returns
    -------
    DataFrame
        ``resource_id, name, role, week_start, capacity_hours, planned_hours,
        utilisation`` (planned / capacity; 1.0 is fully booked): every
        resource in every week of the assignments' span, 0 hours where it has
        no assignment; sorted by resource and week.

    Examples
    --------
    >>> resources = pd.DataFrame({"resource_id": ["R1"], "name": ["Ann"], "role": ["Dev"],
    ...                           "capacity_hours_per_week": [40.0]})
    >>> assignments = pd.DataFrame({"project_id": ["P1", "P2"], "resource_id": ["R1", "R1"],
    ...     "week_start": pd.to_datetime(["2026-03-02", "2026-03-02"]), "planned_hours": [30.0, 20.0]})
    >>> resource_utilisation(resources, assignments)[["week_start", "planned_hours", "utilisation"]]
      week_start  planned_hours  utilisation
    0 2026-03-02           50.0         1.25
    """
    return _weekly(resources, assignments)


def capacity_vs_demand(
    resources: pd.DataFrame, assignments: pd.DataFrame, *, freq: str = "W"
) -> pd.DataFrame:
    """Capacity and planned hours per role and week (``"W"``) or month (``"MS"``).

    Both count the weeks of the plan's span only (the first to the last week
    with an assignment): a month the plan starts or ends inside is prorated
    to its weeks in the span, so its utilisation is not diluted by weeks
    nobody planned for.

    Returns
    -------
    DataFrame
        ``role, period`` (the week's Monday or the month's first day),
        ``capacity_hours``, ``planned_hours``, ``utilisation`` (planned /
        capacity), every role in every period of the span; sorted by role and
        period.

    Raises
    ------
    ValueError
        If ``freq`` is neither ``"W"`` nor ``"MS"``.

    Examples
    --------
    >>> resources = pd.DataFrame({"resource_id": ["R1", "R2"], "name": ["Ann", "Bo"],
    ...     "role": ["Dev", "Dev"], "capacity_hours_per_week": [40.0, 20.0]})
    >>> assignments = pd.DataFrame({"project_id": ["P1"], "resource_id": ["R1"],
    ...     "week_start": pd.to_datetime(["2026-03-02"]), "planned_hours": [45.0]})
    >>> capacity_vs_demand(resources, assignments, freq="MS")  # one week of March 2026 in the plan
      role     period  capacity_hours  planned_hours  utilisation
    0  Dev 2026-03-01            60.0           45.0         0.75
    """
    if freq not in ("W", "MS"):
        raise ValueError(f'freq must be "W" (weeks) or "MS" (months), got {freq!r}')
    weekly = _weekly(resources, assignments)
    period = weekly["week_start"]
    if freq == "MS":
        period = period.dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    out = (
        weekly.assign(period=period)
        .groupby(["role", "period"])[["capacity_hours", "planned_hours"]]
        .sum()
        .reset_index()
    )
    out = out.assign(utilisation=ratio(out["planned_hours"], out["capacity_hours"]))
    return out.astype({"role": "str", "period": "datetime64[ns]"})[CAPACITY_COLUMNS]


def over_allocated(
    resources: pd.DataFrame, assignments: pd.DataFrame, *, threshold: float = 1.0
) -> pd.DataFrame:
    """List the resources booked above ``threshold`` of their capacity in any week.

    Returns
    -------
    DataFrame
        ``resource_id, name, role, weeks_over`` (how many weeks),
        ``peak_utilisation``, ``peak_week`` (its first week) and ``weeks``
        (those weeks' Mondays, ISO dates joined by ``"; "``), by resource.

    Examples
    --------
    >>> resources = pd.DataFrame({"resource_id": ["R1"], "name": ["Ann"], "role": ["Dev"],
    ...                           "capacity_hours_per_week": [40.0]})
    >>> assignments = pd.DataFrame({"project_id": ["P1", "P1"], "resource_id": ["R1", "R1"],
    ...     "week_start": pd.to_datetime(["2026-03-02", "2026-03-16"]), "planned_hours": [50.0, 44.0]})
    >>> over_allocated(resources, assignments)[["weeks_over", "peak_utilisation", "weeks"]]
       weeks_over  peak_utilisation                   weeks
    0           2              1.25  2026-03-02; 2026-03-16
    """
    weekly = resource_utilisation(resources, assignments)
    over = weekly[weekly["utilisation"] > threshold]
    peaks = over.sort_values(["utilisation", "week_start"], ascending=[False, True]).drop_duplicates(
        "resource_id"
    )
    counts = over.assign(week=over["week_start"].dt.strftime("%Y-%m-%d")).groupby("resource_id").agg(
        weeks_over=("week", "size"), weeks=("week", "; ".join)
    )
    out = peaks.join(counts, on="resource_id").rename(
        columns={"utilisation": "peak_utilisation", "week_start": "peak_week"}
    )
    out = out.astype({"weeks_over": "int64", "weeks": "str"})
    return out.sort_values("resource_id")[OVER_COLUMNS].reset_index(drop=True)


def demand_by_project(assignments: pd.DataFrame, resources: pd.DataFrame) -> pd.DataFrame:
    """Planned hours and their cost (hours x the resource's ``cost_rate``) per project.

    Returns
    -------
    DataFrame
        ``project_id, planned_hours, planned_cost, unpriced_hours`` (hours of
        resources without a cost rate, left out of the cost), by project.

    Examples
    --------
    >>> resources = pd.DataFrame({"resource_id": ["R1", "R2"], "cost_rate": [100.0, float("nan")]})
    >>> assignments = pd.DataFrame({"project_id": ["P1", "P1"], "resource_id": ["R1", "R2"],
    ...     "week_start": pd.to_datetime(["2026-03-02"] * 2), "planned_hours": [30.0, 10.0]})
    >>> demand_by_project(assignments, resources)
      project_id  planned_hours  planned_cost  unpriced_hours
    0         P1           40.0        3000.0            10.0
    """
    rate = assignments["resource_id"].map(resources.set_index("resource_id")["cost_rate"]).astype("float64")
    hours = assignments["planned_hours"]
    out = (
        assignments.assign(
            planned_cost=(hours * rate).fillna(0.0), unpriced_hours=hours.where(rate.isna(), 0.0)
        )
        .groupby("project_id")[["planned_hours", "planned_cost", "unpriced_hours"]]
        .sum()
        .astype("float64")
    )
    return out.reset_index()[DEMAND_COLUMNS]
