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

EVM_TOTALS = ("bac", "pv", "ev", "ac")
EVM_DERIVED = ("sv", "cv", "spi", "cpi", "eac", "eac_atypical", "eac_composite", "etc", "vac", "tcpi")
EVM_COLUMNS = EVM_TOTALS + EVM_DERIVED
S_CURVE_SERIES = ("pv", "ev", "ac", "eac_forecast")
_LAST_DAY = (pd.Timestamp.max.normalize() - pd.Timestamp(0)).days


def _day_numbers(values) -> np.ndarray:
    """Return dates as whole days since 1970-01-01, float64 with NaN for NaT.

    Examples
    --------
    >>> _day_numbers(pd.Series(pd.to_datetime(["1970-01-11", None]))).tolist()
    [10.0, nan]
    """
    dates = np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]")
    out = dates.astype("int64").astype("float64")
    out[np.isnat(dates)] = np.nan
    return out


def _dates_from_days(values) -> np.ndarray:
    """Return ``datetime64[ns]`` dates from day numbers (NaT for NaN or out of range).

    Examples
    --------
    >>> _dates_from_days(np.array([10.0, np.nan])).astype(str).tolist()
    ['1970-01-11T00:00:00.000000000', 'NaT']
    """
    days = np.asarray(values, dtype="float64")
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(days) & (np.abs(days) <= _LAST_DAY)
    out[ok] = days[ok].astype("int64").astype("datetime64[D]").astype("datetime64[ns]")
    return out


def _ratio(numerator, denominator):
    """Divide, giving NaN wherever the denominator is 0 or NaN (or the quotient overflows).

    Examples
    --------
    >>> _ratio(pd.Series([1.0, 1.0, 0.0, 1.0]), pd.Series([2.0, 0.0, 0.0, 1e-310])).tolist()
    [0.5, nan, nan, nan]
    """
    with np.errstate(all="ignore"):
        quotient = numerator / np.where(denominator == 0, np.nan, denominator)
        return quotient + np.where(np.isfinite(quotient), 0.0, np.nan)  # never inf; -0.0 becomes 0.0


def _task_planned_fraction(tasks: pd.DataFrame, status_day: float) -> np.ndarray:
    """Return ``clip(d(S_i, t) / d(S_i, F_i), 0, 1)`` per task, 0/1 for zero-length tasks.

    Examples
    --------
    >>> tasks = pd.DataFrame({"baseline_start": pd.to_datetime(["2026-01-01", "2026-01-05"]),
    ...                       "baseline_finish": pd.to_datetime(["2026-01-11", "2026-01-05"])})
    >>> day = _day_numbers([pd.Timestamp("2026-01-04")])[0]
    >>> _task_planned_fraction(tasks, day).tolist()
    [0.3, 0.0]
    """
    start = _day_numbers(tasks["baseline_start"])
    finish = _day_numbers(tasks["baseline_finish"])
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
        eac_composite, etc, vac, tcpi`` set. Ratios with a zero denominator,
        and figures derived from them, are NaN.

    Examples
    --------
    >>> totals = pd.DataFrame({"bac": [100_000.0], "pv": [50_000.0],
    ...                        "ev": [40_000.0], "ac": [45_000.0]})
    >>> row = evm_from_totals(totals).iloc[0]
    >>> float(row["spi"]), float(row["eac"]), float(row["eac_atypical"]), float(row["vac"])
    (0.8, 112500.0, 105000.0, -12500.0)
    """
    out = frame.copy()
    bac, pv, ev, ac = (out[c].astype("float64") for c in EVM_TOTALS)
    out["sv"] = ev - pv
    out["cv"] = ev - ac
    out["spi"] = _ratio(ev, pv)
    out["cpi"] = _ratio(ev, ac)
    out["eac"] = _ratio(bac, out["cpi"])
    out["eac_atypical"] = ac + (bac - ev)
    out["eac_composite"] = ac + _ratio(bac - ev, out["cpi"] * out["spi"])
    out["etc"] = out["eac"] - ac
    out["vac"] = bac - out["eac"]
    out["tcpi"] = _ratio(bac - ev, bac - ac)
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
    >>> from pmo_lib.portfolio import empty_table
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
    day = _day_numbers([status_timestamp(status_date)])[0]
    spent = costs.loc[_day_numbers(costs["date"]) <= day, ["project_id", "amount"]]
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


def s_curve(
    tasks: pd.DataFrame, costs: pd.DataFrame, *, status_date: StatusDate, freq: str = "W-FRI"
) -> pd.DataFrame:
    """Cumulative PV, AC, EV and the EAC projection per project, for charts.

    - ``pv``: cumulative planned value from planned start to planned finish,
      at the planned start, every ``freq`` date in between, and the planned finish.
    - ``ac``: cumulative actual cost from the earlier of the planned start and
      the first cost, at every ``freq`` date up to the status date, and at the
      status date itself (every project gets that last point).
    - ``ev``: one point, at the status date (EV has no recorded history).
    - ``eac_forecast``: a straight line from (status date, AC) to (forecast
      finish from earned schedule, else planned finish, EAC); that end date is
      never before the status date. Absent where EAC is undefined.

    Parameters
    ----------
    tasks, costs : DataFrame
        The ``tasks`` and ``costs`` tables as loaded.
    status_date : datetime.date, pandas.Timestamp or str
    freq : str
        A pandas offset alias for the points between the ends (``"W-FRI"``,
        ``"MS"``, ``"D"``).

    Returns
    -------
    DataFrame
        Long format, columns ``project_id, date, series, value``, sorted by
        project, series (in the order pv, ev, ac, eac_forecast) and date.

    Examples
    --------
    >>> tasks = pd.DataFrame({"project_id": ["P1"], "budget": [700.0],
    ...     "percent_complete": [50.0], "actual_finish": pd.to_datetime([None]),
    ...     "baseline_start": pd.to_datetime(["2026-01-02"]),
    ...     "baseline_finish": pd.to_datetime(["2026-01-16"])})
    >>> costs = pd.DataFrame({"project_id": ["P1"], "amount": [350.0],
    ...                       "date": pd.to_datetime(["2026-01-05"])})
    >>> curve = s_curve(tasks, costs, status_date="2026-01-09")
    >>> curve[curve.series == "pv"].value.tolist()  # Fridays 2, 9 and 16 January
    [0.0, 350.0, 700.0]
    >>> curve[curve.series != "pv"][["series", "value"]].values.tolist()
    [['ev', 350.0], ['ac', 0.0], ['ac', 350.0], ['eac_forecast', 350.0], ['eac_forecast', 700.0]]
    """
    # earned_schedule builds on the helpers above, so it is imported here.
    from pmo_lib.metrics.earned_schedule import _planned_value_curves, _schedule_from_curves

    stamp = status_timestamp(status_date)
    day = _day_numbers([stamp])[0]
    totals = earned_value(tasks, costs, status_date=stamp)
    ids = totals.index
    curves = _planned_value_curves(tasks, ids=ids)
    schedule = _schedule_from_curves(curves, tasks, ev=totals["ev"].to_numpy(), status_day=day)

    spent = costs.loc[_day_numbers(costs["date"]) <= day, ["project_id", "date", "amount"]]
    cost_code = ids.get_indexer(spent["project_id"])
    cost_day = _day_numbers(spent["date"])
    first_cost = np.full(len(ids), np.nan)
    np.fmin.at(first_cost, cost_code, cost_day)
    ac_start = np.fmin(curves.start, first_cost)
    span = np.concatenate([curves.start, ac_start, [day]])
    end = np.nanmax(np.concatenate([curves.start + curves.duration, [day]]))
    grid = _day_numbers(pd.date_range(_dates_from_days([np.nanmin(span)])[0], _dates_from_days([end])[0], freq=freq))

    parts = []
    # PV from planned start to planned finish.
    planned = np.isfinite(curves.start)
    pv_code, pv_day = _points(curves.start, curves.start + curves.duration, grid, planned)
    offset = (pv_day - curves.start[pv_code]).astype("int64")
    parts.append((pv_code, pv_day, 0, curves.pv[pv_code, offset]))
    # EV: one point at the status date.
    has_ev = np.flatnonzero(np.isfinite(totals["ev"].to_numpy()))
    parts.append((has_ev, np.full(len(has_ev), day), 1, totals["ev"].to_numpy()[has_ev]))
    # AC up to the status date.
    ac_code, ac_day = _points(np.fmin(ac_start, day), np.full(len(ids), day), grid, np.ones(len(ids), bool))
    parts.append((ac_code, ac_day, 2, _cumulative_at(cost_code, cost_day, spent["amount"], ac_code, ac_day)))
    # EAC projection: (status date, AC) -> (forecast or planned finish, EAC).
    eac = totals["eac"].to_numpy()
    finish = np.where(np.isnan(schedule["forecast_day"]), curves.start + curves.duration, schedule["forecast_day"])
    has_eac = np.flatnonzero(np.isfinite(eac) & np.isfinite(finish))
    ends = np.fmax(finish[has_eac], day)
    parts.append((has_eac, np.full(len(has_eac), day), 3, totals["ac"].to_numpy()[has_eac]))
    parts.append((has_eac, ends, 3, eac[has_eac]))

    code = np.concatenate([p[0] for p in parts]).astype("int64")
    days = np.concatenate([p[1] for p in parts])
    series = np.concatenate([np.full(len(p[0]), p[2]) for p in parts]).astype("int64")
    value = np.concatenate([np.asarray(p[3], dtype="float64") for p in parts])
    order = np.lexsort((days, series, code))
    return pd.DataFrame(
        {
            "project_id": pd.array(np.asarray(ids)[code[order]], dtype="str"),
            "date": _dates_from_days(days[order]),
            "series": pd.array(np.asarray(S_CURVE_SERIES)[series[order]], dtype="str"),
            "value": value[order],
        }
    )


def _points(first: np.ndarray, last: np.ndarray, grid: np.ndarray, keep: np.ndarray):
    """Per project, the days ``first``, every grid day strictly between, and ``last``."""
    inside = (grid > first[:, None]) & (grid < last[:, None]) & keep[:, None]
    code, column = np.nonzero(inside)
    rows = np.flatnonzero(keep)
    ends = rows[last[rows] > first[rows]]
    codes = np.concatenate([rows, code, ends])
    days = np.concatenate([first[rows], grid[column], last[ends]])
    return codes, days


def _cumulative_at(cost_code, cost_day, amount, code, day) -> np.ndarray:
    """Sum of each project's amounts dated on or before each (project, day) query."""
    if len(cost_code) == 0:
        return np.zeros(len(code))
    lowest = min(cost_day.min(), day.min())
    width = max(cost_day.max(), day.max()) - lowest + 2
    key = cost_code * width + (cost_day - lowest)
    order = np.argsort(key, kind="stable")
    running = pd.Series(np.asarray(amount, dtype="float64")[order]).groupby(cost_code[order]).cumsum().to_numpy()
    found = np.searchsorted(key[order], code * width + (day - lowest), side="right") - 1
    mine = (found >= 0) & (cost_code[order][np.maximum(found, 0)] == code)
    return np.where(mine, running[np.maximum(found, 0)], 0.0)
