"""Change control: approved and pending changes and how far they move the baseline.

Rules (as of the status date T):

* A change raised after T is left out.
* A change decided after T (``decided_date`` > T) was still ``proposed`` at T;
  without a ``decided_date`` its status is taken as given.
* ``approved`` and ``implemented`` changes are **approved**: they move the
  baseline. ``proposed`` ones are **pending**. ``rejected`` ones only count.
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.metrics._dates import StatusDate, happened, status_timestamp
from pmo_lib.metrics._days import ratio

SUMMARY_COLUMNS = [
    "project_id", "approved", "approved_cost", "approved_days",
    "pending", "pending_cost", "pending_days", "rejected",
]
MOVEMENT_COLUMNS = [
    "project_id", "original_bac", "approved_cost", "adjusted_bac", "bac_moved_share",
    "original_finish", "approved_days", "adjusted_finish", "schedule_moved_share",
]


def _as_of(changes: pd.DataFrame, status: pd.Timestamp) -> pd.DataFrame:
    """Changes raised by T, with ``state`` approved, pending or rejected as of T."""
    raised = changes[happened(changes["raised_date"], status)]
    status_then = raised["status"].astype("str").mask(raised["decided_date"].gt(status), "proposed")
    state = status_then.replace({"implemented": "approved", "proposed": "pending"})
    return raised.assign(state=state, schedule_impact_days=raised["schedule_impact_days"].fillna(0))


def change_summary(changes: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Count and total each project's approved, pending and rejected changes.

    Returns
    -------
    DataFrame
        ``project_id, approved, approved_cost, approved_days, pending,
        pending_cost, pending_days, rejected``: counts, summed
        ``cost_impact`` and summed ``schedule_impact_days``, one row per
        project with changes raised by the status date.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> changes = pd.concat([empty_table("changes"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "change_id": ["C1", "C2"], "title": ["Scope", "Kit"],
    ...     "status": pd.Categorical(["approved", "proposed"],
    ...                              categories=["proposed", "approved", "rejected", "implemented"]),
    ...     "cost_impact": [1000.0, 250.0], "schedule_impact_days": pd.array([10, 3], dtype="Int64"),
    ...     "raised_date": pd.to_datetime(["2026-04-01", "2026-05-01"])})])
    >>> change_summary(changes, status_date="2026-05-31")[
    ...     ["project_id", "approved", "approved_cost", "approved_days", "pending", "pending_cost"]]
      project_id  approved  approved_cost  approved_days  pending  pending_cost
    0         P1         1         1000.0             10        1         250.0
    """
    status = status_timestamp(status_date)
    log = _as_of(changes, status)
    parts = {}
    for state in ("approved", "pending", "rejected"):
        mine = log["state"].eq(state)
        parts[state] = mine
        parts[f"{state}_cost"] = log["cost_impact"].where(mine, 0.0)
        parts[f"{state}_days"] = log["schedule_impact_days"].where(mine, 0)
    summary = pd.DataFrame(parts).groupby(log["project_id"]).sum()
    summary = summary.astype({c: "float64" if c.endswith("_cost") else "int64" for c in summary.columns})
    return summary.rename_axis("project_id").reset_index()[SUMMARY_COLUMNS]


def baseline_movement(
    tasks: pd.DataFrame, changes: pd.DataFrame, *, status_date: StatusDate
) -> pd.DataFrame:
    """Compare each project's original baseline with the baseline after approved changes.

    ``original_bac`` is the sum of task budgets and ``original_finish`` the
    latest baseline finish; ``adjusted_bac`` adds the approved cost impact and
    ``adjusted_finish`` the approved schedule impact (calendar days).
    ``bac_moved_share = approved_cost / original_bac`` and
    ``schedule_moved_share = approved_days / planned duration`` (first
    baseline start to last baseline finish), as fractions (0.1 is 10 %), NaN
    where the denominator is 0 or the project has no tasks.

    Returns
    -------
    DataFrame
        The columns named above, one row per project with tasks or changes.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1"], "task_id": ["T1"], "name": ["Build"], "budget": [8000.0],
    ...     "baseline_start": pd.to_datetime(["2026-01-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-04-11"]), "percent_complete": [0.0]})])
    >>> changes = pd.concat([empty_table("changes"), pd.DataFrame({
    ...     "project_id": ["P1"], "change_id": ["C1"], "title": ["Scope"],
    ...     "status": pd.Categorical(["approved"],
    ...                              categories=["proposed", "approved", "rejected", "implemented"]),
    ...     "cost_impact": [800.0], "schedule_impact_days": pd.array([10], dtype="Int64"),
    ...     "raised_date": pd.to_datetime(["2026-04-01"])})])
    >>> row = baseline_movement(tasks, changes, status_date="2026-05-31").iloc[0]
    >>> float(row["adjusted_bac"]), str(row["adjusted_finish"].date()), float(row["schedule_moved_share"])
    (8800.0, '2026-04-21', 0.1)
    """
    summary = change_summary(changes, status_date=status_date).set_index("project_id")
    plan = tasks.groupby("project_id").agg(
        original_bac=("budget", "sum"),
        start=("baseline_start", "min"),
        original_finish=("baseline_finish", "max"),
    )
    ids = plan.index.union(summary.index).rename("project_id")
    out = plan.reindex(ids).join(summary[["approved_cost", "approved_days"]]).fillna(
        {"approved_cost": 0.0, "approved_days": 0}
    )
    out = out.astype({"original_bac": "float64", "approved_days": "int64"})
    duration = (out["original_finish"] - out["start"]).dt.days.astype("float64")
    out = out.assign(
        adjusted_bac=out["original_bac"] + out["approved_cost"],
        bac_moved_share=ratio(out["approved_cost"], out["original_bac"]),
        adjusted_finish=out["original_finish"] + pd.to_timedelta(out["approved_days"], unit="D"),
        schedule_moved_share=ratio(out["approved_days"], duration),
    )
    return out.reset_index().astype({"project_id": "str"})[MOVEMENT_COLUMNS]
