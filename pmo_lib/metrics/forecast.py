"""Forecast ranges: P50 and P80 of the finish date and the cost at completion (docs/metrics.md, "Forecast ranges").

Two seeded, reproducible methods:

* :func:`statistical_forecast` (Lipke, Zwikael, Henderson and Anbari 2009,
  *Prediction of project outcome*, IJPM 27:400-407): from the spread of the
  period-by-period CPI and SPI(t) of at least ``minimum`` snapshots. The
  natural logarithms of the period indices have a standard deviation ``s``;
  the cumulative index ``I`` is uncertain by the standard error
  ``se = s / sqrt(n) * sqrt((N - n) / (N - 1))`` (``n`` periods observed, ``N``
  periods in the planned duration, at least ``n + 1``). The index at
  probability ``q`` of the outcome being no worse is ``I * exp(-z_q se)``,
  so ``EAC_q = BAC / CPI_q`` and ``finish_q = PS + PD / SPI(t)_q`` days
  (P50: the cumulative index itself). The probability of meeting the baseline
  is ``Phi(ln I / se)`` (of CPI >= 1 for the budget, SPI(t) >= 1 for the finish).
* :func:`monte_carlo_forecast`: every unfinished task's remaining duration and
  remaining cost are drawn from a triangular three-point estimate (optimistic
  ``0.8 m``, most likely ``m``, pessimistic ``1.5 m``) around its most likely
  value scaled by the project's performance (``m = remaining duration / SPI(t)``,
  ``remaining budget / CPI``); every open risk happens with its probability
  band (10-90 %) and then adds its ``cost_impact`` and ``schedule_impact_days``.
  The finish is the latest task finish plus the risks' delays; the cost is AC
  plus the remaining costs plus the risks' costs. Draws are a ``(draws, tasks)``
  array: 10,000 draws of a 100-task project take milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

Z80 = 0.8416212335729143
"""The standard normal quantile of 0.8."""
OPTIMISTIC, PESSIMISTIC = 0.8, 1.5
"""The three-point estimate around the most likely value ``m``: ``(0.8 m, m, 1.5 m)``."""


@dataclass(frozen=True)
class ForecastRange:
    """P50 and P80 of the finish date and cost, and the chances of meeting the baseline.

    Attributes
    ----------
    method : str
        ``"statistical"`` or ``"monte carlo"``.
    basis : str
        What it rests on, in words ("8 periods", "10,000 draws").
    finish_p50, finish_p80 : Timestamp or None
    cost_p50, cost_p80 : float
    p_finish, p_budget : float
        Probability of finishing by the planned finish, and at or below BAC.
    risk_drivers : DataFrame
        ``risk_id, title, p80_cost_shift, p80_finish_shift_days``: how much each
        open risk moves P80 (Monte Carlo only), largest first.
    """

    method: str
    basis: str
    finish_p50: pd.Timestamp | None
    finish_p80: pd.Timestamp | None
    cost_p50: float
    cost_p80: float
    p_finish: float
    p_budget: float
    risk_drivers: pd.DataFrame = field(default_factory=pd.DataFrame)


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def period_indices(series: pd.DataFrame) -> pd.DataFrame:
    """Period-by-period CPI (``dEV / dAC``) and SPI(t) (``dES / dAT``) between consecutive snapshots.

    Periods where an increment is not positive (no work earned, a reversal) are undefined (NaN).

    Examples
    --------
    >>> s = pd.DataFrame({"ev": [0.0, 10.0, 30.0], "ac": [0.0, 10.0, 25.0], "es_days": [0.0, 6.0, 13.0],
    ...                   "at_days": [0.0, 7.0, 14.0]})
    >>> period_indices(s).round(3).values.tolist()
    [[1.0, 0.857], [1.333, 1.0]]
    """
    d = series[["ev", "ac", "es_days", "at_days"]].astype(float).diff().iloc[1:]
    cpi = (d["ev"] / d["ac"]).where((d["ev"] > 0) & (d["ac"] > 0))
    spi_t = (d["es_days"] / d["at_days"]).where((d["es_days"] > 0) & (d["at_days"] > 0))
    return pd.DataFrame({"cpi": cpi, "spi_t": spi_t}).reset_index(drop=True)


def _standard_error(values: pd.Series, population: float) -> float | None:
    logs = np.log(values.dropna().to_numpy(dtype=float))
    n = logs.size
    if n < 2:
        return None
    big_n = max(population, n + 1.0)
    return float(np.std(logs, ddof=1) / math.sqrt(n) * math.sqrt((big_n - n) / (big_n - 1.0)))


def statistical_forecast(series: pd.DataFrame, *, minimum: int = 6, period_days: float = 7.0) -> ForecastRange | None:
    """P50/P80 from the spread of the period indices of a project's snapshots (None below ``minimum``).

    Parameters
    ----------
    series : DataFrame
        One project's snapshots, oldest first, with ``ev, ac, es_days, at_days,
        cpi, spi_t, bac, pd_days, planned_start`` (the history's project rows).
    minimum : int
        Snapshots needed.
    period_days : float
        Length of a reporting period, for the number of periods in the planned duration.

    Examples
    --------
    >>> s = pd.DataFrame({"ev": [0, 10, 20, 30, 40, 50.0], "ac": [0, 10, 20, 30, 40, 50.0],
    ...     "es_days": [0, 7, 14, 21, 28, 35.0], "at_days": [0, 7, 14, 21, 28, 35.0], "cpi": 1.0,
    ...     "spi_t": 1.0, "bac": 100.0, "pd_days": 70.0, "planned_start": pd.Timestamp("2026-01-01")})
    >>> f = statistical_forecast(s)
    >>> f.cost_p50, f.cost_p80, str(f.finish_p80.date()), f.basis
    (100.0, 100.0, '2026-03-12', '5 periods')
    """
    if len(series) < minimum:
        return None
    last = series.iloc[-1]
    periods = period_indices(series)
    population = float(last["pd_days"]) / period_days if pd.notna(last["pd_days"]) else 0.0
    se_cost = _standard_error(periods["cpi"], population)
    se_time = _standard_error(periods["spi_t"], population)
    cpi, spi_t, bac = float(last["cpi"]), float(last["spi_t"]), float(last["bac"])
    cost_p50 = cost_p80 = p_budget = math.nan
    if se_cost is not None and cpi > 0:
        cost_p50, cost_p80 = bac / cpi, bac / (cpi * math.exp(-Z80 * se_cost))
        p_budget = _phi(math.log(cpi) / se_cost) if se_cost > 0 else float(cpi >= 1)
    finish_p50 = finish_p80 = None
    p_finish = math.nan
    if se_time is not None and spi_t > 0 and pd.notna(last["planned_start"]):
        start, pd_days = pd.Timestamp(last["planned_start"]), float(last["pd_days"])
        finish_p50 = start + pd.Timedelta(days=math.ceil(pd_days / spi_t - 1e-9))
        finish_p80 = start + pd.Timedelta(days=math.ceil(pd_days / (spi_t * math.exp(-Z80 * se_time)) - 1e-9))
        p_finish = _phi(math.log(spi_t) / se_time) if se_time > 0 else float(spi_t >= 1)
    used = int(periods[["cpi", "spi_t"]].notna().any(axis=1).sum())
    return ForecastRange("statistical", f"{used} periods", finish_p50, finish_p80, cost_p50, cost_p80,
                         p_finish, p_budget)


def _unit_draws(rng: np.random.Generator, draws: int, tasks: int) -> np.ndarray:
    """``(draws, tasks)`` draws of the unit three-point estimate ``(0.8, 1, 1.5)``; scale by ``m``."""
    return rng.triangular(OPTIMISTIC, 1.0, PESSIMISTIC, size=(draws, tasks))


def monte_carlo_forecast(
    tasks: pd.DataFrame,
    risks: pd.DataFrame | None = None,
    *,
    status_date,
    ac: float,
    bac: float,
    planned_finish,
    cpi: float = 1.0,
    spi_t: float = 1.0,
    draws: int = 10_000,
    seed: int = 13,
) -> ForecastRange:
    """P50/P80 of finish and cost from a Monte Carlo over the remaining work and the open risks.

    Parameters
    ----------
    tasks : DataFrame
        One project's tasks (``budget, percent_complete, baseline_start, baseline_finish``,
        optionally ``forecast_start, forecast_finish, actual_finish``).
    risks : DataFrame, optional
        Its risks (``risk_id, title, probability, status``, optionally ``cost_impact``
        and ``schedule_impact_days``); only open ones count.
    status_date : date-like
    ac, bac : float
        Actual cost to date and budget at completion.
    planned_finish : date-like
        The baseline finish, for the probability of meeting it.
    cpi, spi_t : float
        The project's performance; undefined or non-positive values count as 1.
    draws, seed : int

    Examples
    --------
    >>> tasks = pd.DataFrame({"budget": [1000.0], "percent_complete": [0.0],
    ...     "baseline_start": pd.to_datetime(["2026-01-01"]), "baseline_finish": pd.to_datetime(["2026-01-11"])})
    >>> f = monte_carlo_forecast(tasks, status_date="2026-01-01", ac=0.0, bac=1000.0, planned_finish="2026-01-11")
    >>> round(f.cost_p50, -1), f.basis
    (1080.0, '10,000 draws')
    """
    status = pd.Timestamp(status_date)
    cpi = cpi if cpi and np.isfinite(cpi) and cpi > 0 else 1.0
    spi_t = spi_t if spi_t and np.isfinite(spi_t) and spi_t > 0 else 1.0
    done = tasks["actual_finish"].notna() & (tasks["actual_finish"] <= status) if "actual_finish" in tasks else False
    open_tasks = tasks[~(done | (tasks["percent_complete"] >= 100))]
    start = open_tasks["forecast_start"].fillna(open_tasks["baseline_start"]) if "forecast_start" in open_tasks \
        else open_tasks["baseline_start"]
    finish = open_tasks["forecast_finish"].fillna(open_tasks["baseline_finish"]) if "forecast_finish" in open_tasks \
        else open_tasks["baseline_finish"]
    begin = np.maximum(start.to_numpy("datetime64[ns]"), status.to_datetime64())
    offset = ((begin - status.to_datetime64()) / np.timedelta64(1, "D")).astype(float)
    duration = np.maximum(((finish.to_numpy("datetime64[ns]") - begin) / np.timedelta64(1, "D")).astype(float), 0.0)
    remaining = (open_tasks["budget"].to_numpy(float) * (1 - open_tasks["percent_complete"].to_numpy(float) / 100))
    rng = np.random.default_rng(seed)
    days = _unit_draws(rng, draws, len(open_tasks))
    finish_days = (offset + days * (duration / spi_t)).max(axis=1) if len(open_tasks) else np.zeros(draws)
    total = ac + _unit_draws(rng, draws, len(open_tasks)) @ (remaining / cpi)  # the sum of the remaining costs
    drivers = pd.DataFrame(columns=["risk_id", "title", "p80_cost_shift", "p80_finish_shift_days"])
    if risks is not None and len(risks):
        live = risks[risks["status"].astype(str) == "open"]
        band = (2 * live["probability"].astype(float).to_numpy() - 1) / 10
        money = pd.to_numeric(live["cost_impact"], errors="coerce").fillna(0).to_numpy(float) \
            if "cost_impact" in live else np.zeros(len(live))
        delay = pd.to_numeric(live["schedule_impact_days"], errors="coerce").fillna(0).to_numpy(float) \
            if "schedule_impact_days" in live else np.zeros(len(live))
        happens = rng.random((draws, len(live))) < band
        risk_cost, risk_days = happens * money, happens * delay
        total_with, finish_with = total + risk_cost.sum(axis=1), finish_days + risk_days.sum(axis=1)
        p80_cost, p80_days = np.quantile(total_with, 0.8), np.quantile(finish_with, 0.8)
        shifts = [(p80_cost - np.quantile(total_with - risk_cost[:, j], 0.8),
                   p80_days - np.quantile(finish_with - risk_days[:, j], 0.8)) for j in range(len(live))]
        drivers = pd.DataFrame({"risk_id": live["risk_id"].to_numpy(), "title": live["title"].to_numpy(),
                                "p80_cost_shift": [s[0] for s in shifts],
                                "p80_finish_shift_days": [s[1] for s in shifts]})
        drivers = drivers.sort_values(["p80_cost_shift", "p80_finish_shift_days"], ascending=False,
                                      kind="stable").reset_index(drop=True)
        total, finish_days = total_with, finish_with
    planned = (pd.Timestamp(planned_finish) - status).days if pd.notna(planned_finish) else math.nan
    return ForecastRange(
        "monte carlo", f"{draws:,} draws",
        status + pd.Timedelta(days=math.ceil(np.quantile(finish_days, 0.5))),
        status + pd.Timedelta(days=math.ceil(np.quantile(finish_days, 0.8))),
        float(np.quantile(total, 0.5)), float(np.quantile(total, 0.8)),
        float(np.mean(finish_days <= planned)) if np.isfinite(planned) else math.nan,
        float(np.mean(total <= bac + 1e-9)), drivers)
