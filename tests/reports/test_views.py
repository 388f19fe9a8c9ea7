"""The report views called directly, without a notebook: what each cell shows, and its name."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.data.loading import load_portfolio
from pmo_lib.errors import ReportError
from pmo_lib.formatting import format_ratio
from pmo_lib.parameters import load_parameters
from pmo_lib.rag import sort_worst_first
from pmo_lib.reports import PortfolioReport, ProgramReport, ProjectReport
from tests.conftest import SAMPLE

STATUS = dt.date(2026, 11, 20)
CELL_ARGUMENTS = {"days": 60}  # what the notebooks pass to cells that take an argument


@pytest.fixture(scope="module")
def analysis():
    return PortfolioAnalysis(load_portfolio(SAMPLE), status_date=STATUS, params=load_parameters())


def _cells(view):
    """The view's cell methods: public functions its class defines (not properties, not ``load``)."""
    return [name for name, value in vars(type(view)).items()
            if not name.startswith("_") and inspect.isfunction(value)]


def _views(analysis):
    return [ProjectReport(analysis, project_id="PRJ-008"), ProgramReport(analysis, program="Digital Customer"),
            PortfolioReport(analysis)]


def test_every_cell_names_its_output_in_the_metadata(analysis):
    for view in _views(analysis):
        names = _cells(view)
        assert {"header", "kpis"} <= set(names)
        for name in names:
            method = getattr(view, name)
            needed = [p for p in inspect.signature(method).parameters.values() if p.default is p.empty]
            output = method(**{p.name: CELL_ARGUMENTS[p.name] for p in needed})
            data, meta = output._repr_mimebundle_()
            assert meta == {"pmo": {**meta["pmo"], "section": name}}, (type(view).__name__, name)
            assert data["text/html"] == output._repr_html_()


def test_the_header_carries_the_overall_rag(analysis):
    row = analysis.metrics.set_index("project_id").loc["PRJ-008"]
    _, meta = ProjectReport(analysis, project_id="PRJ-008").header()._repr_mimebundle_()
    assert meta["pmo"] == {"section": "header", "rag": row["overall_rag"]}
    assert row["overall_rag"] == "red"  # the sample's late project
    _, meta = PortfolioReport(analysis).header()._repr_mimebundle_()
    assert meta["pmo"]["rag"] == analysis.totals["overall_rag"]


def test_project_kpis_show_the_indices_of_the_metrics_table(analysis):
    row = analysis.metrics.set_index("project_id").loc["PRJ-013"]
    kpis = ProjectReport(analysis, project_id="PRJ-013").kpis().html
    assert format_ratio(row["spi"]) in kpis and format_ratio(row["cpi"]) in kpis
    assert row["cpi"] < 0.85  # the over-budget story


def test_project_lists_are_worst_first_on_every_page(analysis):
    portfolio = PortfolioReport(analysis).projects().html
    order = sort_worst_first(analysis.metrics)["project_id"].tolist()
    positions = [portfolio.index(f">{pid}<") for pid in order]
    assert positions == sorted(positions)
    program = ProgramReport(analysis, program="Digital Customer")
    mine = sort_worst_first(program.metrics)["project_id"].tolist()
    html = program.projects().html
    assert [pid for pid in analysis.metrics["project_id"] if f">{pid}<" in html] != []
    assert set(mine) == {pid for pid in analysis.metrics["project_id"] if f">{pid}<" in html}


def test_unknown_subjects_are_named(analysis):
    with pytest.raises(ReportError, match="'PRJ-999' is not in the portfolio"):
        ProjectReport(analysis, project_id="PRJ-999")
    with pytest.raises(ReportError, match="'Nowhere' is not in the portfolio"):
        ProgramReport(analysis, program="Nowhere")


def test_heat_map_bands_come_from_the_run_parameters(analysis):
    params = analysis.params.model_copy(update={"rag_rules": analysis.params.rag_rules.model_copy(
        update={"heat_map": analysis.params.rag_rules.heat_map.model_copy(update={"red": 12, "amber": 6})})})
    custom = PortfolioAnalysis(analysis.portfolio, status_date=STATUS, params=params)
    html = ProjectReport(custom, project_id="PRJ-008").risk_heat_map().html
    assert "red 12 or more, amber 6–11, green below 6" in html
    default = ProjectReport(analysis, project_id="PRJ-008").risk_heat_map().html
    assert "red 15 or more, amber 8–14, green below 8" in default
