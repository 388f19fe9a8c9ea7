"""Earned schedule (spec 2, "Earned schedule"; Lipke), checked against hand arithmetic."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_lib.metrics.earned_schedule import SCHEDULE_COLUMNS, earned_schedule
from pmo_lib.metrics.evm import earned_value

PS = pd.Timestamp("2026-01-01")


def day(n: int) -> pd.Timestamp:
    return PS + pd.Timedelta(days=n)


def tasks_of(table, rows, actual_finish=None):
    """rows: (project, start day, finish day, budget, percent_complete), days counted from PS."""
    project, start, finish, budget, done = zip(*rows)
    return table(
        "tasks",
        project_id=list(project),
        task_id=[f"T{i}" for i in range(len(rows))],
        name=["task"] * len(rows),
        baseline_start=[day(s) for s in start],
        baseline_finish=[day(f) for f in finish],
        budget=[float(b) for b in budget],
        percent_complete=[float(p) for p in done],
        actual_finish=actual_finish or [None] * len(rows),
    )


# Lipke's example: cumulative PV per period 100, 350, 650, 1050, 1500, 2000, 2500, 2950, 3350,
# 3650, 3900, 4000; one task per 10-day period carrying that period's increment.
LIPKE_CUMULATIVE = [100, 350, 650, 1050, 1500, 2000, 2500, 2950, 3350, 3650, 3900, 4000]
LIPKE_INCREMENTS = np.diff([0, *LIPKE_CUMULATIVE])  # 100, 250, 300, 400, 450, 500, 500, 450, ...
PERIOD = 10


def lipke_tasks(table, done):
    return tasks_of(
        table,
        [("L", PERIOD * j, PERIOD * (j + 1), b, p) for j, (b, p) in enumerate(zip(LIPKE_INCREMENTS, done))],
    )


def test_lipke_example(table):
    # Status at the end of period 7 (day 70), EV = 2,260 from 6 whole periods (2,000) and
    # 52 % of period 7's 500 (260).
    tasks = lipke_tasks(table, [100] * 6 + [52] + [0] * 5)
    row = earned_schedule(tasks, status_date=day(70)).loc["L"]
    assert list(row.index) == [*SCHEDULE_COLUMNS, "tspi"]
    # Period 7 runs 2,000 -> 2,500 over days 60..70 (50 a day): PV_65 = 2,250 <= 2,260 < PV_66 = 2,300,
    # so C = 65 and ES = 65 + (2,260 - 2,250) / (2,300 - 2,250) = 65.2 days = 6.52 periods.
    assert row["es_days"] == pytest.approx(65.2)
    assert row["es_days"] / PERIOD == pytest.approx(6.52)
    assert row["pd_days"] == 120 and row["at_days"] == 70
    assert row["planned_start"] == PS and row["planned_finish"] == day(120)
    assert row["spi_t"] == pytest.approx(65.2 / 70)  # 0.9314...
    assert row["sv_t_days"] == pytest.approx(-4.8)
    assert row["ieac_t_days"] == pytest.approx(120 * 70 / 65.2)  # 128.83 days
    assert row["forecast_finish"] == day(129)  # PS + ceil(128.83)
    assert row["tspi"] == pytest.approx((120 - 65.2) / (120 - 70))  # 1.096


def test_lipke_example_with_ev_given(table):
    tasks = lipke_tasks(table, [0] * 12)
    out = earned_schedule(tasks, status_date=day(70), ev=pd.Series({"L": 2_260.0}))
    assert out.loc["L", "es_days"] / PERIOD == pytest.approx(6.52)
    missing = earned_schedule(tasks, status_date=day(70), ev=pd.Series({"other": 1.0}))
    assert np.isnan(missing.loc["L", "es_days"]) and np.isnan(missing.loc["L", "spi_t"])


def test_exactly_on_plan_gives_es_equal_at(table):
    # Awkward budgets and overlapping tasks: EV set to the PV earned_value computes, which is
    # PV_AT up to rounding, so ES must come out as AT exactly (PV rises at day 17).
    tasks = tasks_of(
        table,
        [("P", 0, 37, 1234.56, 0), ("P", 5, 29, 987.65, 0), ("P", 11, 11, 33.3, 0), ("P", 20, 90, 7.77, 0)],
    )
    pv = earned_value(tasks, table("costs"), status_date=day(17))["pv"]
    row = earned_schedule(tasks, status_date=day(17), ev=pv).loc["P"]
    assert row["es_days"] == 17.0 == row["at_days"]
    assert row["spi_t"] == 1.0 and row["sv_t_days"] == 0.0
    assert row["ieac_t_days"] == 90.0 and row["forecast_finish"] == row["planned_finish"] == day(90)


def test_finished_late_uses_latest_actual_finish(table):
    # Planned over days 0..40; all done, last finish on day 50; status date day 80.
    # ES = PD = 40 (C == PD); AT = 50; SPI(t) = 0.8; SV(t) = -10; IEAC = 40 / 0.8 = 50
    # -> forecast finish PS + 50 = the actual finish.
    tasks = tasks_of(
        table, [("P", 0, 20, 100, 100), ("P", 20, 40, 300, 100)], actual_finish=[day(18), day(50)]
    )
    row = earned_schedule(tasks, status_date=day(80)).loc["P"]
    assert (row["es_days"], row["at_days"]) == (40, 50)
    assert row["spi_t"] == pytest.approx(0.8) and row["sv_t_days"] == pytest.approx(-10)
    assert row["ieac_t_days"] == pytest.approx(50) and row["forecast_finish"] == day(50)
    assert np.isnan(row["tspi"])  # PD - AT = -10: no planned time left, TSPI undefined
    # No actual_finish given: the status date stands in, AT = 80, SPI(t) = 40 / 80.
    undated = tasks.assign(actual_finish=pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]"))
    assert earned_schedule(undated, status_date=day(80)).loc["P", "spi_t"] == pytest.approx(0.5)
    # One task still open: AT is the status date's, whatever the finish dates say.
    still_open = tasks.assign(percent_complete=[100.0, 99.0])
    assert earned_schedule(still_open, status_date=day(80)).loc["P", "at_days"] == 80
    # A finish recorded after the status date has not happened yet: capped at the status date.
    assert earned_schedule(tasks, status_date=day(45)).loc["P", "at_days"] == 45


def test_not_started_and_start_day_are_undefined(table):
    # 10-day task of 100 from day 0. Status day -5: AT = -5; EV 0 = PV_0, PV_1 = 10 -> ES = 0.
    tasks = tasks_of(table, [("P", 0, 10, 100, 0)])
    before = earned_schedule(tasks, status_date=day(-5)).loc["P"]
    assert before["at_days"] == -5 and before["es_days"] == 0
    assert before[["spi_t", "sv_t_days", "ieac_t_days"]].isna().all() and pd.isna(before["forecast_finish"])
    assert before["tspi"] == pytest.approx(10 / 15)  # (10 - 0) / (10 + 5)
    on_start = earned_schedule(tasks, status_date=day(0)).loc["P"]  # AT = 0: still undefined
    assert on_start["at_days"] == 0 and np.isnan(on_start["spi_t"]) and pd.isna(on_start["forecast_finish"])


def test_milestones_only(table):
    # Milestones on day 0 (100) and day 10 (300): PV_k = 100 for k = 0..9, PV_10 = 400.
    # First one done, EV 100: C = 9 (PV_9 = 100 <= 100 < PV_10), ES = 9 + 0 / 300 = 9.
    # Status day 5: AT = 5, SPI(t) = 1.8; IEAC = 10 / 1.8 = 5.56 -> forecast day 6.
    tasks = tasks_of(table, [("P", 0, 0, 100, 100), ("P", 10, 10, 300, 0)])
    row = earned_schedule(tasks, status_date=day(5)).loc["P"]
    assert (row["pd_days"], row["es_days"]) == (10, 9)
    assert row["spi_t"] == pytest.approx(1.8) and row["forecast_finish"] == day(6)
    # Nothing achieved yet, EV 0 < PV_0 = 100: no k qualifies, ES = 0 (a day-0 milestone is missing).
    late = earned_schedule(tasks.assign(percent_complete=[0.0, 0.0]), status_date=day(5)).loc["P"]
    assert late["es_days"] == 0 and late["spi_t"] == 0 and late["sv_t_days"] == -5


def test_single_day_project_pd_zero(table):
    # Every task on day 3: PD = 0, so ES = 0 whatever is done. Status day 10 -> AT = 7:
    # SPI(t) = 0 / 7 = 0, SV(t) = -7, IEAC = PD / 0 undefined, no forecast finish.
    tasks = tasks_of(table, [("P", 3, 3, 100, 0), ("P", 3, 3, 50, 0)])
    row = earned_schedule(tasks, status_date=day(10)).loc["P"]
    assert (row["pd_days"], row["at_days"], row["es_days"]) == (0, 7, 0)
    assert row["spi_t"] == 0 and row["sv_t_days"] == -7
    assert np.isnan(row["ieac_t_days"]) and pd.isna(row["forecast_finish"])


def test_zero_budget_has_no_earned_schedule(table):
    tasks = tasks_of(table, [("P", 0, 10, 0, 50)])
    row = earned_schedule(tasks, status_date=day(5)).loc["P"]
    assert row["pd_days"] == 10 and row["at_days"] == 5
    assert row[["es_days", "spi_t", "sv_t_days", "ieac_t_days", "tspi"]].isna().all()


def test_gap_in_plan_takes_the_last_day_of_the_flat_stretch(table):
    # A: days 0..10, 100; B: days 20..30, 100. PV is 100 for days 10..20.
    # EV = 100 (A done): C = 20 (PV_20 = 100, PV_21 = 110), ES = 20 + 0 = 20.
    tasks = tasks_of(table, [("P", 0, 10, 100, 100), ("P", 20, 30, 100, 0)])
    assert earned_schedule(tasks, status_date=day(25)).loc["P", "es_days"] == 20


def test_far_forecast_is_nat_not_an_overflow(table):
    # 10-day task of 1,000,000 (100,000 a day), 0.001 % done: EV 10, ES = 10 / 100,000 = 1e-4 days.
    # Status day 9: IEAC = 10 * 9 / 1e-4 = 900,000 days, some 2,500 years: no date, no overflow.
    tasks = tasks_of(table, [("P", 0, 10, 1e6, 1e-3)])
    row = earned_schedule(tasks, status_date=day(9)).loc["P"]
    assert row["es_days"] == pytest.approx(1e-4)
    assert row["ieac_t_days"] == pytest.approx(900_000) and pd.isna(row["forecast_finish"])


def test_empty_tasks(table):
    out = earned_schedule(table("tasks"), status_date=day(0))
    assert out.empty and list(out.columns) == [*SCHEDULE_COLUMNS, "tspi"]


def reference_es(rows, status_day):
    """The spec's ES for one project, the slow way: PV at every whole day, then the search."""
    start = min(r[0] for r in rows)
    duration = max(r[1] for r in rows) - start

    def pv(t):
        total = 0.0
        for s, f, b, _ in rows:
            total += (b if t >= f else 0.0) if s == f else b * min(max((t - s) / (f - s), 0), 1)
        return total

    bac = sum(r[2] for r in rows)
    ev = sum(b * p / 100 for _, _, b, p in rows)
    tolerance = max(1e-9 * bac, 0.005)  # the documented tolerance for PV_k <= EV and EV == PV_C (>= half a cent)
    curve = [pv(start + k) for k in range(duration + 1)]
    c = max((k for k, v in enumerate(curve) if v <= ev + tolerance), default=-1)
    if c == duration:
        return float(duration)
    if c < 0 or ev - curve[c] <= tolerance:
        return float(max(c, 0))
    return c + (ev - curve[c]) / (curve[c + 1] - curve[c])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 30),
            st.integers(0, 30),
            st.floats(1, 1e6, allow_nan=False),
            st.sampled_from([0.0, 12.5, 50.0, 100.0, 33.3]),
        ),
        min_size=1,
        max_size=10,
    ),
    st.integers(-5, 70),
)
def test_vectorised_es_matches_the_definition_and_stays_in_range(table, rows, status_day):
    tasks = tasks_of(table, [(f"P{p}", s, s + n, b, c) for p, s, n, b, c in rows])
    out = earned_schedule(tasks, status_date=day(status_day))
    for project, row in out.iterrows():
        mine = [(s, s + n, b, c) for p, s, n, b, c in rows if f"P{p}" == project]
        assert 0 <= row["es_days"] <= row["pd_days"]
        assert row["es_days"] == pytest.approx(reference_es(mine, status_day), abs=1e-6)
        if row["at_days"] > 0 and row["spi_t"] > 0:
            offset = math.ceil(row["ieac_t_days"] - 1e-9)
            if offset < 50_000:  # further out is beyond pandas' dates (year 2262): NaT
                assert row["forecast_finish"] == day(min(s for s, *_ in mine)) + pd.Timedelta(days=offset)
            else:
                assert pd.isna(row["forecast_finish"]) or row["forecast_finish"].year > 2150
