"""Tests for pmo_lib.run.export: one offline page with outputs only, nothing active."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmo_lib.charts.render import show_chart
from pmo_lib.reports.html import rag_badge
from pmo_lib.reports.tables import table
from pmo_lib.run.export import _exporter, export_html, strip_active_content

CSP = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'"
HOSTILE = "</script><script>alert(1)</script>"


def html_output(fragment) -> nbformat.NotebookNode:
    return new_output(
        "display_data", data={"text/html": fragment._repr_html_(), "text/plain": repr(fragment)}
    )


@pytest.fixture
def notebook() -> nbformat.NotebookNode:
    """An executed report notebook as papermill leaves it."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Project status\n\nThe table lists **open issues**."),
            new_code_cell(
                'portfolio_dir = "data/param-default"\nstatus_date = "2024-01-01"',
                metadata={"tags": ["parameters"]},
                execution_count=1,
                outputs=[new_output("stream", name="stdout", text="param-default-stdout\n")],
            ),
            new_code_cell(
                'portfolio_dir = "data/param-injected"',
                metadata={"tags": ["injected-parameters"]},
                execution_count=2,
                outputs=[
                    new_output(
                        "execute_result",
                        data={"text/plain": "'param-injected-result'"},
                        execution_count=2,
                    )
                ],
            ),
            new_code_cell(
                "pmo.table(issues)",
                execution_count=3,
                outputs=[
                    html_output(rag_badge("red")),
                    new_output("stream", name="stdout", text="chatty-stdout\n"),
                    new_output("stream", name="stderr", text="warning-stderr\n"),
                ],
            ),
            new_code_cell("secret_code = 42", execution_count=4),
            new_code_cell(
                "1 / 0",
                execution_count=5,
                outputs=[
                    new_output(
                        "error", ename="ZeroDivisionError", evalue="division by zero",
                        traceback=["Traceback-line-visible-only-in-notebook"],
                    )
                ],
            ),
        ]
    )
    nb.metadata["pmo"] = {
        "title": "Project status — Apollo",
        "portfolio_name": "<b>Digital</b> & Data",
        "status_date": "2024-05-31",
        "generated_at": "2024-06-01T08:00:00+02:00",
    }
    return nb


def soup_of(page: str) -> BeautifulSoup:
    return BeautifulSoup(page, "html.parser")


def assert_offline_and_inert(page: str) -> None:
    soup = soup_of(page)
    assert "<script" not in page.lower()
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), element
            if name.lower() in ("src", "href", "xlink:href"):
                assert not str(value).lower().startswith(("http://", "https://", "//")), element


def test_page_shows_markdown_and_outputs_only(notebook):
    page = export_html(notebook)
    soup = soup_of(page)
    main = soup.find("main")
    assert main.find("h1").get_text() == "Project status"
    assert main.find("strong").get_text() == "open issues"
    assert main.select_one("span.pmo-rag").get_text() == "RED"
    for absent in (
        "secret_code", "pmo.table(issues)", "param-default", "param-injected", "portfolio_dir",
        "chatty-stdout", "warning-stderr", "Traceback-line", "ZeroDivisionError",
        "In [", "In&nbsp;[", "Out[",
    ):
        assert absent not in page, absent
    assert_offline_and_inert(page)


def test_page_head_is_complete_and_forbids_active_content(notebook):
    page = export_html(notebook)
    assert page.startswith("<!DOCTYPE html>")
    head = soup_of(page).find("head")
    assert head.find("meta", charset=True)["charset"] == "utf-8"
    assert head.find("meta", attrs={"name": "viewport"}) is not None
    assert head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"] == CSP
    assert head.find("title").get_text() == "Project status — Apollo"
    assert head.find("link") is None
    assert "@media print" in head.find("style").get_text()
    assert "jp-" not in page and "MathJax" not in page


def test_metadata_is_escaped_in_the_header(notebook):
    page = export_html(notebook)
    assert "&lt;b&gt;Digital&lt;/b&gt; &amp; Data" in page
    soup = soup_of(page)
    masthead = soup.select_one("header.pmo-masthead")
    assert masthead.find("b") is None
    assert masthead.select_one(".pmo-masthead__portfolio").get_text() == "<b>Digital</b> & Data"
    assert masthead.select_one(".pmo-masthead__date").get_text() == "Status as of 2024-05-31"
    assert "2024-06-01T08:00:00+02:00" in soup.find("footer").get_text()


def test_missing_metadata_degrades_gracefully(notebook):
    del notebook.metadata["pmo"]
    soup = soup_of(export_html(notebook))
    assert soup.find("title").get_text() == "PMO report"
    assert soup.select_one(".pmo-masthead__date") is None
    named = soup_of(export_html(notebook, resources={"metadata": {"name": "apollo-status"}}))
    assert named.find("title").get_text() == "apollo-status"


def test_export_does_not_modify_the_notebook(notebook):
    before = copy.deepcopy(notebook)
    export_html(notebook)
    assert notebook == before


@pytest.mark.filterwarnings("ignore:Your element with mimetype:UserWarning")
def test_scripts_from_outputs_and_markdown_are_stripped():
    altair_like = {
        "text/html": (
            '<div id="vis"></div><script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
            '<script>vegaEmbed("#vis", {})</script>'
        ),
        "application/vnd.vegalite.v5+json": {"mark": "bar"},
        "text/plain": "alt.Chart(...)",
    }
    nb = new_notebook(
        cells=[
            new_markdown_cell(f"Note <script>alert(1)</script> <b onclick='x()'>bold</b> {HOSTILE}"),
            new_code_cell(
                "chart",
                outputs=[
                    new_output("display_data", data=altair_like),
                    new_output("display_data", data={"application/javascript": "alert(2)"}),
                    new_output(
                        "display_data",
                        data={"text/html": '<meta http-equiv="refresh" content="0;url=https://x"><a href="javascript:alert(3)">link</a>'},
                    ),
                    new_output("execute_result", data={"text/plain": HOSTILE}, execution_count=1),
                ],
            ),
        ]
    )
    page = export_html(nb)
    assert_offline_and_inert(page)
    assert "alert(1)" in soup_of(page).find("pre").get_text()  # text/plain shown as text
    assert "alert(2)" not in page and "vegaEmbed" not in page
    assert "refresh" not in page
    assert soup_of(page).find("a", string="link").get("href") is None
    assert soup_of(page).find("b", string="bold").attrs == {}


def test_charts_tables_and_images_survive_export():
    chart = alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [1, 2]}), title="Spend").mark_bar()
    chart = chart.encode(x="x:N", y="y:Q")
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    nb = new_notebook(
        cells=[
            new_code_cell(
                "show",
                outputs=[
                    html_output(show_chart(chart, caption="Spend by month")),
                    html_output(table(pd.DataFrame({"title": [HOSTILE]}), caption=HOSTILE)),
                    new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
                ],
            )
        ]
    )
    page = export_html(nb)
    soup = soup_of(page)
    assert_offline_and_inert(page)
    figure = soup.find("figure", class_="pmo-chart")
    assert figure.find("svg") is not None
    assert figure.find("figcaption").get_text() == "Spend by month"
    assert soup.find("td").get_text() == HOSTILE
    assert soup.find("caption").get_text() == HOSTILE
    assert soup.find("img")["src"] == f"data:image/png;base64,{png}"
    assert "<Figure>" not in page


def test_strip_active_content_keeps_head_meta_and_drops_frames():
    page = (
        '<html><head><meta charset="utf-8"></head><body><iframe src="https://x"></iframe>'
        '<object data="x.swf"></object><svg><a xlink:href="javascript:alert(1)">t</a></svg>'
        '<p style="color:red">ok</p></body></html>'
    )
    cleaned = strip_active_content(page)
    assert '<meta charset="utf-8"/>' in cleaned
    assert "iframe" not in cleaned and "object" not in cleaned and "javascript" not in cleaned
    assert '<p style="color:red">ok</p>' in cleaned


def test_one_exporter_per_process():
    assert _exporter() is _exporter()


# --- the page's own charts skip the BeautifulSoup parse, and the page stays the same ----------
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def chart_page() -> str:
    """A page holding the charts of three sample projects, a program and the portfolio."""
    from pmo_lib.analysis.handoff import load_analysis
    from pmo_lib.reports import PortfolioReport, ProgramReport, ProjectReport

    analysis = load_analysis(data_path=str(SAMPLE), status_date="2026-11-20")
    parts = []
    for project_id in list(analysis.metrics["project_id"])[:3]:
        report = ProjectReport(analysis, project_id=project_id)
        parts += [report.s_curve(), report.milestone_timeline(), report.risk_heat_map(), report.resource_loading()]
    parts.append(ProgramReport(analysis, program=analysis.metrics["program"].dropna().iloc[0]).bubble())
    portfolio = PortfolioReport(analysis)
    parts += [portfolio.rag_distribution(), portfolio.bubble(), portfolio.budget_by_program(), portfolio.s_curve(),
              portfolio.capacity(), portfolio.demand()]
    body = "\n".join(part.__html__() for part in parts)
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title></head><body>{body}</body></html>"


def test_charts_set_aside_come_back_as_the_soup_pass_writes_them(chart_page):
    from pmo_lib.run._svg_mask import mask_charts
    from pmo_lib.run.export import strip_with_soup

    masked, _ = mask_charts(chart_page)
    assert chart_page.count("<svg") >= 14 and "<svg" not in masked  # every chart was set aside
    assert strip_active_content(chart_page) == strip_with_soup(chart_page)


@pytest.mark.parametrize("inside", [
    '<rect width="1" onload="alert(1)"/>',
    '<a href="javascript:alert(1)"><text>x</text></a>',
    '<script>alert(1)</script>',
    '<foreignObject><iframe src="https://example.com"></iframe></foreignObject>',
    '<use xlink:href="https://example.com/x.svg#a"/>',
    '<text x="1" x="2">twice</text>',
    '<!-- comment --><rect width="1"/>',
    '<style>rect { fill: url(javascript:alert(1)) }</style>',
    '<image href="data:image/png;base64,AA=="/>',
])
def test_a_chart_figure_holding_anything_else_goes_through_the_soup_pass(inside):
    from pmo_lib.run._svg_mask import mask_charts
    from pmo_lib.run.export import strip_with_soup

    page = (f'<html><head></head><body><figure class="pmo-chart" style="margin:0">'
            f'<svg viewBox="0 0 9 9">{inside}<g class="a  b"><path d="M0,0"/></g></svg></figure></body></html>')
    masked, _ = mask_charts(page)
    assert masked == page  # not set aside
    cleaned = strip_active_content(page)
    assert cleaned == strip_with_soup(page)
    assert "alert(1)" not in cleaned.replace("<style>rect { fill: url(javascript:alert(1)) }</style>", "")
    assert "<script" not in cleaned and "onload" not in cleaned and "<iframe" not in cleaned


def test_placeholders_cannot_be_forged_by_page_text():
    page = ('<html><body><p>pmochart0000000000000000n0x</p><figure class="pmo-chart">'
            '<svg><text>A &amp; B</text></svg></figure></body></html>')
    assert strip_active_content(page) == (
        '<html><body><p>pmochart0000000000000000n0x</p><figure class="pmo-chart">'
        '<svg><text>A &amp; B</text></svg></figure></body></html>')


def test_an_invalid_notebook_is_refused_once_before_nbconvert_runs(notebook, monkeypatch):
    import nbformat

    from pmo_lib.run import export

    calls = []
    validate = nbformat.validate
    monkeypatch.setattr(nbformat, "validate", lambda nb, **kw: calls.append(kw) or validate(nb, **kw))
    export_html(notebook)
    assert calls == [{"relax_add_props": True}]  # once, not after each of nbconvert's twelve preprocessors
    broken = nbformat.from_dict(notebook)
    broken.cells[0]["cell_type"] = "chart"
    with pytest.raises(nbformat.ValidationError):
        export.export_html(broken)
