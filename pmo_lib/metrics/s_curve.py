"""The S-curve: cumulative planned value, earned value, actual cost and the EAC projection over time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.metrics._dates import StatusDate, status_timestamp
from pmo_lib.metrics._days import dates_from_days, day_numbers
from pmo_lib.metrics.earned_schedule import planned_value_curves, schedule_from_curves
from pmo_lib.metrics.evm import earned_value

S_CURVE_SERIES = ("pv", "ev", "ac", "eac_forecast")


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
    stamp = status_timestamp(status_date)
    day = day_numbers([stamp])[0]
    totals = earned_value(tasks, costs, status_date=stamp)
    ids = totals.index
    curves = planned_value_curves(tasks, ids=ids)
    schedule = schedule_from_curves(curves, tasks, ev=totals["ev"].to_numpy(), status_day=day)

    spent = costs.loc[day_numbers(costs["date"]) <= day, ["project_id", "date", "amount"]]
    cost_code = ids.get_indexer(spent["project_id"])
    cost_day = day_numbers(spent["date"])
    first_cost = np.full(len(ids), np.nan)
    np.fmin.at(first_cost, cost_code, cost_day)
    ac_start = np.fmin(curves.start, first_cost)
    span = np.concatenate([curves.start, ac_start, [day]])
    end = np.nanmax(np.concatenate([curves.start + curves.duration, [day]]))
    grid = day_numbers(pd.date_range(dates_from_days([np.nanmin(span)])[0], dates_from_days([end])[0], freq=freq))

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
            "date": dates_from_days(days[order]),
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
