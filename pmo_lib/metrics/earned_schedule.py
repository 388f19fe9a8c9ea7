"""Earned schedule per project (Lipke; spec section 2, "Earned schedule").

``PS = min S_i``, ``PF = max F_i``, ``PD = d(PS, PF)``; ``PV_k`` is the project's
planned value at day ``PS + k`` (k = 0..PD); ``C = max{k : PV_k <= EV}`` and
``ES = PD`` if ``C == PD`` else ``C + (EV - PV_C) / (PV_(C+1) - PV_C)`` (``C``
where that step is flat). ``AT = d(PS, T)``; ``SPI(t) = ES / AT``,
``SV(t) = ES - AT``, ``IEAC(t) = PD / SPI(t)``, ``forecast_finish = PS +
ceil(IEAC(t))`` days, all undefined (NaN/NaT) where ``AT <= 0`` or ``SPI(t)``
is undefined. ``TSPI = (PD - ES) / (PD - AT)``, NaN where ``PD == AT``.

How it is computed: PV at whole days is piecewise linear, so every project's
daily PV curve is built at once in a padded ``[projects x max PD + 1]`` array
from difference arrays (a slope of ``B_i / d(S_i, F_i)`` from ``S_i`` to
``F_i``, a step of ``B_i`` on ``F_i`` for zero-length tasks), and ``C`` is
found for all projects with one comparison. No Python loop per project.

Choices where the spec is silent or the formula would mislead:

- ``PV_k <= EV`` is tested with a tolerance of ``1e-9 * BAC`` (at least half a cent, as EV is
  rounded to the cent) so that a
  project exactly on plan gets exactly ``ES == AT`` despite rounding in the
  sums; the same tolerance snaps ``ES`` to ``C`` when ``EV`` equals ``PV_C``.
- ``EV < PV_0`` (a milestone on the first day not yet achieved) gives ``ES = 0``.
- A project with no budget (``BAC == 0``) has no PV curve to read progress
  from: the formula would give ``ES = PD`` whatever its progress, so ES and
  everything derived from it are NaN instead.
- A project whose tasks are all 100 % complete uses its latest
  ``actual_finish`` for ``AT``; a finish dated after the status date has not
  happened yet, so it is capped at the status date.
- ``ceil(IEAC(t))`` ignores rounding noise below ``1e-9`` days;
  ``forecast_finish`` is NaT where the date would be beyond year 2262.
- ``PD == 0`` (every task on one day) follows the formulas: ``ES = 0``, so
  ``SPI(t) = 0`` once ``AT > 0`` and ``IEAC(t)``/``forecast_finish`` are undefined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmo_lib.metrics._dates import StatusDate, status_timestamp
from pmo_lib.metrics._days import LAST_DAY, dates_from_days, day_numbers, ratio

SCHEDULE_COLUMNS = (  # the spec's section 3 columns; earned_schedule() adds "tspi" after them
    "planned_start",
    "planned_finish",
    "pd_days",
    "at_days",
    "es_days",
    "spi_t",
    "sv_t_days",
    "ieac_t_days",
    "forecast_finish",
)
HALF_CENT = 0.005
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class _Curves:
    """Daily planned-value curves of several projects (day numbers as floats, NaN if no tasks)."""

    ids: pd.Index
    start: np.ndarray
    duration: np.ndarray
    bac: np.ndarray
    pv: np.ndarray  # [project, k] = PV at day start + k; constant (BAC) after PD


def planned_value_curves(tasks: pd.DataFrame, *, ids: pd.Index | None = None) -> _Curves:
    """Build every project's daily PV curve; ``ids`` defaults to the tasks' projects, sorted."""
    if ids is None:
        ids = pd.Index(pd.unique(tasks["project_id"]), name="project_id").astype("str").sort_values()
    n = len(ids)
    code = ids.get_indexer(tasks["project_id"])
    known = code >= 0
    code = code[known]
    begin = day_numbers(tasks["baseline_start"])[known]
    end = day_numbers(tasks["baseline_finish"])[known]
    budget = tasks["budget"].to_numpy(dtype="float64")[known]
    start = np.full(n, np.nan)
    finish = np.full(n, np.nan)
    np.fmin.at(start, code, begin)
    np.fmax.at(finish, code, end)
    duration = finish - start
    width = int(np.nanmax(duration, initial=0)) + 1
    first = (begin - start[code]).astype("int64")
    last = (end - start[code]).astype("int64")
    length = last - first
    ramp = length > 0
    rate = budget[ramp] / length[ramp]
    row = code * (width + 1)
    # Second differences of the ramps: the slope rises by B/L after S and falls after F.
    slope_change = np.bincount(
        np.concatenate([row[ramp] + first[ramp] + 1, row[ramp] + last[ramp] + 1]),
        weights=np.concatenate([rate, -rate]),
        minlength=n * (width + 1),
    ).reshape(n, width + 1)
    # First differences of the zero-length tasks: all of B on F.
    steps = np.bincount(row[~ramp] + last[~ramp], weights=budget[~ramp], minlength=n * (width + 1))
    pv = slope_change.cumsum(axis=1).cumsum(axis=1) + steps.reshape(n, width + 1).cumsum(axis=1)
    pv = np.maximum.accumulate(pv[:, :width], axis=1)  # budgets >= 0: drop rounding dips
    return _Curves(ids, start, duration, np.bincount(code, weights=budget, minlength=n), pv)


def schedule_from_curves(curves: _Curves, tasks: pd.DataFrame, *, ev: np.ndarray, status_day: float) -> dict:
    """Earned-schedule figures as arrays aligned with ``curves.ids`` (days as floats)."""
    n, width = curves.pv.shape
    ev = np.asarray(ev, dtype="float64")
    duration = curves.duration
    tolerance = np.maximum(_TOLERANCE * curves.bac, HALF_CENT)  # EV is rounded to the cent
    k = np.arange(width)
    earned = (curves.pv <= (ev + tolerance)[:, None]) & (k <= duration[:, None])
    c = earned.sum(axis=1) - 1
    at_c = np.clip(c, 0, width - 1)
    pv_c = curves.pv[np.arange(n), at_c]
    pv_next = curves.pv[np.arange(n), np.minimum(at_c + 1, width - 1)]
    step = pv_next - pv_c
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where((step > tolerance) & (ev - pv_c > tolerance), (ev - pv_c) / step, 0.0)
    es = np.where(c >= duration, duration, np.where(c < 0, 0.0, c + np.clip(fraction, 0.0, 1.0)))
    es = np.where(np.isfinite(ev) & (curves.bac > 0), es, np.nan)

    finished_on = _finish_day_if_complete(tasks, curves.ids)
    at = np.fmin(finished_on, status_day) - curves.start  # fmin: NaN -> the status date
    counts = at > 0
    spi_t = np.where(counts, ratio(es, at), np.nan)
    ieac = np.where(counts, ratio(duration, spi_t), np.nan)
    forecast = curves.start + np.ceil(ieac - _TOLERANCE)
    return {
        "start": curves.start,
        "finish": curves.start + duration,
        "pd": duration,
        "at": at,
        "es": es,
        "spi_t": spi_t,
        "sv_t": np.where(counts, es - at, np.nan),
        "ieac_t": ieac,
        "forecast_day": np.where(np.abs(forecast) <= LAST_DAY, forecast, np.nan),
        # TSPI: the schedule efficiency needed to finish on the planned date; undefined
        # once the planned finish has passed (no planned time left).
        "tspi": np.where(duration - at > 0, ratio(duration - es, duration - at), np.nan),
    }


def _finish_day_if_complete(tasks: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """Latest actual_finish of projects whose tasks are all 100 % complete, else NaN."""
    code = ids.get_indexer(tasks["project_id"])
    known = code >= 0
    unfinished = (tasks["percent_complete"].to_numpy(dtype="float64") < 100).astype("float64")
    open_tasks = np.bincount(code[known], weights=unfinished[known], minlength=len(ids))
    latest = np.full(len(ids), np.nan)
    np.fmax.at(latest, code[known], day_numbers(tasks["actual_finish"])[known])
    return np.where(open_tasks == 0, latest, np.nan)


def earned_schedule(tasks: pd.DataFrame, *, status_date: StatusDate, ev: pd.Series | None = None) -> pd.DataFrame:
    """Earned-schedule metrics per project as of the status date.

    Parameters
    ----------
    tasks : DataFrame
        The ``tasks`` table as loaded.
    status_date : datetime.date, pandas.Timestamp or str
    ev : Series, optional
        EV per project (indexed by ``project_id``), e.g. ``earned_value(...)["ev"]``;
        computed from the tasks when omitted. A project missing from it gets NaN.

    Returns
    -------
    DataFrame
        Indexed by ``project_id`` (sorted; every project with tasks), columns
        ``planned_start, planned_finish, pd_days, at_days, es_days, spi_t,
        sv_t_days, ieac_t_days, forecast_finish, tspi``; dates are
        ``datetime64[ns]``, day counts and indices float64.

    Examples
    --------
    A 10-day task worth 1,000, 40 % done on day 5 (EV 400 = PV on day 4):

    >>> tasks = pd.DataFrame({"project_id": ["P1"], "budget": [1000.0],
    ...     "percent_complete": [40.0], "actual_finish": pd.to_datetime([None]),
    ...     "baseline_start": pd.to_datetime(["2026-01-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-01-11"])})
    >>> row = earned_schedule(tasks, status_date="2026-01-06").loc["P1"]
    >>> row[["pd_days", "at_days", "es_days", "spi_t", "sv_t_days", "ieac_t_days"]].astype(float).tolist()
    [10.0, 5.0, 4.0, 0.8, -1.0, 12.5]
    >>> row["forecast_finish"].date()  # 1 January + ceil(12.5) days
    datetime.date(2026, 1, 14)
    """
    day = day_numbers([status_timestamp(status_date)])[0]
    curves = planned_value_curves(tasks)
    if ev is None:
        code = curves.ids.get_indexer(tasks["project_id"])
        earned = tasks["budget"].to_numpy(dtype="float64") * tasks["percent_complete"].to_numpy(dtype="float64") / 100
        ev_values = np.bincount(code, weights=earned, minlength=len(curves.ids))
    else:
        ev_values = ev.reindex(curves.ids).to_numpy(dtype="float64")
    figures = schedule_from_curves(curves, tasks, ev=ev_values, status_day=day)
    return pd.DataFrame(
        {
            "planned_start": dates_from_days(figures["start"]),
            "planned_finish": dates_from_days(figures["finish"]),
            "pd_days": figures["pd"],
            "at_days": figures["at"],
            "es_days": figures["es"],
            "spi_t": figures["spi_t"],
            "sv_t_days": figures["sv_t"],
            "ieac_t_days": figures["ieac_t"],
            "forecast_finish": dates_from_days(figures["forecast_day"]),
            "tspi": figures["tspi"],
        },
        index=curves.ids,
    )
