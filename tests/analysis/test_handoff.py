"""Reports get their analysis once per process, or from the runner's shared file."""

from __future__ import annotations

import shutil

import pytest

from pmo_lib.analysis import handoff as context
from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.data.loading import load_portfolio
from tests.conftest import SAMPLE


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    context._cached.cache_clear()
    yield folder
    context._cached.cache_clear()


def test_the_shared_analysis_is_used_when_made_for_the_same_inputs(data, tmp_path, monkeypatch):
    analysis = PortfolioAnalysis(load_portfolio(data), status_date="2026-11-20")
    analysis.compute_all()  # computed once, by the runner
    shared = tmp_path / ".shared-analysis.tmp"
    context.save_shared_analysis(shared, analysis, context.analysis_key(data, "2026-11-20", ""))
    monkeypatch.setenv(context.ANALYSIS_CACHE_ENV, str(shared))
    monkeypatch.setattr(context, "load_portfolio", lambda path: pytest.fail("read the CSV files again"))
    got = context.load_analysis(data_path=str(data), status_date="2026-11-20")
    assert got.metrics.equals(analysis.metrics)
    assert "metrics" in vars(got)  # the metrics came computed


def test_a_shared_analysis_for_other_inputs_is_ignored(data, tmp_path, monkeypatch):
    analysis = PortfolioAnalysis(load_portfolio(data), status_date="2026-11-20")
    shared = tmp_path / ".shared-analysis.tmp"
    context.save_shared_analysis(shared, analysis, context.analysis_key(data, "2026-11-20", ""))
    monkeypatch.setenv(context.ANALYSIS_CACHE_ENV, str(shared))
    other_date = context.load_analysis(data_path=str(data), status_date="2026-11-13")
    assert other_date.status_date.isoformat() == "2026-11-13"
    (data / "costs.csv").write_text((data / "costs.csv").read_text() + "PRJ-001,2026-11-19,1000,Labour,late entry\n")
    edited = context.load_analysis(data_path=str(data), status_date="2026-11-20")
    assert len(edited.portfolio.costs) == len(analysis.portfolio.costs) + 1
