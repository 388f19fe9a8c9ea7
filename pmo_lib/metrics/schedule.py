"""Milestones and overdue work: what has slipped, what is late, what is coming.

Rules used throughout (as of the status date T):

* A task is **finished** when its ``actual_finish`` is on or before T, or its
  ``percent_complete`` is 100. An ``actual_finish`` after T has not happened
  yet and is shown as empty.
* Its **forecast finish** is ``forecast_finish``, or ``baseline_finish``
  where no forecast is given.
* It is **overdue** (a milestone: **late**) when it is not finished and its
  forecast finish is before T; ``days_overdue = T - forecast finish``. A task
  due on T itself is due today, not overdue.
* ``slip_days`` = (actual finish, else forecast finish) - baseline finish.

Milestone ``state``, the first that applies: ``done`` (finished); ``late``
(not finished, and its forecast is past its baseline finish or its baseline
finish has passed); ``at risk`` (the look-ahead rule: not finished nor late,
due within the next ``at_risk_days`` days, while work of the same project
planned to finish by the milestone's baseline is overdue); ``on track``.
``finished_late`` marks done milestones whose finish was after their baseline.
``days_overdue`` counts from the forecast finish, as for any task.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.metrics._dates import StatusDate, happened, status_timestamp, whole_days
from pmo_lib.metrics._days import ratio
from pmo_lib.metrics._rag import per_project, rag
from pmo_lib.parameters import MilestoneRules

MILESTONE_COLUMNS = [
    "project_id", "task_id", "name", "baseline_finish", "forecast_finish", "actual_finish",
    "slip_days", "days_overdue", "state", "finished_late",
]
OVERDUE_COLUMNS = [
    "project_id", "task_id", "name", "owner", "is_milestone", "percent_complete",
    "baseline_finish", "forecast_finish", "days_overdue",
]


def _overdue_work_by(tasks: pd.DataFrame, finished: pd.Series, forecast: pd.Series, status: pd.Timestamp,
                     marked: pd.DataFrame) -> pd.Series:
    """For each row of ``marked``: is work of its project, planned to finish by its baseline, overdue?"""
    overdue = tasks.loc[~finished & forecast.lt(status) & ~tasks["is_milestone"].astype(bool),
                        ["project_id", "baseline_finish"]]
    if overdue.empty or marked.empty:
        return pd.Series(False, index=marked.index)
    earliest = overdue.groupby("project_id")["baseline_finish"].min()
    due_by = marked["project_id"].map(earliest)
    return due_by.le(marked["baseline_finish"]).fillna(False).astype(bool)


def _progress(tasks: pd.DataFrame, status: pd.Timestamp, at_risk_days: int,
              everything: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every task with its forecast, finished flag, slip, days overdue and state.

    ``everything`` is the whole tasks table (for the look-ahead rule of
    milestones); without it no task is ``at risk``.
    """
    forecast = tasks["forecast_finish"].fillna(tasks["baseline_finish"])
    actual = tasks["actual_finish"].where(happened(tasks["actual_finish"], status))
    finished = actual.notna() | tasks["percent_complete"].ge(100)
    overdue = ~finished & forecast.lt(status)
    finish = actual.fillna(forecast)
    baseline = tasks["baseline_finish"]
    late = ~finished & (forecast.gt(baseline) | baseline.lt(status) | overdue)
    soon = baseline.ge(status) & baseline.le(status + pd.Timedelta(days=at_risk_days))
    if everything is not None:
        all_forecast = everything["forecast_finish"].fillna(everything["baseline_finish"])
        all_actual = everything["actual_finish"].where(happened(everything["actual_finish"], status))
        all_finished = all_actual.notna() | everything["percent_complete"].ge(100)
        blocked = _overdue_work_by(everything, all_finished, all_forecast, status, tasks)
    else:
        blocked = pd.Series(False, index=tasks.index)
    state = np.select([finished, late, soon & blocked], ["done", "late", "at risk"], "on track")
    return tasks.assign(
        forecast_finish=forecast,
        actual_finish=actual,
        slip_days=whole_days(finish - baseline),
        days_overdue=whole_days(status - forecast).where(overdue),
        state=pd.Series(state, index=tasks.index, dtype="str"),
        finished_late=finished & finish.gt(baseline),
    )


def milestones(
    tasks: pd.DataFrame, *, status_date: StatusDate, at_risk_days: int = 0
) -> pd.DataFrame:
    """List every milestone with its dates, slip and state.

    Parameters
    ----------
    tasks : DataFrame
        The tasks table; rows with ``is_milestone`` are used.
    status_date : date, Timestamp or ISO str
        The date the report is as of.
    at_risk_days : int, default 0
        The look-ahead of the ``at risk`` rule: a milestone due within this
        many days (0: today) while earlier work of its project is overdue.

    Returns
    -------
    DataFrame
        ``project_id, task_id, name, baseline_finish, forecast_finish,
        actual_finish, slip_days, days_overdue, state, finished_late``, one row
        per milestone, sorted by project and baseline finish. See the module
        docstring for the rules.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "task_id": ["M1", "M2"], "name": ["Go-live", "Sign-off"],
    ...     "baseline_start": pd.to_datetime(["2026-03-01", "2026-04-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-03-01", "2026-04-01"]),
    ...     "forecast_finish": pd.to_datetime([None, "2026-04-11"]),
    ...     "percent_complete": [0.0, 0.0], "budget": [0.0, 0.0], "is_milestone": [True, True]})])
    >>> milestones(tasks, status_date="2026-03-10")[["task_id", "slip_days", "state"]]
      task_id  slip_days state
    0      M1          0  late
    1      M2         10  late
    """
    status = status_timestamp(status_date)
    marked = tasks[tasks["is_milestone"].astype(bool)]
    return (
        _progress(marked, status, at_risk_days, everything=tasks)[MILESTONE_COLUMNS]
        .sort_values(["project_id", "baseline_finish", "task_id"])
        .reset_index(drop=True)
    )


def overdue_tasks(tasks: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """List the tasks (milestones included) that should have finished by now and have not.

    Returns
    -------
    DataFrame
        ``project_id, task_id, name, owner, is_milestone, percent_complete,
        baseline_finish, forecast_finish, days_overdue``: unfinished tasks whose
        forecast finish (else baseline finish) is before the status date,
        sorted by project, most overdue first.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "task_id": ["T1", "T2"], "name": ["Build", "Test"],
    ...     "baseline_start": pd.to_datetime(["2026-01-01", "2026-01-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-02-01", "2026-02-01"]),
    ...     "percent_complete": [60.0, 100.0], "budget": [0.0, 0.0]})])
    >>> overdue_tasks(tasks, status_date="2026-02-11")[["task_id", "days_overdue"]]
      task_id  days_overdue
    0      T1            10
    """
    status = status_timestamp(status_date)
    progress = _progress(tasks, status, 0)
    return (
        progress[progress["days_overdue"].notna()][OVERDUE_COLUMNS]
        .sort_values(["project_id", "days_overdue", "task_id"], ascending=[True, False, True])
        .reset_index(drop=True)
    )


def upcoming_milestones(
    tasks: pd.DataFrame, *, status_date: StatusDate, days: int = 30, at_risk_days: int = 0
) -> pd.DataFrame:
    """List the unfinished milestones forecast to finish in the next ``days`` days.

    The window is from the status date itself (due today) to ``days`` days
    after it, both included; overdue milestones are in :func:`overdue_tasks`.
    ``at_risk_days`` is the look-ahead of the "at risk" rule, as in
    :func:`milestones`.

    Returns
    -------
    DataFrame
        The :func:`milestones` columns plus ``days_to_go`` (forecast finish -
        status date), sorted by forecast finish, then project.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "task_id": ["M1", "M2"], "name": ["Design", "Launch"],
    ...     "baseline_start": pd.to_datetime(["2026-03-20", "2026-06-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-03-20", "2026-06-01"]),
    ...     "percent_complete": [0.0, 0.0], "budget": [0.0, 0.0], "is_milestone": [True, True]})])
    >>> upcoming_milestones(tasks, status_date="2026-03-10")[["task_id", "days_to_go"]]
      task_id  days_to_go
    0      M1          10
    """
    status = status_timestamp(status_date)
    listed = milestones(tasks, status_date=status, at_risk_days=at_risk_days)
    due = listed["forecast_finish"]
    window = listed["state"].ne("done") & due.ge(status) & due.le(status + pd.Timedelta(days=days))
    return (
        listed[window]
        .assign(days_to_go=lambda frame: whole_days(frame["forecast_finish"] - status))
        .sort_values(["forecast_finish", "project_id", "task_id"])
        .reset_index(drop=True)
    )


def milestone_on_time_share(tasks: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Share of each project's due milestones that finished on or before their baseline.

    A milestone counts as due once its outcome is known: its baseline finish
    is before the status date, or it is on the status date and the milestone
    has finished. It is on time when it finished no later than its baseline.

    Returns
    -------
    DataFrame
        ``project_id, milestones_due, on_time, on_time_share`` for every
        project with milestones; ``on_time_share`` is NaN where none is due.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "task_id": ["M1", "M2"], "name": ["A", "B"],
    ...     "baseline_start": pd.to_datetime(["2026-03-01", "2026-03-05"]),
    ...     "baseline_finish": pd.to_datetime(["2026-03-01", "2026-03-05"]),
    ...     "actual_finish": pd.to_datetime(["2026-03-01", None]),
    ...     "percent_complete": [100.0, 50.0], "budget": [0.0, 0.0], "is_milestone": [True, True]})])
    >>> milestone_on_time_share(tasks, status_date="2026-03-10")
      project_id  milestones_due  on_time  on_time_share
    0         P1               2        1            0.5
    """
    status = status_timestamp(status_date)
    return _on_time(milestones(tasks, status_date=status), status).reset_index()


def _on_time(listed: pd.DataFrame, status: pd.Timestamp) -> pd.DataFrame:
    """``milestones_due, on_time, on_time_share`` per project of a :func:`milestones` frame."""
    done = listed["state"].eq("done")
    due = listed["baseline_finish"].lt(status) | (done & listed["baseline_finish"].eq(status))
    counts = (
        listed.assign(due=due, on_time=due & done & ~listed["finished_late"])
        .groupby("project_id")[["due", "on_time"]]
        .sum()
        .astype("int64")
        .rename(columns={"due": "milestones_due"})
    )
    share = ratio(counts["on_time"], counts["milestones_due"]).astype("float64")
    return counts.assign(on_time_share=share)


def milestone_rag(
    projects: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    status_date: StatusDate,
    at_risk_days: int = 0,
    red_days_overdue: int = MilestoneRules().red_days_overdue,
    red_on_time_share: float = MilestoneRules().red_on_time_share,
    amber_slip_days: int = MilestoneRules().amber_slip_days,
) -> pd.DataFrame:
    """Rate every project's milestones red, amber, green or grey.

    Default rule: ``grey`` when the project has no milestones; ``red`` when a
    milestone is late by more than ``red_days_overdue`` days or the on-time
    share is below ``red_on_time_share``; ``amber`` when a milestone is
    overdue (its forecast finish has passed), or its forecast is more than
    ``amber_slip_days`` past its baseline (0: any slip), or one is at risk;
    ``green`` otherwise. A milestone can thus be ``late`` (any slip) and the
    project green, within the slip tolerance. The defaults are those of the run
    parameter ``rag_rules.milestones`` (on-time share rule off: ``red_on_time_share=0``).

    Returns
    -------
    DataFrame
        ``project_id, milestones, late, at_risk, late_beyond`` (late milestones
        that break the tolerance), ``max_days_overdue, on_time_share,
        milestone_rag``, one row per project in ``projects``.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> projects = pd.DataFrame({"project_id": ["P1", "P2"]})
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1"], "task_id": ["M1"], "name": ["Go-live"],
    ...     "baseline_start": pd.to_datetime(["2026-04-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-04-01"]),
    ...     "forecast_finish": pd.to_datetime(["2026-04-20"]),
    ...     "percent_complete": [0.0], "budget": [0.0], "is_milestone": [True]})])
    >>> milestone_rag(projects, tasks, status_date="2026-03-10")["milestone_rag"].tolist()
    ['amber', 'grey']
    """
    status = status_timestamp(status_date)
    listed = milestones(tasks, status_date=status, at_risk_days=at_risk_days)
    late = listed["state"].eq("late")
    beyond = late & (listed["days_overdue"].notna() | listed["slip_days"].gt(amber_slip_days))
    summary = (
        listed.assign(late=late, at_risk=listed["state"].eq("at risk"), late_beyond=beyond)
        .groupby("project_id")
        .agg(
            milestones=("task_id", "size"),
            late=("late", "sum"),
            at_risk=("at_risk", "sum"),
            late_beyond=("late_beyond", "sum"),
            max_days_overdue=("days_overdue", "max"),
        )
    )
    summary = summary.join(_on_time(listed, status)["on_time_share"])
    out = per_project(projects, summary, ["milestones", "late", "at_risk", "late_beyond"])
    out = out.astype({"max_days_overdue": "Int64", "on_time_share": "float64"})
    very_late = out["max_days_overdue"].gt(red_days_overdue).fillna(False).astype(bool)
    red = very_late | out["on_time_share"].lt(red_on_time_share)
    amber = (out["late_beyond"] + out["at_risk"]) > 0
    out["milestone_rag"] = rag(red=red, amber=amber, known=out["milestones"] > 0)
    return out.reset_index()
