"""Earned value (spec 2, "Earned value") and the S-curve, checked against hand arithmetic."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_lib.metrics.evm import EVM_COLUMNS, earned_value, evm_from_totals
from pmo_lib.metrics.s_curve import s_curve
from pmo_lib.metrics.status import rag_from_index


def tasks_of(table, rows):
    """rows: (project, start, finish, budget, percent_complete)."""
    project, start, finish, budget, done = zip(*rows)
    return table(
        "tasks",
        project_id=list(project),
        task_id=[f"T{i}" for i in range(len(rows))],
        name=["task"] * len(rows),
        baseline_start=list(start),
        baseline_finish=list(finish),
        budget=[float(b) for b in budget],
        percent_complete=[float(p) for p in done],
    )


def costs_of(table, rows):
    """rows: (project, date, amount)."""
    project, day, amount = zip(*rows) if rows else ((), (), ())
    return table("costs", project_id=list(project), date=list(day), amount=[float(a) for a in amount])


def test_textbook_example(table):
    # One task, 1-11 Jan (10 days), BAC 100,000; status 6 Jan: PV = 100,000 * 5/10 = 50,000.
    # 40 % complete: EV = 40,000. Costs 45,000 on 5 Jan: AC = 45,000.
    tasks = tasks_of(table, [("P1", "2026-01-01", "2026-01-11", 100_000, 40)])
    costs = costs_of(table, [("P1", "2026-01-05", 45_000)])
    row = earned_value(tasks, costs, status_date=date(2026, 1, 6)).loc["P1"]
    assert list(row.index) == list(EVM_COLUMNS)
    assert (row["bac"], row["pv"], row["ev"], row["ac"]) == (100_000, 50_000, 40_000, 45_000)
    assert row["sv"] == -10_000  # 40,000 - 50,000
    assert row["cv"] == -5_000  # 40,000 - 45,000
    assert row["spi"] == pytest.approx(0.8)  # 40 / 50
    assert row["cpi"] == pytest.approx(8 / 9)  # 40 / 45 = 0.888...
    assert row["eac"] == pytest.approx(112_500)  # 100,000 / (8/9)
    assert row["eac_atypical"] == pytest.approx(105_000)  # 45,000 + (100,000 - 40,000)
    # CPI * SPI = 8/9 * 4/5 = 32/45; 60,000 / (32/45) = 84,375; + 45,000
    assert row["eac_composite"] == pytest.approx(129_375)
    assert row["etc"] == pytest.approx(67_500)  # 112,500 - 45,000
    assert row["vac"] == pytest.approx(-12_500)  # 100,000 - 112,500
    assert row["tcpi"] == pytest.approx(60_000 / 55_000)  # (100 - 40) / (100 - 45) thousand


def test_costs_after_status_date_excluded_reversals_included(table):
    tasks = tasks_of(table, [("P1", "2026-01-01", "2026-01-11", 1_000, 50)])
    costs = costs_of(
        table,
        [
            ("P1", "2026-01-02", 300),
            ("P1", "2026-01-06", -50),  # a reversal on the status date itself: counts
            ("P1", "2026-01-07", 999),  # after the status date: has not happened
        ],
    )
    row = earned_value(tasks, costs, status_date="2026-01-06").loc["P1"]
    assert row["ac"] == 250  # 300 - 50
    assert row["cpi"] == pytest.approx(2.0)  # EV 500 / AC 250


def test_planned_value_per_task_shape(table):
    # Status 5 Jan. A: 1-11 Jan, 1,000 -> 1,000 * 4/10 = 400. B: starts 6 Jan -> 0.
    # C: 20 Dec - 30 Dec, finished before T -> 200. D: milestone on 5 Jan (t >= F) -> 50.
    # E: milestone on 6 Jan -> 0. PV = 400 + 0 + 200 + 50 + 0 = 650; BAC = 1,000+300+200+50+70.
    tasks = tasks_of(
        table,
        [
            ("P1", "2026-01-01", "2026-01-11", 1_000, 0),
            ("P1", "2026-01-06", "2026-01-20", 300, 0),
            ("P1", "2025-12-20", "2025-12-30", 200, 100),
            ("P1", "2026-01-05", "2026-01-05", 50, 100),
            ("P1", "2026-01-06", "2026-01-06", 70, 0),
        ],
    )
    row = earned_value(tasks, costs_of(table, []), status_date="2026-01-05").loc["P1"]
    assert row["pv"] == pytest.approx(650)
    assert row["bac"] == 1_620
    assert row["ev"] == 250  # 200 + 50
    assert row["ac"] == 0  # tasks but no costs: nothing spent


def test_milestones_only(table):
    # S == F: PV = B once t >= F, else 0.
    tasks = tasks_of(table, [("P1", "2026-01-10", "2026-01-10", 500, 0)])
    before = earned_value(tasks, costs_of(table, []), status_date="2026-01-09").loc["P1"]
    on_the_day = earned_value(tasks, costs_of(table, []), status_date="2026-01-10").loc["P1"]
    assert before["pv"] == 0 and np.isnan(before["spi"])
    assert on_the_day["pv"] == 500 and on_the_day["spi"] == 0  # EV 0 / PV 500


def test_not_started_has_no_ratios(table):
    # Starts after the status date: PV = EV = AC = 0; every ratio undefined, never 0 or inf.
    tasks = tasks_of(table, [("P1", "2026-02-01", "2026-03-01", 10_000, 0)])
    row = earned_value(tasks, costs_of(table, []), status_date="2026-01-15").loc["P1"]
    for name in ("spi", "cpi", "eac", "eac_composite", "etc", "vac"):
        assert np.isnan(row[name]), name
    assert row["eac_atypical"] == 10_000  # 0 + (10,000 - 0)
    assert row["tcpi"] == 1.0  # 10,000 / 10,000


def test_zero_budget_ratios_undefined(table):
    tasks = tasks_of(table, [("P1", "2026-01-01", "2026-01-11", 0, 50), ("P2", "2026-01-01", "2026-01-11", 0, 0)])
    costs = costs_of(table, [("P2", "2026-01-02", 100)])
    out = earned_value(tasks, costs, status_date="2026-01-06")
    p1 = out.loc["P1"]  # BAC 0, AC 0: 0/0 everywhere
    for name in ("spi", "cpi", "eac", "eac_composite", "etc", "vac", "tcpi"):
        assert np.isnan(p1[name]), name
    p2 = out.loc["P2"]  # BAC 0, AC 100: CPI = 0 / 100 = 0, so EAC = 0 / 0: undefined
    assert p2["cpi"] == 0
    assert np.isnan(p2["eac"]) and np.isnan(p2["eac_composite"]) and np.isnan(p2["vac"])
    assert p2["tcpi"] == 0 and not np.signbit(p2["tcpi"])  # (0 - 0) / (0 - 100): 0, not -0
    assert not np.isinf(out.to_numpy(dtype=float)).any()


def test_projects_with_costs_only_or_tasks_only(table):
    tasks = tasks_of(table, [("B", "2026-01-01", "2026-01-11", 1_000, 50)])
    costs = costs_of(table, [("A", "2026-01-02", 70), ("C", "2026-02-02", 5)])
    out = earned_value(tasks, costs, status_date="2026-01-06")
    assert list(out.index) == ["A", "B", "C"]
    assert out.index.name == "project_id"
    # A has spend but no tasks: no baseline, so no BAC/PV/EV and nothing derived.
    assert out.loc["A", "ac"] == 70
    assert out.loc["A", ["bac", "pv", "ev", "cv", "cpi", "eac"]].isna().all()
    assert out.loc["B", "ac"] == 0
    assert out.loc["C", "ac"] == 0  # its only cost is after the status date


def test_status_date_forms_agree(table):
    tasks = tasks_of(table, [("P1", "2026-01-01", "2026-01-11", 1_000, 50)])
    costs = costs_of(table, [("P1", "2026-01-06", 10)])
    results = [
        earned_value(tasks, costs, status_date=value)
        for value in (date(2026, 1, 6), "2026-01-06", pd.Timestamp("2026-01-06 17:45"))
    ]
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)
    with pytest.raises(ValueError, match="status_date"):
        earned_value(tasks, costs, status_date="not a date")


def test_empty_tables(table):
    out = earned_value(table("tasks"), table("costs"), status_date="2026-01-06")
    assert out.empty and list(out.columns) == list(EVM_COLUMNS)


def test_evm_from_totals_keeps_other_columns_and_input():
    frame = pd.DataFrame({"bac": [100.0], "pv": [0.0], "ev": [0.0], "ac": [10.0], "note": ["x"]})
    out = evm_from_totals(frame)
    assert list(frame.columns) == ["bac", "pv", "ev", "ac", "note"]  # input untouched
    assert out["note"].tolist() == ["x"]
    # CPI = 0 / 10 = 0 is defined; EAC = BAC / 0 is not; composite divides by CPI * SPI (SPI = 0/0).
    assert out["cpi"].tolist() == [0.0]
    assert out[["spi", "eac", "eac_composite", "etc", "vac"]].isna().all(axis=None)
    assert out["tcpi"].tolist() == [pytest.approx(100 / 90)]
    # A denominator so small the quotient overflows is undefined too, never infinity.
    tiny = evm_from_totals(pd.DataFrame({"bac": [1.0], "pv": [1e-310], "ev": [1.0], "ac": [1.0]}))
    assert np.isnan(tiny.loc[0, "spi"]) and np.isnan(tiny.loc[0, "eac_composite"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),  # project
            st.integers(0, 60),  # start offset in days
            st.integers(0, 40),  # length in days
            st.floats(0, 1e6, allow_nan=False),  # budget
            st.floats(0, 100, allow_nan=False),  # percent complete
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(-10, 110),
)
def test_planned_value_between_zero_and_bac(table, rows, status_offset):
    origin = pd.Timestamp("2026-01-01")
    tasks = tasks_of(
        table,
        [
            (f"P{p}", origin + pd.Timedelta(days=s), origin + pd.Timedelta(days=s + n), b, c)
            for p, s, n, b, c in rows
        ],
    )
    out = earned_value(tasks, costs_of(table, []), status_date=origin + pd.Timedelta(days=status_offset))
    tolerance = 1e-9 * out["bac"]
    assert (out["pv"] >= 0).all()
    assert (out["pv"] <= out["bac"] + tolerance).all()
    assert (out["ev"] <= out["bac"] + tolerance).all()


def test_s_curve_worked_example(table):
    # Task A: Fri 2 Jan - Fri 16 Jan (14 days), 1,400 = 100/day, 50 % done: EV 700.
    # Milestone B: Fri 23 Jan, 600. Status date Mon 12 Jan.
    tasks = tasks_of(
        table, [("P1", "2026-01-02", "2026-01-16", 1_400, 50), ("P1", "2026-01-23", "2026-01-23", 600, 0)]
    )
    costs = costs_of(table, [("P1", "2025-12-29", 100), ("P1", "2026-01-05", 500), ("P1", "2026-01-20", 999)])
    curve = s_curve(tasks, costs, status_date="2026-01-12")
    assert list(curve.columns) == ["project_id", "date", "series", "value"]
    assert curve["series"].unique().tolist() == ["pv", "ev", "ac", "eac_forecast"]

    def points(series):
        part = curve[curve["series"] == series]
        return list(zip(part["date"].dt.strftime("%Y-%m-%d"), part["value"]))

    # PV at the planned start, the Fridays between, and the planned finish: 0, 7*100, 14*100, 1,400+600.
    assert points("pv") == [("2026-01-02", 0), ("2026-01-09", 700), ("2026-01-16", 1_400), ("2026-01-23", 2_000)]
    assert points("ev") == [("2026-01-12", 700)]
    # AC from the first cost (29 Dec), Fridays 2 and 9 Jan, then the status date; 20 Jan not yet.
    assert points("ac") == [("2025-12-29", 100), ("2026-01-02", 100), ("2026-01-09", 600), ("2026-01-12", 600)]
    # ES: PV_7 = 700 = EV, so ES = 7; AT = 10; SPI(t) = 0.7; PD = 21; IEAC = 21 / 0.7 = 30 days
    # -> forecast 2 Jan + 30 = 1 Feb. CPI = 700 / 600; EAC = 2,000 * 600 / 700 = 1,714.2857...
    (start, first), (end, last) = points("eac_forecast")
    assert (start, first) == ("2026-01-12", 600)
    assert end == "2026-02-01"
    assert last == pytest.approx(12_000 / 7)


def test_s_curve_projects_without_plan_or_eac(table):
    # P2 has costs only: no PV, EV or EAC; its AC runs to the status date.
    # P3 has not started (EAC undefined): PV curve and a zero AC point only, plus EV 0.
    tasks = tasks_of(table, [("P3", "2026-02-06", "2026-02-13", 700, 0)])
    costs = costs_of(table, [("P2", "2026-01-07", 40)])
    curve = s_curve(tasks, costs, status_date="2026-01-12", freq="D")
    p2 = curve[curve["project_id"] == "P2"]
    assert p2["series"].unique().tolist() == ["ac"]
    assert p2["value"].tolist() == [40.0] * 6  # 7..12 Jan daily, cumulative
    p3 = curve[curve["project_id"] == "P3"]
    assert p3.groupby("series", sort=False).size().to_dict() == {"pv": 8, "ev": 1, "ac": 1}
    assert p3.loc[p3["series"] == "pv", "value"].tolist() == [100.0 * k for k in range(8)]


def test_s_curve_empty(table):
    curve = s_curve(table("tasks"), table("costs"), status_date="2026-01-12")
    assert curve.empty and list(curve.columns) == ["project_id", "date", "series", "value"]


def test_costs_adding_up_to_the_budget_exactly_give_an_undefined_tcpi(table):
    # Spec "Exact at the edges": 1,799.70 + 0.10 + 0.20 of cost against a BAC of 1,800 is the budget exactly;
    # in binary floating point the sum is 1800.0000000000002 and BAC - AC = -2.3e-13 gave a TCPI of -1e15.
    tasks = tasks_of(table, [("P1", "2026-01-01", "2026-01-11", 1_800, 50)])
    costs = costs_of(table, [("P1", "2026-01-02", 1_799.7), ("P1", "2026-01-03", 0.1), ("P1", "2026-01-04", 0.2)])
    row = earned_value(tasks, costs, status_date=date(2026, 1, 6)).loc["P1"]
    assert row["ac"] == 1_800.0
    assert np.isnan(row["tcpi"])
    assert row["cpi"] == 0.5 and row["eac"] == 3_600.0 and row["vac"] == -1_800.0


def test_a_cpi_of_exactly_085_is_amber_not_red(table):
    # EV 0.85 * 100 = 85 of 100 spent; 0.1 * 8.5 style dust must not push it below the amber edge.
    tasks = tasks_of(table, [("P1", "2026-01-01", "2026-01-11", 1_000, 8.5)])
    costs = costs_of(table, [("P1", "2026-01-02", 100)])
    row = earned_value(tasks, costs, status_date=date(2026, 1, 6)).loc["P1"]
    assert row["ev"] == 85.0
    assert rag_from_index(pd.Series([row["cpi"], 0.1 * 8.5])).tolist() == ["amber", "amber"]
    assert rag_from_index(pd.Series([0.8499])).tolist() == ["red"]
