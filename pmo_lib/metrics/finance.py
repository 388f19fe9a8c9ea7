"""Money: approved budget against BAC, EAC and spend; phasing, burn rate and runway.

Actual cost is every ``costs.amount`` dated on or before the status date
(reversals are negative amounts and count too). Planned cost is the task
budgets phased exactly as planned value is (:mod:`pmo_lib.metrics.evm`): spread
evenly per calendar day from the day after baseline start to baseline finish,
all of it on the finish day for a zero-length task or milestone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from pmo_lib.metrics._dates import StatusDate, happened, status_timestamp
from pmo_lib.metrics._days import dates_from_days, day_numbers, ratio
from pmo_lib.metrics.earned_schedule import planned_value_curves

BUDGET_COLUMNS = [
    "project_id", "budget", "bac", "eac", "ac",
    "budget_less_bac", "budget_less_eac", "vac", "spent_share",
]
PHASING_COLUMNS = [
    "project_id", "period", "planned", "actual", "cumulative_planned", "cumulative_actual",
]
UNCATEGORISED = "Uncategorised"


def _spent(costs: pd.DataFrame, status: pd.Timestamp) -> pd.DataFrame:
    """The costs that have happened by the status date."""
    return costs[happened(costs["date"], status)]


def budget_summary(projects: pd.DataFrame, evm: pd.DataFrame) -> pd.DataFrame:
    """Compare each project's approved budget with its BAC, EAC and actual cost.

    Parameters
    ----------
    projects : DataFrame
        The projects table (``budget`` is the approved budget, NaN if none).
    evm : DataFrame
        Indexed by ``project_id`` (or with it as a column), with ``bac``,
        ``eac`` and ``ac``, as :func:`pmo_lib.metrics.evm.earned_value` gives.

    Returns
    -------
    DataFrame
        ``project_id, budget, bac, eac, ac`` and: ``budget_less_bac`` (approved
        budget not yet in the baseline; negative: the baseline exceeds it),
        ``budget_less_eac`` (forecast under (+) or over (-) the approved
        budget), ``vac`` (BAC - EAC) and ``spent_share`` (AC / budget, NaN
        where the budget is 0 or missing). One row per project in
        ``projects``; figures are NaN where ``evm`` has no row.

    Examples
    --------
    >>> projects = pd.DataFrame({"project_id": ["P1"], "budget": [1200.0]})
    >>> evm = pd.DataFrame({"bac": [1000.0], "eac": [1250.0], "ac": [600.0]},
    ...                    index=pd.Index(["P1"], name="project_id"))
    >>> budget_summary(projects, evm).iloc[0, 5:].tolist()
    [200.0, -50.0, -250.0, 0.5]
    """
    if "project_id" in evm.columns:
        evm = evm.set_index("project_id")
    figures = evm[["bac", "eac", "ac"]].reindex(projects["project_id"].to_numpy()).astype("float64")
    out = projects[["project_id", "budget"]].assign(**figures.set_axis(projects.index))
    out = out.assign(
        budget_less_bac=out["budget"] - out["bac"],
        budget_less_eac=out["budget"] - out["eac"],
        vac=out["bac"] - out["eac"],
        spent_share=ratio(out["ac"], out["budget"]),
    )
    return out[BUDGET_COLUMNS].sort_values("project_id").reset_index(drop=True)


def cost_phasing(
    tasks: pd.DataFrame, costs: pd.DataFrame, *, status_date: StatusDate, freq: str = "MS"
) -> pd.DataFrame:
    """Planned and actual cost per project and period (month by default).

    Parameters
    ----------
    tasks, costs : DataFrame
        The tasks and costs tables.
    status_date : date, Timestamp or ISO str
        Costs dated after it are left out.
    freq : str, default "MS"
        A pandas offset alias naming the first day of each period: ``"MS"``
        months, ``"QS"`` quarters, ``"W-MON"`` weeks from Monday.

    Returns
    -------
    DataFrame
        ``project_id, period`` (first day), ``planned``, ``actual``,
        ``cumulative_planned``, ``cumulative_actual``: every period from a
        project's first planned or actual cost to its last. ``actual`` and
        ``cumulative_actual`` are NaN for periods that start after the status
        date (nothing has happened there yet).

    Examples
    --------
    >>> tasks = pd.DataFrame({"project_id": ["P1"], "budget": [310.0],
    ...     "baseline_start": pd.to_datetime(["2026-01-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-02-01"])})
    >>> costs = pd.DataFrame({"project_id": ["P1"], "amount": [250.0],
    ...                       "date": pd.to_datetime(["2026-01-20"])})
    >>> cost_phasing(tasks, costs, status_date="2026-01-31")[["period", "planned", "actual"]]
          period  planned  actual
    0 2026-01-01    300.0   250.0
    1 2026-02-01     10.0     NaN
    """
    status = status_timestamp(status_date)
    spent = _spent(costs, status)
    ids = pd.Index(
        pd.unique(pd.concat([tasks["project_id"], spent["project_id"]])), name="project_id"
    ).astype("str").sort_values()
    curves = planned_value_curves(tasks, ids=ids)
    cost_day = day_numbers(spent["date"])
    cost_code = ids.get_indexer(spent["project_id"])
    first, last = np.full(len(ids), np.nan), np.full(len(ids), np.nan)
    np.fmin.at(first, cost_code, cost_day)
    np.fmax.at(last, cost_code, cost_day)
    first = np.fmin(first, curves.start)
    last = np.fmax(last, curves.start + curves.duration)
    if not np.isfinite(first).any():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _phasing_dtypes().items()})

    offset = to_offset(freq)
    begin, end = (pd.Timestamp(d) for d in dates_from_days([np.nanmin(first), np.nanmax(last)]))
    starts = pd.date_range(offset.rollback(begin), end, freq=freq)
    edges = day_numbers(starts.append(pd.DatetimeIndex([starts[-1] + offset])))
    # Cumulative PV at the last day of each period: the day before each edge.
    age = edges[None, :] - 1 - curves.start[:, None]
    width = curves.pv.shape[1]
    column = np.clip(np.nan_to_num(age, nan=-1), 0, width - 1).astype("int64")
    cumulative = np.where(age >= 0, np.take_along_axis(curves.pv, column, axis=1), 0.0)
    planned = np.diff(cumulative, axis=1)

    period = np.searchsorted(edges[:-1], cost_day, side="right") - 1
    actual = np.zeros(planned.shape)
    np.add.at(actual, (cost_code, period), spent["amount"].to_numpy(dtype="float64"))
    future = edges[:-1] > day_numbers([status])[0]
    actual[:, future] = np.nan

    first_period = np.searchsorted(edges[:-1], first, side="right") - 1
    last_period = np.searchsorted(edges[:-1], last, side="right") - 1
    index = np.arange(len(starts))
    code, col = np.nonzero((index >= first_period[:, None]) & (index <= last_period[:, None]))
    return pd.DataFrame(
        {
            "project_id": pd.array(np.asarray(ids)[code], dtype="str"),
            "period": starts[col].as_unit("ns"),
            "planned": planned[code, col],
            "actual": actual[code, col],
            "cumulative_planned": cumulative[code, col + 1],
            "cumulative_actual": np.cumsum(actual, axis=1)[code, col],
        }
    )


def _phasing_dtypes() -> dict[str, str]:
    return {"project_id": "str", "period": "datetime64[ns]"} | dict.fromkeys(PHASING_COLUMNS[2:], "float64")


def burn_rate(costs: pd.DataFrame, *, status_date: StatusDate, weeks: int = 4) -> pd.DataFrame:
    """Average weekly spend over the last ``weeks`` weeks, per project.

    The window is the ``7 * weeks`` days ending on the status date: after
    ``status_date - 7 * weeks`` days, up to and including the status date.

    Returns
    -------
    DataFrame
        ``project_id, spend`` (in the window), ``burn_rate`` (spend / weeks),
        one row per project with costs.

    Examples
    --------
    >>> costs = pd.DataFrame({"project_id": ["P1", "P1", "P1"], "amount": [900.0, 400.0, 800.0],
    ...     "date": pd.to_datetime(["2026-01-03", "2026-01-04", "2026-01-31"])})
    >>> burn_rate(costs, status_date="2026-01-31")
      project_id   spend  burn_rate
    0         P1  1200.0      300.0
    """
    status = status_timestamp(status_date)
    recent = happened(costs["date"], status) & costs["date"].gt(status - pd.Timedelta(weeks=weeks))
    spend = costs["amount"].where(recent, 0.0).groupby(costs["project_id"]).sum()
    spend = spend.rename_axis("project_id").rename("spend").astype("float64")
    return spend.sort_index().reset_index().assign(burn_rate=lambda f: f["spend"] / weeks)


def budget_runway(
    projects: pd.DataFrame, costs: pd.DataFrame, *, status_date: StatusDate, weeks: int = 4
) -> pd.DataFrame:
    """Weeks of approved budget left at the recent burn rate, per project.

    ``runway_weeks = max(budget - ac, 0) / burn_rate``: 0 when the budget is
    already spent, NaN when the project has no approved budget or its burn
    rate (:func:`burn_rate`) is zero or negative.

    Returns
    -------
    DataFrame
        ``project_id, budget, ac, remaining, burn_rate, runway_weeks``, one
        row per project in ``projects``.

    Examples
    --------
    >>> projects = pd.DataFrame({"project_id": ["P1"], "budget": [5000.0]})
    >>> costs = pd.DataFrame({"project_id": ["P1", "P1"], "amount": [2600.0, 1200.0],
    ...     "date": pd.to_datetime(["2025-12-01", "2026-01-31"])})
    >>> budget_runway(projects, costs, status_date="2026-01-31").iloc[0, 1:].tolist()
    [5000.0, 3800.0, 1200.0, 300.0, 4.0]
    """
    status = status_timestamp(status_date)
    spent = _spent(costs, status)
    ac = spent.groupby("project_id")["amount"].sum()
    rate = burn_rate(costs, status_date=status, weeks=weeks).set_index("project_id")["burn_rate"]
    out = projects[["project_id", "budget"]].assign(
        ac=lambda f: f["project_id"].map(ac).fillna(0.0).astype("float64"),
        remaining=lambda f: f["budget"] - f["ac"],
        burn_rate=lambda f: f["project_id"].map(rate).fillna(0.0).astype("float64"),
    )
    runway = out["remaining"].clip(lower=0) / out["burn_rate"].where(out["burn_rate"] > 0)
    return out.assign(runway_weeks=runway).sort_values("project_id").reset_index(drop=True)


def cost_by_category(costs: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Actual cost to date per project and cost category, with each category's share.

    Costs without a category are grouped as ``"Uncategorised"``.

    Returns
    -------
    DataFrame
        ``project_id, category, amount, share`` (amount / the project's total,
        NaN where that total is 0), sorted by project, largest amount first.

    Examples
    --------
    >>> costs = pd.DataFrame({"project_id": ["P1", "P1", "P1"], "amount": [300.0, 100.0, 50.0],
    ...     "category": ["labour", "", "labour"],
    ...     "date": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-03-01"])})
    >>> cost_by_category(costs, status_date="2026-01-31")
      project_id       category  amount  share
    0         P1         labour   300.0   0.75
    1         P1  Uncategorised   100.0   0.25
    """
    status = status_timestamp(status_date)
    spent = _spent(costs, status)
    category = spent["category"].where(spent["category"].str.strip().ne(""), UNCATEGORISED)
    amount = spent.groupby(["project_id", category.rename("category")])["amount"].sum()
    out = amount.reset_index()
    total = out.groupby("project_id")["amount"].transform("sum")
    return (
        out.assign(amount=out["amount"].astype("float64"), share=ratio(out["amount"], total))
        .sort_values(["project_id", "amount", "category"], ascending=[True, False, True])
        .reset_index(drop=True)
    )
