"""The trend sections of the pages and the trend sentences."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.data.loading import load_portfolio
from pmo_lib.history.series import TrendHistory
from pmo_lib.history.snapshot import snapshot_from_analysis
from pmo_lib.reports import PortfolioReport, ProjectReport
from pmo_lib.reports.trends import ONE_PERIOD, index_sentences, run_length, slip_sentences, with_earned_value_history


def test_sentences_name_the_run_and_its_ends():
    frame = pd.DataFrame({"spi": [0.99, 0.97, 0.95, 0.91, 0.88], "cpi": [1.0, 0.9, 1.0, 1.0, 1.0]})
    assert index_sentences(frame) == ["SPI has fallen for four periods running, 0.99 → 0.88."]
    assert index_sentences(frame.iloc[:2]) == []  # one fall is not a trend
    assert run_length(pd.Series([1.0, 1.0]), falling=True) == 0


def test_slip_sentences_count_reports_and_days():
    days = pd.to_datetime(["2026-01-02", "2026-01-09", "2026-01-16", "2026-01-23", "2026-01-30"])
    frame = pd.concat([
        pd.DataFrame({"status_date": days, "task_id": "M1", "name": "Go-live",
                      "forecast": pd.to_datetime(["2026-03-01", "2026-03-08", "2026-03-15", "2026-03-30",
                                                  "2026-04-08"])}),
        pd.DataFrame({"status_date": days, "task_id": "M2", "name": "Sign-off",
                      "forecast": pd.to_datetime(["2026-05-01"] * 5)}),
    ])
    assert slip_sentences(frame) == ["Go-live has slipped in each of the last four reports, 38 days in all."]


@pytest.fixture(scope="module")
def analysis(tmp_path_factory):
    from tests.conftest import VALID_TABLES, write_tables

    folder = write_tables(tmp_path_factory.mktemp("p") / "portfolio", VALID_TABLES)
    return PortfolioAnalysis(load_portfolio(folder), status_date="2024-01-20")


def test_one_period_only_says_so_in_one_line(analysis):
    analysis.history = TrendHistory("x").with_snapshot(snapshot_from_analysis(analysis))
    portfolio = PortfolioReport(analysis).trends().html
    assert portfolio.count('role="note"') == 1 and ONE_PERIOD in portfolio and "<figure" not in portfolio
    project = ProjectReport(analysis, project_id="P1").trends().html
    assert ONE_PERIOD in project and "<figure" not in project
    # the Monte Carlo range needs no history; the statistical one says what it lacks
    text = re.sub(r"<[^>]+>", "", project)
    assert "Forecast ranges" in text and "Monte carlo" in text and "10,000 draws" in text
    assert "The statistical range needs 6 reports of history; 1 so far." in project


def test_several_periods_draw_the_trend_pack(analysis):
    current = snapshot_from_analysis(analysis)
    earlier = snapshot_from_analysis(PortfolioAnalysis(analysis.portfolio, status_date="2024-01-13"))
    analysis.history = TrendHistory("x").with_snapshot(earlier).with_snapshot(current)
    html = ProjectReport(analysis, project_id="P1").trends().html
    assert "The last 2 reports, 2024-01-13 to 2024-01-20." in re.sub(r"<[^>]+>", "", html)
    assert html.count('<figure class="pmo-chart"') == 4  # indices, RAG history, EAC, finish (P1: no milestones, risks)
    assert "<script" not in html
    portfolio = PortfolioReport(analysis).trends().html
    assert portfolio.count('<figure class="pmo-chart"') == 3
    curve = with_earned_value_history(analysis.s_curves[analysis.s_curves["project_id"] == "P1"]
                                      .drop(columns="project_id"), analysis.history, "P1")
    ev = curve[curve["series"] == "ev"]
    assert ev["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-13", "2024-01-20"]
    assert ev["value"].tolist() == [earlier.projects.loc[0, "ev"], current.projects.loc[0, "ev"]]
    analysis.history = None
