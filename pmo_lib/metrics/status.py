"""RAG status per project (spec section 2, "Status (RAG)") and watermelon detection.

Severity order, worst first: ``red > amber > green > grey``. ``grey`` means
"no figure to judge by" and only wins when every dimension is grey.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmo_lib.metrics._dates import StatusDate, status_timestamp
from pmo_lib.rag import RAG_ORDER, SEVERITY, worst_rag

STATUS_COLUMNS = ("schedule_rag", "cost_rag", "overall_rag")
INDEX_DECIMALS = 9
"""Indices are compared with their thresholds after rounding to this many decimals."""


def as_decimal(values):
    """An index as the decimal a person would write: rounded to :data:`INDEX_DECIMALS` places.

    Removes the binary-rounding dust of a quotient (``0.1 * 8.5`` is
    ``0.8499999999999999``) before it meets a threshold; NaN stays NaN.

    Examples
    --------
    >>> float(as_decimal(0.1 * 8.5)) == 0.85
    True
    """
    return np.round(values, INDEX_DECIMALS)


@dataclass(frozen=True)
class RagThresholds:
    """Index thresholds for the schedule (SPI) and cost (CPI) RAG.

    An index ``>= green`` is green, ``>= amber`` amber, lower red. Defaults are
    the spec's.

    Examples
    --------
    >>> RagThresholds(cpi_green=1.0).cpi_amber
    0.85
    """

    spi_green: float = 0.95
    spi_amber: float = 0.85
    cpi_green: float = 0.95
    cpi_amber: float = 0.85

    def __post_init__(self):
        for index in ("spi", "cpi"):
            green, amber = getattr(self, f"{index}_green"), getattr(self, f"{index}_amber")
            if not amber <= green:
                raise ValueError(f"{index} thresholds: amber ({amber}) must not be above green ({green})")


def rag_from_index(values, *, green: float = 0.95, amber: float = 0.85) -> pd.Series:
    """Map a performance index to ``green``/``amber``/``red``, ``grey`` where undefined.

    Parameters
    ----------
    values : Series or array-like of float
        SPI, CPI or any "1.0 is on plan, higher is better" index.
    green, amber : float
        ``>= green`` is green, ``>= amber`` amber, below it red.

    Returns
    -------
    Series of str
        Same index as ``values`` when it is a Series.

    Examples
    --------
    >>> rag_from_index(pd.Series([1.02, 0.95, 0.9, 0.5, float("nan")])).tolist()
    ['green', 'green', 'amber', 'red', 'grey']

    The comparison is made on the decimal value (:func:`as_decimal`): a CPI of
    85 / 100 computed as 0.8499999999999999 is amber, as a person would say.

    >>> rag_from_index([0.1 * 8.5, 0.8499]).tolist()
    ['amber', 'red']
    """
    index = values.index if isinstance(values, pd.Series) else None
    numbers = as_decimal(np.asarray(values, dtype="float64"))
    green, amber = as_decimal(green), as_decimal(amber)
    rag = np.select([np.isnan(numbers), numbers >= green, numbers >= amber], ["grey", "green", "amber"], "red")
    return pd.Series(rag, index=index, dtype="str")


def project_status(
    evm_frame: pd.DataFrame,
    *,
    thresholds: RagThresholds | None = None,
    extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Schedule, cost and overall RAG per project.

    Parameters
    ----------
    evm_frame : DataFrame
        Per-project metrics with ``spi`` and ``cpi`` (e.g. from ``earned_value``).
    thresholds : RagThresholds, optional
        Defaults to the spec's 0.95 / 0.85.
    extra : DataFrame, optional
        More dimensions, indexed like ``evm_frame``: every column ending in
        ``_rag`` (``risk_rag``, ``issue_rag``, ``milestone_rag``, ...) joins the
        overall RAG. A project missing from it is grey in those dimensions.

    Returns
    -------
    DataFrame
        Indexed like ``evm_frame``: ``schedule_rag`` (from SPI), ``cost_rag``
        (from CPI) and ``overall_rag`` (the worst of all dimensions, grey
        ignored unless all are grey).

    Examples
    --------
    >>> evm = pd.DataFrame({"spi": [1.0, 0.9, float("nan")], "cpi": [1.0, 0.5, float("nan")]},
    ...                    index=["P1", "P2", "P3"])
    >>> extra = pd.DataFrame({"risk_rag": ["red"]}, index=["P1"])
    >>> project_status(evm, extra=extra).values.tolist()
    [['green', 'green', 'red'], ['amber', 'red', 'red'], ['grey', 'grey', 'grey']]
    """
    limits = thresholds or RagThresholds()
    out = pd.DataFrame(
        {
            "schedule_rag": rag_from_index(evm_frame["spi"], green=limits.spi_green, amber=limits.spi_amber),
            "cost_rag": rag_from_index(evm_frame["cpi"], green=limits.cpi_green, amber=limits.cpi_amber),
        },
        index=evm_frame.index,
    )
    dimensions = out
    if extra is not None:
        added = [c for c in extra.columns if str(c).endswith("_rag")]
        dimensions = out.join(extra[added].reindex(evm_frame.index))
    out["overall_rag"] = worst_rag(dimensions)
    return out


def watermelon(status_updates: pd.DataFrame, computed_rag: pd.Series, *, status_date: StatusDate) -> pd.DataFrame:
    """The manager's latest RAG against the computed one: green outside, red inside.

    Parameters
    ----------
    status_updates : DataFrame
        The ``status_updates`` table as loaded. Updates dated after the status
        date are ignored, and so are updates that give no ``manager_rag``: the
        latest RAG a manager actually stated stands.
    computed_rag : Series
        Computed overall RAG per project, indexed by ``project_id``.
    status_date : datetime.date, pandas.Timestamp or str

    Returns
    -------
    DataFrame
        Indexed like ``computed_rag``: ``manager_rag`` (str, NaN where none was
        given), ``manager_rag_date`` and ``watermelon`` (bool): the manager's RAG
        is strictly greener than the computed one. A grey computed RAG or a
        missing manager RAG is never a watermelon.

    Examples
    --------
    >>> updates = pd.DataFrame({"project_id": ["P1", "P1", "P2"],
    ...     "status_date": pd.to_datetime(["2026-01-02", "2026-01-09", "2026-01-09"]),
    ...     "manager_rag": ["amber", "green", "red"]})
    >>> computed = pd.Series(["red", "red", "amber"], index=["P1", "P2", "P3"])
    >>> watermelon(updates, computed, status_date="2026-01-09")[["manager_rag", "watermelon"]].values.tolist()
    [['green', True], ['red', False], [nan, False]]
    """
    stamp = status_timestamp(status_date)
    rag = status_updates["manager_rag"].astype("str").str.strip().str.lower()
    stated = status_updates.assign(manager_rag=rag)[status_updates["status_date"].le(stamp) & rag.isin(RAG_ORDER[1:])]
    latest = stated.sort_values("status_date").drop_duplicates("project_id", keep="last").set_index("project_id")
    out = pd.DataFrame(index=computed_rag.index)
    out["manager_rag"] = latest["manager_rag"].reindex(out.index).astype("str")
    out["manager_rag_date"] = latest["status_date"].reindex(out.index).astype("datetime64[ns]")
    manager = out["manager_rag"].map(SEVERITY).fillna(0)
    computed = computed_rag.map(SEVERITY).fillna(0)
    out["watermelon"] = ((manager > 0) & (manager < computed)).astype(bool)
    return out


STAGES = ("active", "not_started", "on_hold", "closed", "cancelled")
"""Where a project is in its life, which decides the wording and tiles of its page."""


def project_stage(metrics: pd.DataFrame, *, status_date: StatusDate) -> pd.Series:
    """``closed``, ``cancelled``, ``on_hold``, ``not_started`` or ``active`` per project.

    A project with status ``active`` whose planned start is after the status
    date and that has earned nothing yet is ``not_started``; the other values
    are the project's ``status``.

    Examples
    --------
    >>> metrics = pd.DataFrame({"status": ["active", "active", "closed", "on_hold"],
    ...     "planned_start": pd.to_datetime(["2026-12-21", "2026-01-01", "2025-01-01", "2026-01-01"]),
    ...     "ev": [0.0, 10.0, 5.0, 1.0]})
    >>> project_stage(metrics, status_date="2026-11-20").tolist()
    ['not_started', 'active', 'closed', 'on_hold']
    """
    stamp = status_timestamp(status_date)
    state = metrics["status"].astype("str").str.strip().str.lower()
    future = metrics["planned_start"].gt(stamp) & metrics["ev"].fillna(0).le(0)
    stage = state.where(state.isin(STAGES), "active").where(~(state.eq("active") & future), "not_started")
    return stage.astype("str")
