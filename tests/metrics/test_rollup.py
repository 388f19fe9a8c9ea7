"""Program and portfolio roll-ups: sums, ratios from the sums, and undefined EACs."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib.metrics.rollup import ROLLUP_COLUMNS, exposure, portfolio_totals, rollup

NAN = float("nan")

# P1, P2 in Core; P3 (not started) and P4 (costs, no tasks) in Grid.
METRICS = pd.DataFrame(
    {
        "bac": [1000.0, 3000.0, 2000.0, NAN],
        "pv": [500.0, 1000.0, 0.0, NAN],
        "ev": [400.0, 900.0, 0.0, NAN],
        "ac": [500.0, 600.0, 0.0, 100.0],
        "planned_start": pd.to_datetime(["2026-01-01", "2025-11-01", "2026-06-01", None]),
        "planned_finish": pd.to_datetime(["2026-12-31", "2026-05-01", "2027-01-31", None]),
    },
    index=pd.Index(["P1", "P2", "P3", "P4"], name="project_id"),
)
PROJECTS = pd.DataFrame({"project_id": ["P1", "P2", "P3", "P4"], "program": ["Core", "Core", "Grid", "Grid"]})


def test_program_sums_and_ratios_from_sums():
    out = rollup(METRICS, PROJECTS)
    assert list(out.columns) == list(ROLLUP_COLUMNS)
    assert list(out.index) == ["Core", "Grid"] and out.index.name == "program"
    core = out.loc["Core"]
    assert core["projects"] == 2
    assert (core["bac"], core["pv"], core["ev"], core["ac"]) == (4000, 1500, 1300, 1100)
    assert core["spi"] == pytest.approx(1300 / 1500)  # 0.867, not the mean of 0.8 and 0.9
    assert core["cpi"] == pytest.approx(1300 / 1100)
    assert core["sv"] == -200 and core["cv"] == 200
    # EAC summed: P1 1000 / 0.8 = 1250, P2 3000 / 1.5 = 2000 -> 3250 (not 4000 / 1.18 = 3385).
    assert core["eac"] == pytest.approx(3250)
    assert core["etc"] == pytest.approx(2150)  # 3250 - 1100
    assert core["vac"] == pytest.approx(750)  # 4000 - 3250
    assert core["eac_atypical"] == pytest.approx(3800)  # 1100 + 4000 - 1300
    # Composite: P1 500 + 600 / (0.8 * 0.8) = 1437.5; P2 600 + 2100 / (1.5 * 0.9) = 2155.56.
    assert core["eac_composite"] == pytest.approx(1437.5 + 600 + 2100 / 1.35)
    assert core["tcpi"] == pytest.approx(2700 / 2900)
    assert core["eac_fallback_projects"] == 0
    assert core["planned_start"] == pd.Timestamp("2025-11-01")
    assert core["planned_finish"] == pd.Timestamp("2026-12-31")


def test_undefined_eac_enters_as_spend_plus_remaining_budget():
    grid = rollup(METRICS, PROJECTS).loc["Grid"]
    # P3 has not started: AC 0 + (BAC 2000 - EV 0) = 2000. P4 has costs only: its AC, 100.
    assert grid["eac"] == 2100 and grid["eac_composite"] == 2100
    assert grid["eac_fallback_projects"] == 2
    assert grid["etc"] == 2000 and grid["vac"] == -100
    assert np.isnan(grid["spi"])  # sum PV = 0
    assert grid["cpi"] == 0  # sum EV 0 / sum AC 100


def test_portfolio_totals():
    total = portfolio_totals(METRICS)
    assert list(total.index) == ["Portfolio"]
    row = total.loc["Portfolio"]
    assert row["projects"] == 4
    assert (row["bac"], row["pv"], row["ev"], row["ac"]) == (6000, 1500, 1300, 1200)
    assert row["spi"] == pytest.approx(1300 / 1500) and row["cpi"] == pytest.approx(1300 / 1200)
    assert row["eac"] == pytest.approx(3250 + 2100)
    assert row["planned_finish"] == pd.Timestamp("2027-01-31")


def test_accepts_project_id_column_and_other_groupings():
    frame = METRICS.reset_index()
    projects = PROJECTS.assign(status=["active", "closed", "active", "active"])
    out = rollup(frame, projects, by="status")
    assert list(out.index) == ["active", "closed"]
    assert out.loc["closed", "bac"] == 3000
    assert list(METRICS.columns) == ["bac", "pv", "ev", "ac", "planned_start", "planned_finish"]  # not mutated


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.integers(0, 10**8).map(lambda cents: cents / 100),  # money is written to the cent
            st.integers(0, 10**8).map(lambda cents: cents / 100),
            st.integers(-10**5, 10**8).map(lambda cents: cents / 100),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_program_spi_is_sum_ev_over_sum_pv(rows):
    programs, pv, ev, ac = zip(*rows)
    ids = [f"P{i}" for i in range(len(rows))]
    frame = pd.DataFrame({"bac": np.maximum(pv, ev), "pv": pv, "ev": ev, "ac": ac}, index=ids)
    out = rollup(frame, pd.DataFrame({"project_id": ids, "program": programs}))
    for program, group in frame.groupby(np.asarray(programs)):
        with np.errstate(all="ignore"):
            expected = group["ev"].sum() / group["pv"].sum() if group["pv"].sum() != 0 else NAN
        expected = expected if np.isfinite(expected) else NAN  # a subnormal PV would overflow: undefined
        assert out.loc[program, "spi"] == pytest.approx(expected, nan_ok=True)
        assert out.loc[program, "projects"] == len(group)



def test_exposure_rule_shares_of_budget_and_edges():
    metrics = pd.DataFrame({"bac": [15.0, 15.0, 70.0, 30.0, 70.0, 0.0, NAN],
                            "overall_rag": ["red", "amber", "green", "amber", "green", "red", "grey"]})
    out = exposure(metrics, ["A", "A", "A", "B", "B", "C", "C"], red_share=0.15, amber_share=0.30)
    # A: red holds exactly 15 % (an edge a person calls reached) -> red; B: amber 30 % exactly -> amber.
    assert out["exposure_rag"].to_dict() == {"A": "red", "B": "amber", "C": "grey"}
    assert out.loc["A", ["red", "amber", "green", "grey"]].tolist() == [1, 1, 1, 0]
    assert out.loc["A", "red_bac_share"] == pytest.approx(0.15)
    assert out.loc["B", "exposure_reason"] == "exposure amber: red and amber projects hold 30 % of the budget (≥ 30 %)"
    assert out.loc["C", "exposure_reason"] == "exposure not rated: no budget"
    # 0.1 + 0.2 of 1.0 is 0.30000000000000004 in binary: still exactly the 30 % edge, and just below it is green.
    edge = exposure(pd.DataFrame({"bac": [0.1, 0.2, 0.7], "overall_rag": ["amber", "amber", "green"]}), ["X"] * 3)
    assert edge.loc["X", "exposure_rag"] == "amber"
    below = exposure(pd.DataFrame({"bac": [29.0, 71.0], "overall_rag": ["amber", "green"]}), ["X"] * 2)
    assert below.loc["X", "exposure_rag"] == "green"
