"""Tests for pmo_lib.data.sample: the generated Northwind Utilities portfolio."""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.sample import generate_portfolio, write_portfolio
from pmo_lib.data.sample.common import NOT_GENERATED
from pmo_lib.data.schema import PROJECT_ID_PATTERN, TABLE_ORDER, TABLES, empty_frame_dtypes

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

STATUS = datetime.date(2026, 11, 20)
T = pd.Timestamp(STATUS)
COMMITTED = Path(__file__).resolve().parents[2] / "data" / "sample"
HEALTHY_STORIES = ("PRJ-001", "PRJ-002", "PRJ-004", "PRJ-006", "PRJ-007", "PRJ-009", "PRJ-011", "PRJ-012",
                   "PRJ-014", "PRJ-015", "PRJ-016", "PRJ-018", "PRJ-019", "PRJ-020", "PRJ-021", "PRJ-024")


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_portfolio(projects=24, seed=7, status_date=STATUS)


@pytest.fixture(scope="module")
def folder(sample, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_portfolio(sample, out)
    return out


@pytest.fixture(scope="module")
def evm(sample) -> pd.DataFrame:
    """PV, EV, AC, SPI and CPI per project, straight from the spec's formulas."""
    tasks, costs = sample["tasks"], sample["costs"]
    start, finish = tasks["baseline_start"], tasks["baseline_finish"]
    span = (finish - start).dt.days
    ratio = ((T - start).dt.days / span.where(span > 0)).clip(0, 1)
    fraction = ratio.where(span > 0, (T >= finish).astype(float))
    frame = tasks.assign(pv=tasks["budget"] * fraction, ev=tasks["budget"] * tasks["percent_complete"] / 100)
    out = frame.groupby("project_id")[["pv", "ev", "budget"]].sum()
    out["ac"] = costs[costs["date"] <= T].groupby("project_id")["amount"].sum()
    out["ac"] = out["ac"].fillna(0.0)
    out["spi"] = out["ev"] / out["pv"].where(out["pv"] > 0)
    out["cpi"] = out["ev"] / out["ac"].where(out["ac"] > 0)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.glob("*.csv"))}


# --- the contract ------------------------------------------------------------------------------
def _generated(name: str) -> list[str]:
    """The contract columns the sample writes: all but the optional ones it leaves out."""
    return [c for c in TABLES[name].names if c not in NOT_GENERATED.get(name, ())]


def test_every_table_has_the_contract_columns_and_dtypes(sample):
    assert list(sample) == list(TABLE_ORDER)
    assert NOT_GENERATED == {"tasks": ("predecessors",)}  # optional, shown nowhere yet
    assert not any(TABLES[name].column(c).required for name, cs in NOT_GENERATED.items() for c in cs)
    for name, frame in sample.items():
        assert list(frame.columns) == _generated(name), name
        dtypes = {c: str(t) for c, t in frame.dtypes.items()}
        assert dtypes == {c: t for c, t in empty_frame_dtypes(name).items() if c in _generated(name)}, name


def test_required_cells_are_filled_and_values_in_range(sample):
    for name, frame in sample.items():
        for col in TABLES[name].columns:
            if col.name not in _generated(name):
                continue
            values = frame[col.name]
            if col.required and not col.may_be_empty:
                assert values.notna().all(), (name, col.name)
                if col.kind in ("text", "id"):
                    assert (values != "").all(), (name, col.name)
            present = values.dropna()
            if col.minimum is not None:
                assert (present > col.minimum).all() if col.exclusive_minimum else (present >= col.minimum).all()
            if col.maximum is not None:
                assert (present <= col.maximum).all(), (name, col.name)
            if col.kind == "category" and col.required:
                assert values.notna().all(), (name, col.name)  # a value outside the set would be NaN


def test_ids_keys_and_references_are_valid(sample):
    projects = set(sample["projects"]["project_id"])
    assert all(PROJECT_ID_PATTERN.match(p) for p in projects)
    for name, frame in sample.items():
        spec = TABLES[name]
        if spec.key:
            assert not frame.duplicated(list(spec.key)).any(), name
        if "project_id" in spec.references:
            assert set(frame["project_id"]) <= projects, name
    assert set(sample["assignments"]["resource_id"]) <= set(sample["resources"]["resource_id"])


def test_dates_are_in_order(sample):
    for name, frame in sample.items():
        for before, after in TABLES[name].date_order:
            both = frame[before].notna() & frame[after].notna()
            assert (frame.loc[both, after] >= frame.loc[both, before]).all(), (name, before, after)
    changes = sample["changes"]
    decided = changes["decided_date"].notna()
    assert (changes.loc[decided, "decided_date"] >= changes.loc[decided, "raised_date"]).all()
    assert (decided == (changes["status"] != "proposed")).all()


def test_the_only_warnings_are_the_deliberate_ones(sample, evm):
    tasks = sample["tasks"]
    odd = tasks[tasks["actual_finish"].notna() & (tasks["percent_complete"] < 100)]
    assert odd["project_id"].tolist() == ["PRJ-015"]
    approved = sample["projects"].set_index("project_id")["budget"]
    assert evm.index[evm["budget"] > approved].tolist() == ["PRJ-011"]


# --- sizes and shapes --------------------------------------------------------------------------
def test_default_sizes(sample):
    per_project = sample["tasks"].groupby("project_id").size()
    assert len(per_project) == 24 and per_project.between(6, 20).all()
    assert sample["projects"]["program"].value_counts().to_dict() == {
        "Digital Customer": 6, "Grid Modernisation": 6, "Corporate Systems": 6, "Regulatory & Compliance": 6}
    resources = sample["resources"]
    assert len(resources) == 30 and resources["role"].nunique() == 8
    assert resources["capacity_hours_per_week"].isin([37.5, 40.0]).mean() >= 0.8
    assert len(sample["demand"]) == 15
    assert set(sample["demand"]["status"]) == {"submitted", "approved", "rejected", "deferred"}
    assert set(sample["changes"]["status"]) == {"proposed", "approved", "rejected", "implemented"}
    assert sample["risks"].groupby("project_id").size().mean() == pytest.approx(5, abs=1)


def test_milestones(sample):
    tasks = sample["tasks"]
    milestones = tasks[tasks["is_milestone"]]
    assert milestones.groupby("project_id").size().between(2, 4).all()
    assert (milestones["baseline_start"] == milestones["baseline_finish"]).all()
    assert (milestones["budget"] == 0).all()
    assert (milestones["forecast_finish"] > milestones["baseline_finish"]).any()  # some are late


def test_tasks_are_consistent_with_the_status_date(sample):
    tasks = sample["tasks"]
    pct = tasks["percent_complete"]
    assert (tasks["actual_start"].notna() == (pct > 0)).all()
    assert (tasks.loc[pct == 100, "actual_finish"].notna()).all()
    assert (tasks[["actual_start", "actual_finish"]].max(axis=1).dropna() <= T).all()
    open_work = tasks[(pct < 100) & tasks["actual_finish"].isna()]
    assert (open_work["forecast_finish"] > T).all()
    assert (tasks[pct == 0]["forecast_start"] >= T).all()
    assert (tasks["owner"] == "").sum() >= 3


def test_costs_are_weekly_on_fridays_up_to_the_status_date(sample):
    costs = sample["costs"]
    assert (costs["date"].dt.day_of_week == 4).all()
    assert costs["date"].max() <= T
    assert set(costs["category"]) == {"Labour", "Contractors", "Software", "Hardware", "Travel"}
    assert 2 <= (costs["amount"] < 0).sum() <= 5
    assert (costs["amount"].round(2) == costs["amount"]).all()


def test_assignments_cover_26_weeks_with_actuals_in_the_past(sample):
    assignments = sample["assignments"]
    weeks = assignments["week_start"]
    assert weeks.nunique() == 26 and (weeks.dt.day_of_week == 0).all()
    this_week = T - pd.Timedelta(days=T.weekday())
    assert (weeks < this_week).groupby(weeks).first().sum() == 13
    assert (assignments["actual_hours"].notna() == (weeks < this_week)).all()
    capacity = sample["resources"].set_index("resource_id")["capacity_hours_per_week"]
    load = assignments.groupby(["resource_id", "week_start"])["planned_hours"].sum().reset_index()
    over = load["planned_hours"] > load["resource_id"].map(capacity)
    assert 1 <= load.loc[over, "resource_id"].nunique() <= 10


def test_status_updates_are_fortnightly(sample):
    updates = sample["status_updates"]
    assert (updates.groupby("project_id").size() == 4).all()
    gaps = updates.groupby("project_id")["status_date"].diff().dropna()
    assert (gaps == pd.Timedelta(days=14)).all()
    latest = updates.groupby("project_id")["status_date"].max()
    assert latest.max() == T
    assert latest.index[latest < T - pd.Timedelta(days=30)].tolist() == ["PRJ-020"]


# --- the stories -------------------------------------------------------------------------------
def test_most_projects_are_healthy(evm):
    healthy = evm.loc[list(HEALTHY_STORIES)]
    assert ((healthy["spi"] >= 0.95) & (healthy["cpi"] >= 0.95)).all()


def test_late_and_over_budget_projects(evm):
    assert evm.loc["PRJ-008", "spi"] < 0.85 and evm.loc["PRJ-008", "cpi"] >= 0.95
    assert evm.loc["PRJ-013", "cpi"] < 0.85 and evm.loc["PRJ-013", "spi"] >= 0.95
    assert 0.85 <= evm.loc["PRJ-010", "spi"] < 0.95
    assert 0.85 <= evm.loc["PRJ-023", "cpi"] < 0.95


def test_watermelon_reports_green_while_earned_value_is_red(sample, evm):
    updates = sample["status_updates"].sort_values("status_date")
    latest = updates.groupby("project_id").last()
    assert latest.loc["PRJ-003", "manager_rag"] == "green"
    assert evm.loc["PRJ-003", "spi"] < 0.85 and evm.loc["PRJ-003", "cpi"] < 0.85


def test_not_started_on_hold_and_closed_projects(sample, evm):
    projects = sample["projects"].set_index("project_id")
    tasks = sample["tasks"]
    fresh = tasks[tasks["project_id"] == "PRJ-022"]
    assert (fresh["baseline_start"] > T).all() and (fresh["percent_complete"] == 0).all()
    assert evm.loc["PRJ-022", "ev"] == 0 and "PRJ-022" not in set(sample["costs"]["project_id"])
    assert projects.loc["PRJ-017", "status"] == "on_hold"
    held = sample["costs"][sample["costs"]["project_id"] == "PRJ-017"]
    assert held["date"].max() < T - pd.Timedelta(days=28)
    assert projects.loc["PRJ-005", "status"] == "closed"
    done = tasks[tasks["project_id"] == "PRJ-005"]
    assert (done["percent_complete"] == 100).all() and done["actual_finish"].notna().all()
    assert evm.loc["PRJ-005", "ac"] > 0.95 * evm.loc["PRJ-005", "budget"]
    assert projects["status"].value_counts().to_dict() == {"active": 22, "on_hold": 1, "closed": 1, "cancelled": 0}


def test_overall_rag_tells_a_readable_story(folder):
    from pmo_lib.analysis.core import PortfolioAnalysis
    from pmo_lib.data.loading import load_portfolio

    metrics = PortfolioAnalysis(load_portfolio(folder), status_date=STATUS).metrics.set_index("project_id")
    overall = metrics["overall_rag"]
    counts = overall.value_counts()
    assert 13 <= counts.get("green", 0) <= 16, counts.to_dict()
    assert 4 <= counts.get("amber", 0) <= 6, counts.to_dict()
    assert 4 <= counts.get("red", 0) <= 6, counts.to_dict()
    assert (overall[["PRJ-003", "PRJ-008", "PRJ-013"]] == "red").all()
    assert (overall[["PRJ-010", "PRJ-023"]] == "amber").all()
    assert overall["PRJ-005"] == "green" and overall["PRJ-022"] != "red"
    assert metrics.index[metrics["watermelon"]].tolist() == ["PRJ-003"]
    # the extra dimensions turn red only where a story puts them there
    for column in ("milestone_rag", "risk_rag", "issue_rag"):
        red = set(metrics.index[metrics[column] == "red"])
        assert red <= {"PRJ-003", "PRJ-008", "PRJ-013", "PRJ-017", "PRJ-020"}, (column, sorted(red))


def test_risks_and_issues_of_sound_projects_are_moderate(sample):
    troubled = ["PRJ-003", "PRJ-008", "PRJ-013", "PRJ-017", "PRJ-020"]
    risks = sample["risks"]
    sound = risks[(risks["status"] == "open") & ~risks["project_id"].isin(troubled)]
    score = sound["probability"] * sound["impact"]
    assert score.max() <= 16 and (score <= 12).mean() >= 0.9
    assert (risks.loc[risks["status"] == "open", "probability"] * risks["impact"]).max() >= 20
    overdue = risks[(risks["status"] == "open") & (risks["due_date"] < T)]
    assert 3 <= len(overdue) <= 15 and overdue["project_id"].isin(troubled).mean() >= 0.6
    issues = sample["issues"]
    critical = issues[(issues["status"] == "open") & (issues["priority"] == "critical")]
    assert set(critical["project_id"]) <= set(troubled) and len(critical) >= 1
    assert 2 <= ((risks["status"] == "open") & ((risks["owner"] == "") | (risks["mitigation"] == ""))).sum() <= 20


def test_text_with_markup_characters_survives_the_csv(folder):
    risks = pd.read_csv(folder / "risks.csv", dtype=str, keep_default_na=False)
    assert 'Vendor "GridCo" may miss <Q3> delivery & testing' in set(risks["title"])
    updates = pd.read_csv(folder / "status_updates.csv", dtype=str, keep_default_na=False)
    assert updates["summary"].str.contains("\n").any()
    assert updates["summary"].str.contains("&").any()
    issues = pd.read_csv(folder / "issues.csv", dtype=str, keep_default_na=False)
    assert issues["title"].str.contains('"INT2"', regex=False).any()
    text = (folder / "projects.csv").read_text(encoding="utf-8")
    assert "Zoë Müller" in text and "Łukasz Nowak" in text and "Regulatory & Compliance" in text


# --- files -------------------------------------------------------------------------------------
def test_csv_format(folder):
    tasks = (folder / "tasks.csv").read_text(encoding="utf-8")
    assert tasks.startswith(",".join(_generated("tasks")) + "\n")
    assert "\r" not in tasks
    for name in TABLE_ORDER:
        cells = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        assert not cells.isin(["nan", "NaN", "NaT", "None", "<NA>"]).any().any(), name
        for col in TABLES[name].columns:
            if col.name not in _generated(name):
                continue
            values = cells[col.name]
            pattern = {"number": r"-?\d+(\.\d{1,2})?", "integer": r"-?\d+", "date": r"\d{4}-\d{2}-\d{2}",
                       "bool": r"true|false"}.get(col.kind)
            if pattern:
                assert values[values != ""].str.fullmatch(pattern).all(), (name, col.name)
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*"))


def test_same_seed_same_bytes_other_seed_other_bytes(folder, tmp_path):
    write_portfolio(generate_portfolio(projects=24, seed=7, status_date=STATUS), tmp_path / "again")
    assert _digests(tmp_path / "again") == _digests(folder)
    write_portfolio(generate_portfolio(projects=24, seed=8, status_date=STATUS), tmp_path / "other")
    assert _digests(tmp_path / "other")["costs.csv"] != _digests(folder)["costs.csv"]


def test_output_does_not_depend_on_the_hash_seed(folder, tmp_path):
    script = ("import datetime, sys; from pmo_lib.data.sample import generate_portfolio, write_portfolio; "
              "write_portfolio(generate_portfolio(status_date=datetime.date(2026, 11, 20)), sys.argv[1])")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env,
                   cwd=Path(__file__).resolve().parents[2])
    assert _digests(tmp_path) == _digests(folder)


def test_committed_sample_is_a_fresh_generation(folder):
    assert COMMITTED.is_dir(), "run: pmo-report sample --out data/sample --projects 24 --seed 7 --status-date 2026-11-20"
    committed = _digests(COMMITTED)
    assert sorted(committed) == sorted(f"{name}.csv" for name in TABLE_ORDER)
    assert committed == _digests(folder), "data/sample is stale: regenerate it with pmo-report sample"


def test_generated_folder_loads_without_errors(folder, sample):
    from pmo_lib.data.loading import load_portfolio

    portfolio = load_portfolio(folder)  # raises on any error
    assert portfolio.counts() == {name: len(frame) for name, frame in sample.items()}
    assert {str(w).split(":")[0] for w in portfolio.warnings} <= {"projects.csv", "tasks.csv"}


# --- arguments and scale -----------------------------------------------------------------------
def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="projects"):
        generate_portfolio(projects=0, status_date=STATUS)
    with pytest.raises(ValueError, match="tasks_per_project"):
        generate_portfolio(projects=2, status_date=STATUS, tasks_per_project=(2, 4))


def test_small_and_odd_arguments_still_give_valid_data():
    tables = generate_portfolio(projects=3, seed=1, status_date="2025-03-05", tasks_per_project=(5, 7))
    sizes = tables["tasks"].groupby("project_id").size()
    assert sizes.between(5, 7).all() and len(sizes) == 3
    assert tables["costs"]["date"].max() <= pd.Timestamp("2025-03-05")
    assert len(tables["resources"]) == 30 and len(tables["demand"]) == 15


def test_a_thousand_projects_give_the_benchmark_sizes():
    tables = generate_portfolio(projects=1000, seed=7, status_date=STATUS)
    counts = {name: len(frame) for name, frame in tables.items()}
    assert 90_000 <= counts["tasks"] <= 115_000
    assert 800_000 <= counts["costs"] <= 1_200_000
    assert 400_000 <= counts["assignments"] <= 700_000
    assert tables["projects"]["project_id"].is_unique
    assert np.isin(tables["tasks"]["project_id"].unique(), tables["projects"]["project_id"]).all()
