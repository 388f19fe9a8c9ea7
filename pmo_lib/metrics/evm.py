"""Earned value per project (spec section 2, "Earned value"), and the S-curve.

For task i with budget B_i, baseline start S_i and baseline finish F_i, the
planned value at day t is ``B_i * clip(d(S_i, t) / d(S_i, F_i), 0, 1)``; a task
with ``S_i == F_i`` (milestone or zero-length task) plans all of ``B_i`` on
``F_i``. The ``is_milestone`` flag plays no part: only the dates do.

Choices where the spec is silent:

- A project with costs but no tasks has no baseline, so ``bac``, ``pv`` and
  ``ev`` are NaN (not 0) and so is everything derived from them; its ``ac``
  is still reported. A project with tasks but no costs has ``ac == 0``.
- A ratio whose denominator is exactly 0 is NaN, never 0 or infinity, and any
  figure computed from an undefined ratio is NaN too (``eac`` when CPI is 0 or
  undefined, for instance).
- In the S-curve, EV has no history (the data hold percent complete only as of
  the status date), so EV is a single point at the status date; pro-rating it
  along the PV curve would draw a history nobody recorded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.metrics._dates import StatusDate, status_timestamp
from pmo_lib.metrics._days import day_numbers, ratio

EVM_TOTALS = ("bac", "pv", "ev", "ac")
EVM_DERIVED = ("sv", "cv", "spi", "cpi", "eac", "eac_atypical", "eac_composite", "etc", "vac", "tcpi")
EVM_COLUMNS = EVM_TOTALS + EVM_DERIVED
CENTS = 2
"""Money sums and differences are rounded to the cent (spec: "Exact at the edges")."""


def to_cents(values):
    """Round money to the cent, as a person adding the written decimals would get it.

    Binary floating point adds ``1799.7 + 0.1 + 0.2`` to ``1800.0000000000002``;
    rounded to the cent it is the 1,800 a person computes, so a difference
    from a budget of 1,800 is exactly 0 (an undefined TCPI, not -1e15).

    Examples
    --------
    >>> float(to_cents(1799.7 + 0.1 + 0.2)) == 1800.0
    True
    >>> to_cents(pd.Series([0.1 + 0.2, float("nan")])).tolist()
    [0.3, nan]
    """
    return np.round(values, CENTS) + 0.0  # + 0.0: -0.0 becomes 0.0


def _task_planned_fraction(tasks: pd.DataFrame, status_day: float) -> np.ndarray:
    """Return ``clip(d(S_i, t) / d(S_i, F_i), 0, 1)`` per task, 0/1 for zero-length tasks.

    Examples
    --------
    >>> tasks = pd.DataFrame({"baseline_start": pd.to_datetime(["2026-01-01", "2026-01-05"]),
    ...                       "baseline_finish": pd.to_datetime(["2026-01-11", "2026-01-05"])})
    >>> day = day_numbers([pd.Timestamp("2026-01-04")])[0]
    >>> _task_planned_fraction(tasks, day).tolist()
    [0.3, 0.0]
    """
    start = day_numbers(tasks["baseline_start"])
    finish = day_numbers(tasks["baseline_finish"])
    length = finish - start
    with np.errstate(divide="ignore", invalid="ignore"):
        ramp = np.clip((status_day - start) / length, 0.0, 1.0)
    return np.where(length > 0, ramp, (status_day >= finish).astype("float64"))


def evm_from_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """(Re)compute SV, CV, SPI, CPI, the EACs, ETC, VAC and TCPI from BAC, PV, EV and AC.

    The one place the spec's formulas live: per-project metrics and the
    program and portfolio roll-ups all come through here.

    Parameters
    ----------
    frame : DataFrame
        With float columns ``bac``, ``pv``, ``ev``, ``ac``; other columns are kept.

    Returns
    -------
    DataFrame
        A copy of ``frame`` with ``sv, cv, spi, cpi, eac, eac_atypical,
        eac_composite, etc, vac, tcpi`` set. BAC, PV, EV, AC and the money
        differences are rounded to the cent first (:func:`to_cents`), so
        amounts that add up to the budget compare equal to it. Ratios with a
        zero denominator, and figures derived from them, are NaN.

    Examples
    --------
    >>> totals = pd.DataFrame({"bac": [100_000.0], "pv": [50_000.0],
    ...                        "ev": [40_000.0], "ac": [45_000.0]})
    >>> row = evm_from_totals(totals).iloc[0]
    >>> float(row["spi"]), float(row["eac"]), float(row["eac_atypical"]), float(row["vac"])
    (0.8, 112500.0, 105000.0, -12500.0)
    """
    out = frame.copy()
    for column in EVM_TOTALS:
        out[column] = to_cents(out[column].astype("float64"))
    bac, pv, ev, ac = (out[c] for c in EVM_TOTALS)
    work_left, budget_left = to_cents(bac - ev), to_cents(bac - ac)
    out["sv"] = to_cents(ev - pv)
    out["cv"] = to_cents(ev - ac)
    out["spi"] = ratio(ev, pv)
    out["cpi"] = ratio(ev, ac)
    # BAC / CPI as BAC * AC / EV: one rounding instead of two, so a CPI of exactly 1 gives EAC = BAC.
    out["eac"] = ratio(bac * ac, ev).where(out["cpi"].notna())
    out["eac_atypical"] = to_cents(ac + work_left)
    out["eac_composite"] = ac + ratio(work_left, out["cpi"] * out["spi"])
    out["etc"] = out["eac"] - ac
    out["vac"] = bac - out["eac"]
    out["tcpi"] = ratio(work_left, budget_left)
    return out


def earned_value(tasks: pd.DataFrame, costs: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Earned-value metrics per project as of the status date.

    Parameters
    ----------
    tasks : DataFrame
        The ``tasks`` table as loaded.
    costs : DataFrame
        The ``costs`` table as loaded. Rows dated after the status date are
        left out; negative amounts (reversals) count.
    status_date : datetime.date, pandas.Timestamp or str

    Returns
    -------
    DataFrame
        Indexed by ``project_id`` (sorted; every project with tasks or costs),
        float columns ``bac, pv, ev, ac, sv, cv, spi, cpi, eac, eac_atypical,
        eac_composite, etc, vac, tcpi``.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1"], "task_id": ["T1"], "name": ["Build"],
    ...     "baseline_start": pd.to_datetime(["2026-01-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-01-11"]),
    ...     "percent_complete": [40.0], "budget": [1000.0]})])
    >>> costs = pd.DataFrame({"project_id": ["P1", "P1"], "amount": [300.0, 99.0],
    ...                       "date": pd.to_datetime(["2026-01-03", "2026-02-01"])})
    >>> ev = earned_value(tasks, costs, status_date="2026-01-06")
    >>> ev.loc["P1", ["bac", "pv", "ev", "ac"]].tolist()  # PV = 1000 * 5/10
    [1000.0, 500.0, 400.0, 300.0]
    >>> round(float(ev.loc["P1", "cpi"]), 4)
    1.3333
    """
    day = day_numbers([status_timestamp(status_date)])[0]
    spent = costs.loc[day_numbers(costs["date"]) <= day, ["project_id", "amount"]]
    ids = pd.Index(pd.unique(pd.concat([tasks["project_id"], costs["project_id"]])), name="project_id")
    ids = ids.astype("str").sort_values()
    task_code = ids.get_indexer(tasks["project_id"])
    cost_code = ids.get_indexer(spent["project_id"])
    n = len(ids)
    budget = tasks["budget"].to_numpy(dtype="float64")
    done = tasks["percent_complete"].to_numpy(dtype="float64") / 100.0
    planned = budget * _task_planned_fraction(tasks, day)
    has_tasks = np.bincount(task_code, minlength=n) > 0
    totals = pd.DataFrame(
        {
            "bac": np.bincount(task_code, weights=budget, minlength=n),
            "pv": np.bincount(task_code, weights=planned, minlength=n),
            "ev": np.bincount(task_code, weights=budget * done, minlength=n),
        },
        index=ids,
    ).where(pd.Series(has_tasks, index=ids), axis=0)
    totals["ac"] = np.bincount(cost_code, weights=spent["amount"].to_numpy(dtype="float64"), minlength=n)
    return evm_from_totals(totals)
