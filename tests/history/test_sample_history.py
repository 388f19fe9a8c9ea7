"""The sample's history: each week's data as it was then, and the committed files equal a fresh generation."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pmo_lib.data.sample import generate_portfolio
from pmo_lib.history.files import read_history_files, write_history_files
from pmo_lib.history.sample import portfolio_as_of, sample_history
from tests.conftest import SAMPLE

TODAY = pd.Timestamp("2026-11-20")


@pytest.fixture(scope="module")
def tables():
    return generate_portfolio(projects=24, seed=7, status_date=TODAY.date())


def test_a_week_back_nothing_after_that_day_has_happened(tables):
    day = TODAY - pd.Timedelta(weeks=3)
    then = portfolio_as_of(tables, day=day, today=TODAY)
    tasks = then["tasks"]
    assert then["costs"]["date"].max() <= day
    assert then["status_updates"]["status_date"].max() <= day
    assert (tasks["actual_finish"].dropna() <= day).all() and (tasks["actual_start"].dropna() <= day).all()
    assert (tasks["forecast_finish"].dropna() > day).all()
    assert (tasks["percent_complete"] <= tables["tasks"]["percent_complete"]).all()
    assert then["issues"]["closed_date"].dropna().max() <= day
    finished_later = tables["tasks"]["actual_finish"] > day
    assert (tasks.loc[finished_later, "percent_complete"] < 100).all()
    assert (tasks.loc[finished_later & (tables["tasks"]["actual_start"] > day), "percent_complete"] == 0).all()


def test_a_late_projects_milestones_drift_later_report_by_report(tables):
    history = sample_history(tables, status_date=TODAY, periods=3)
    late = history.milestones[(history.milestones["project_id"] == "PRJ-008")
                              & history.milestones["actual_finish"].isna()]
    forecasts = late.pivot_table(index="task_id", columns="status_date", values="forecast_finish", aggfunc="first")
    assert history.periods == 3
    assert (forecasts.diff(axis=1).iloc[:, 1:] >= pd.Timedelta(0)).all().all()
    assert (forecasts.iloc[:, -1] > forecasts.iloc[:, 0]).any()


@pytest.mark.e2e
def test_the_committed_history_equals_a_fresh_generation(tables, tmp_path):
    fresh = sample_history(tables, status_date=TODAY, periods=11)
    write_history_files(fresh, tmp_path)
    for name in ("projects", "milestones", "risks", "rollups"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (SAMPLE / "history" / f"{name}.csv").read_bytes(), name
    committed = read_history_files(SAMPLE / "history", key="x")
    assert committed.periods == 11
    assert committed.dates[0].date() == dt.date(2026, 9, 4) and committed.dates[-1].date() == dt.date(2026, 11, 13)
