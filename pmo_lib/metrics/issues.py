"""The issue log: ages, overdue issues, open issues by priority and an issue RAG.

Rules (as of the status date T):

* An issue opened after T is not in the log yet.
* An issue is **open** at T unless its status is ``closed`` and it has no
  ``closed_date`` or one on or before T; one closed after T was still open
  then (its ``closed_date`` is shown empty).
* ``age_days``: open issues ``T - opened_date``; closed ones
  ``closed_date - opened_date`` (``<NA>`` where the closing date is unknown).
* An issue is **overdue** when it is open and its ``due_date`` is before T.
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.data.schema import ISSUE_PRIORITIES
from pmo_lib.metrics._dates import StatusDate, happened, status_timestamp, whole_days
from pmo_lib.metrics._rag import per_project, rag
from pmo_lib.parameters import IssueRules

SUMMARY_COLUMNS = [
    "project_id", "issues", "open", "overdue", "mean_days_to_close", "oldest_open_days",
]


def issue_log(issues: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Return the issues opened by the status date with their state, age and overdue flag.

    Returns
    -------
    DataFrame
        The input columns plus ``is_open`` (bool), ``age_days`` (Int64),
        ``overdue`` (bool) and ``days_overdue`` (Int64, ``<NA>`` unless
        overdue); sorted by project, most severe priority first, then oldest.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> issues = pd.concat([empty_table("issues"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "issue_id": ["I1", "I2"], "title": ["Outage", "Typo"],
    ...     "priority": pd.Categorical(["high", "low"], categories=["low", "medium", "high", "critical"]),
    ...     "status": pd.Categorical(["open", "closed"], categories=["open", "closed"]),
    ...     "opened_date": pd.to_datetime(["2026-04-01", "2026-04-01"]),
    ...     "closed_date": pd.to_datetime([None, "2026-04-03"]),
    ...     "due_date": pd.to_datetime(["2026-04-10", None])})])
    >>> issue_log(issues, status_date="2026-04-15")[["issue_id", "is_open", "age_days", "days_overdue"]]
      issue_id  is_open  age_days  days_overdue
    0       I1     True        14             5
    1       I2    False         2          <NA>
    """
    status = status_timestamp(status_date)
    log = issues[happened(issues["opened_date"], status)]
    is_open = log["status"].ne("closed") | log["closed_date"].gt(status)
    closed_date = log["closed_date"].where(~is_open)
    overdue = is_open & log["due_date"].lt(status)
    end = closed_date.mask(is_open, status)
    return (
        log.assign(
            closed_date=closed_date,
            is_open=is_open,
            age_days=whole_days(end - log["opened_date"]),
            overdue=overdue,
            days_overdue=whole_days(status - log["due_date"]).where(overdue),
            _rank=log["priority"].cat.codes,
        )
        .sort_values(
            ["project_id", "_rank", "opened_date", "issue_id"], ascending=[True, False, True, True]
        )
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def open_by_priority(issues: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Count each project's open issues by priority.

    Returns
    -------
    DataFrame
        ``project_id, low, medium, high, critical, total``, one row per
        project in the log (zeros where all its issues are closed).

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> issues = pd.concat([empty_table("issues"), pd.DataFrame({
    ...     "project_id": ["P1"], "issue_id": ["I1"], "title": ["Outage"],
    ...     "priority": pd.Categorical(["high"], categories=["low", "medium", "high", "critical"]),
    ...     "status": pd.Categorical(["open"], categories=["open", "closed"]),
    ...     "opened_date": pd.to_datetime(["2026-04-01"])})])
    >>> open_by_priority(issues, status_date="2026-04-15")
      project_id  low  medium  high  critical  total
    0         P1    0       0     1         0      1
    """
    log = issue_log(issues, status_date=status_date)
    ids = pd.Index(log["project_id"].unique(), name="project_id").sort_values()
    counts = (
        log[log["is_open"]]
        .groupby(["project_id", "priority"], observed=False)
        .size()
        .unstack()
        .reindex(index=ids, columns=list(ISSUE_PRIORITIES))
        .fillna(0)
        .astype("int64")
    )
    counts.columns.name = None
    return counts.assign(total=counts.sum(axis=1)).reset_index()


def issue_summary(issues: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Count each project's open and overdue issues and how long issues take to close.

    Returns
    -------
    DataFrame
        ``project_id, issues`` (in the log), ``open``, ``overdue``,
        ``mean_days_to_close`` (closed issues with a closing date; NaN if
        none) and ``oldest_open_days`` (``<NA>`` if none is open).

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> issues = pd.concat([empty_table("issues"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "issue_id": ["I1", "I2"], "title": ["A", "B"],
    ...     "priority": pd.Categorical(["low", "low"], categories=["low", "medium", "high", "critical"]),
    ...     "status": pd.Categorical(["open", "closed"], categories=["open", "closed"]),
    ...     "opened_date": pd.to_datetime(["2026-04-01", "2026-03-01"]),
    ...     "closed_date": pd.to_datetime([None, "2026-03-08"])})])
    >>> issue_summary(issues, status_date="2026-04-15")
      project_id  issues  open  overdue  mean_days_to_close  oldest_open_days
    0         P1       2     1        0                 7.0                14
    """
    log = issue_log(issues, status_date=status_date)
    ages = log["age_days"].astype("float64")
    summary = log.assign(
        closed_age=ages.where(~log["is_open"]), open_age=ages.where(log["is_open"])
    ).groupby("project_id").agg(
        issues=("issue_id", "size"),
        open=("is_open", "sum"),
        overdue=("overdue", "sum"),
        mean_days_to_close=("closed_age", "mean"),
        oldest_open_days=("open_age", "max"),
    )
    summary = summary.astype(
        {"issues": "int64", "open": "int64", "overdue": "int64", "mean_days_to_close": "float64"}
    )
    return summary.astype({"oldest_open_days": "Int64"}).reset_index()[SUMMARY_COLUMNS]


def issue_rag(
    projects: pd.DataFrame, issues: pd.DataFrame, *, status_date: StatusDate,
    red_overdue: int = IssueRules().red_overdue,
) -> pd.DataFrame:
    """Rate every project's issues red, amber, green or grey.

    Default rule: ``grey`` when the project has no issue in the log; ``red``
    when a critical issue is open, or more than ``red_overdue`` (2) high or
    critical issues are overdue; ``amber`` when a high issue is open or any
    issue is overdue; ``green`` otherwise.

    Returns
    -------
    DataFrame
        The :func:`issue_summary` columns plus ``open_critical``,
        ``open_high``, ``overdue_high`` (overdue high or critical) and
        ``issue_rag``, one row per project in ``projects``.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> projects = pd.DataFrame({"project_id": ["P1", "P2"]})
    >>> issues = pd.concat([empty_table("issues"), pd.DataFrame({
    ...     "project_id": ["P1"], "issue_id": ["I1"], "title": ["Outage"],
    ...     "priority": pd.Categorical(["critical"], categories=["low", "medium", "high", "critical"]),
    ...     "status": pd.Categorical(["open"], categories=["open", "closed"]),
    ...     "opened_date": pd.to_datetime(["2026-04-01"])})])
    >>> issue_rag(projects, issues, status_date="2026-04-15")["issue_rag"].tolist()
    ['red', 'grey']
    """
    status = status_timestamp(status_date)
    log = issue_log(issues, status_date=status)
    severe = log["priority"].isin(["high", "critical"])
    extra = (
        log.assign(
            open_critical=log["is_open"] & log["priority"].eq("critical"),
            open_high=log["is_open"] & log["priority"].eq("high"),
            overdue_high=log["overdue"] & severe,
        )
        .groupby("project_id")[["open_critical", "open_high", "overdue_high"]]
        .sum()
    )
    summary = issue_summary(issues, status_date=status).set_index("project_id").join(extra)
    counts = ["issues", "open", "overdue", "open_critical", "open_high", "overdue_high"]
    out = per_project(projects, summary, counts)
    red = out["open_critical"].gt(0) | out["overdue_high"].gt(red_overdue)
    amber = out["open_high"].gt(0) | out["overdue"].gt(0)
    out["issue_rag"] = rag(red=red, amber=amber, known=out["issues"].gt(0))
    return out.reset_index()
