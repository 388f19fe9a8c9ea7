"""The metrics table: one row per project, the spec's section 3 columns in order."""

from __future__ import annotations

import pandas as pd

from pmo_lib.metrics._dates import StatusDate, status_timestamp
from pmo_lib.metrics.earned_schedule import SCHEDULE_COLUMNS, earned_schedule
from pmo_lib.metrics.evm import EVM_COLUMNS, earned_value
from pmo_lib.metrics.status import STATUS_COLUMNS, RagThresholds, project_status, watermelon
from pmo_lib.rag import worst_rag

METRICS_COLUMNS = ("project_id", "name", "program") + EVM_COLUMNS + SCHEDULE_COLUMNS + STATUS_COLUMNS
EXTRA_COLUMNS = ("tspi", "status", "manager_rag", "watermelon")


def metrics_table(
    projects: pd.DataFrame,
    tasks: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    status_date: StatusDate,
    thresholds: RagThresholds | None = None,
    status_updates: pd.DataFrame | None = None,
    extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every project's earned value, earned schedule and RAG as of the status date.

    Parameters
    ----------
    projects, tasks, costs : DataFrame
        The tables as loaded.
    status_date : datetime.date, pandas.Timestamp or str
    thresholds : RagThresholds, optional
        SPI/CPI thresholds for the RAG; the spec's defaults when omitted.
    status_updates : DataFrame, optional
        The ``status_updates`` table, for ``manager_rag`` and ``watermelon``.
    extra : DataFrame, optional
        More RAG dimensions indexed by ``project_id`` (columns ending in
        ``_rag``) for the overall RAG; see :func:`project_status`.

    Returns
    -------
    DataFrame
        One row per project of ``projects``, in its order, with the columns
        :data:`METRICS_COLUMNS` followed by ``tspi``, ``status``, ``manager_rag``
        and ``watermelon``. A project with no tasks has NaN metrics (its ``ac``
        excepted when it has costs) and grey RAGs.

    Examples
    --------
    >>> projects = pd.DataFrame({"project_id": ["P1", "P2"], "name": ["Payroll", "Web"],
    ...     "program": ["Core", "Unassigned"], "status": ["active", "active"]})
    >>> tasks = pd.DataFrame({"project_id": ["P1"], "budget": [1000.0],
    ...     "percent_complete": [40.0], "actual_finish": pd.to_datetime([None]),
    ...     "baseline_start": pd.to_datetime(["2026-01-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-01-11"])})
    >>> costs = pd.DataFrame({"project_id": ["P1"], "amount": [500.0],
    ...                       "date": pd.to_datetime(["2026-01-05"])})
    >>> table = metrics_table(projects, tasks, costs, status_date="2026-01-06")
    >>> table[["project_id", "spi", "cpi", "es_days", "overall_rag"]].values.tolist()
    [['P1', 0.8, 0.8, 4.0, 'red'], ['P2', nan, nan, nan, 'grey']]
    """
    stamp = status_timestamp(status_date)
    values = earned_value(tasks, costs, status_date=stamp)
    schedule = earned_schedule(tasks, status_date=stamp, ev=values["ev"])
    ids = pd.Index(projects["project_id"].astype("str"), name="project_id")
    metrics = values.join(schedule).reindex(ids)
    rag = project_status(metrics, thresholds=thresholds, extra=extra)
    table = pd.concat([metrics, rag], axis=1)
    table["status"] = projects["status"].astype("str").to_numpy() if "status" in projects else "active"
    if status_updates is None:
        table["manager_rag"] = pd.Series(pd.NA, index=ids, dtype="str")
        table["watermelon"] = False
    else:
        # Green outside, red inside: the manager's RAG against the numbers (the worse of
        # schedule and cost RAG), not against risk, issue or milestone dimensions.
        numbers = worst_rag(rag[["schedule_rag", "cost_rag"]])
        table[["manager_rag", "watermelon"]] = watermelon(status_updates, numbers, status_date=stamp)[
            ["manager_rag", "watermelon"]
        ]
    table["name"] = projects["name"].to_numpy()
    table["program"] = projects["program"].to_numpy()
    return table.reset_index()[list(METRICS_COLUMNS + EXTRA_COLUMNS)]
