"""Forecast ranges against closed-form cases: one task, a sum of independent tasks, a certain risk, Lipke's method."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pmo_lib.metrics.forecast import Z80, monte_carlo_forecast, period_indices, statistical_forecast

STATUS = pd.Timestamp("2026-01-01")


def tasks(n: int, *, budget: float = 1000.0, days: int = 10, pct: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame({"budget": budget, "percent_complete": pct,
                         "baseline_start": [STATUS] * n, "baseline_finish": [STATUS + pd.Timedelta(days=days)] * n})


def triangular_quantile(q: float, a: float, m: float, b: float) -> float:
    if q < (m - a) / (b - a):
        return a + math.sqrt(q * (b - a) * (m - a))
    return b - math.sqrt((1 - q) * (b - a) * (b - m))


def forecast(frame, risks=None, **options):
    defaults = {"status_date": STATUS, "ac": 0.0, "bac": float(frame["budget"].sum()),
                "planned_finish": STATUS + pd.Timedelta(days=10)}
    return monte_carlo_forecast(frame, risks, **{**defaults, **options})


def test_one_task_matches_the_triangular_quantiles():
    f = forecast(tasks(1), cpi=0.8, ac=250.0, draws=200_000)
    m = 1000.0 / 0.8
    assert f.cost_p50 == pytest.approx(250 + triangular_quantile(0.5, 0.8 * m, m, 1.5 * m), rel=0.003)
    assert f.cost_p80 == pytest.approx(250 + triangular_quantile(0.8, 0.8 * m, m, 1.5 * m), rel=0.003)
    # P(cost <= BAC = 1000) = P(draw <= 750) = 0: the optimistic end is 0.8 x 1250 = 1000 > 750
    assert f.p_budget == 0.0
    days = 10 / 0.5  # SPI(t) 0.5 doubles the remaining duration
    f = forecast(tasks(1), spi_t=0.5, draws=200_000)
    assert (f.finish_p80 - STATUS).days == math.ceil(triangular_quantile(0.8, 0.8 * days, days, 1.5 * days))
    assert f.p_finish == 0.0


def test_a_sum_of_independent_tasks_has_the_summed_mean_and_variance():
    f = forecast(tasks(100, budget=100.0), draws=10_000)
    a, m, b = 80.0, 100.0, 150.0
    mean = 100 * (a + m + b) / 3
    sd = math.sqrt(100 * (a * a + m * m + b * b - a * m - a * b - m * b) / 18)
    assert f.cost_p50 == pytest.approx(mean, abs=0.05 * sd)  # the sum is nearly normal: median ~ mean
    assert f.cost_p80 == pytest.approx(mean + Z80 * sd, abs=0.05 * sd)
    assert f.p_budget == 0.0  # 10,000 > mean - 10 sd


def test_a_certain_risk_shifts_cost_and_finish_by_exactly_its_impact():
    risk = pd.DataFrame({"risk_id": ["R1", "R2"], "title": ["Vendor", "Unlikely"], "probability": [5.5, 1],
                         "status": ["open", "closed"], "cost_impact": [500.0, 9e9], "schedule_impact_days": [7, 99]})
    base = forecast(tasks(3), draws=10_000, seed=5)
    with_risk = forecast(tasks(3), risk, draws=10_000, seed=5)
    assert with_risk.cost_p50 == pytest.approx(base.cost_p50 + 500.0)
    assert with_risk.cost_p80 == pytest.approx(base.cost_p80 + 500.0)
    assert (with_risk.finish_p80 - base.finish_p80).days == 7
    assert with_risk.risk_drivers[["risk_id", "p80_cost_shift", "p80_finish_shift_days"]].values.tolist() == [
        ["R1", pytest.approx(500.0), pytest.approx(7.0)]]


def test_finished_work_is_not_drawn_and_seeds_reproduce():
    done = tasks(2, pct=100.0)
    f = forecast(done, ac=1800.0, bac=2000.0)
    assert (f.cost_p50, f.cost_p80, f.p_budget, f.finish_p50) == (1800.0, 1800.0, 1.0, STATUS)
    assert forecast(tasks(5), seed=3).cost_p80 == forecast(tasks(5), seed=3).cost_p80


def test_statistical_forecast_follows_lipke():
    # periods alternate CPI 1.25 / 0.8 (ln = +-0.2231) and SPI(t) 1.0: cumulative CPI 1.0 after 6 periods
    ev = np.cumsum([0, 100, 80, 100, 80, 100, 80])
    ac = np.cumsum([0, 80, 100, 80, 100, 80, 100])
    series = pd.DataFrame({"ev": ev.astype(float), "ac": ac.astype(float), "es_days": np.arange(7) * 7.0,
                           "at_days": np.arange(7) * 7.0, "bac": 1000.0, "pd_days": 140.0,
                           "planned_start": pd.Timestamp("2026-01-01")})
    series["cpi"], series["spi_t"] = series["ev"] / series["ac"], 1.0
    assert statistical_forecast(series.iloc[:5]) is None  # fewer than 6 snapshots
    f = statistical_forecast(series)
    logs = np.log(period_indices(series)["cpi"])
    se = logs.std(ddof=1) / math.sqrt(6) * math.sqrt((20 - 6) / (20 - 1))
    assert f.basis == "6 periods"
    assert f.cost_p50 == pytest.approx(1000.0)
    assert f.cost_p80 == pytest.approx(1000.0 * math.exp(Z80 * se))
    assert f.p_budget == pytest.approx(0.5)
    assert f.finish_p50 == f.finish_p80 == pd.Timestamp("2026-05-21")  # SPI(t) has no spread: PS + 140 days
