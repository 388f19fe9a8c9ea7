"""Compiled chart templates: the same bytes as compiling every chart, one compile per shape."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from pmo_lib.charts import _compiled
from pmo_lib.charts._hover import describe_with_tooltips
from pmo_lib.charts.render import _spec, _vl_version, chart_png, chart_svg, pin_fonts

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(autouse=True)
def cold_cache():
    _compiled.clear_cache()
    pin_fonts()
    yield
    _compiled.clear_cache()


def same_ids(svg: str) -> str:
    """The SVG with its ids numbered by first appearance: vl-convert counts clip and gradient ids
    per process, so the same chart rendered twice in one process differs in its ids only."""
    names: dict[str, str] = {}
    for name in re.findall(r'\bid="([^"]+)"', svg):
        names.setdefault(name, f"id{len(names)}")
    return re.sub(r'(\bid="|url\(#|href="#)([^")]+)', lambda m: m.group(1) + names.get(m.group(2), m.group(2)), svg)


def direct_svg(chart) -> str:
    """What the renderer did before templates: compile (with the hover descriptions) and render."""
    vega = describe_with_tooltips(vlc.vegalite_to_vega(_spec(chart), vl_version=_vl_version()))
    return vlc.vega_to_svg(vega, allowed_base_urls=[])


def bars(names: list[str], values: list[float], title: str) -> alt.Chart:
    frame = pd.DataFrame({"phase": names, "cost": values})
    return alt.Chart(frame, title=title).mark_bar().encode(x="phase:N", y="cost:Q", tooltip=["phase", "cost"])


def test_one_compile_per_shape_and_the_same_svg_as_a_fresh_compile():
    charts = [
        bars(["Design", "Build"], [1.5, 2], "Apollo"),
        bars(["A", "B", "C", "D"], [10, -3, 7.25, 0], 'Quote " back\\slash </svg> é 中'),
        bars(["Only"], [0.0], "Third"),
    ]
    for chart in charts:
        assert _compiled.vega_spec(_spec(chart), vl_version=_vl_version()) is not None
    assert _compiled.cache_stats() == {"compiled": 1, "reused": 2, "uncacheable": 0, "cached": 1}
    svgs = [vlc.vega_to_svg(_compiled.vega_spec(_spec(c), vl_version=_vl_version()), allowed_base_urls=[])
            for c in charts]
    assert [same_ids(svg) for svg in svgs] == [same_ids(direct_svg(c)) for c in charts]
    assert 'Quote " back\\slash &lt;/svg&gt; é 中' in svgs[1].replace("&quot;", '"')


def test_the_filled_template_is_the_vega_a_fresh_compile_gives():
    first, second = bars(["x"], [1], "One"), bars(["y", "z"], [2, 3], "Two")
    _compiled.vega_spec(_spec(first), vl_version=_vl_version())
    filled = _compiled.vega_spec(_spec(second), vl_version=_vl_version())
    assert filled == describe_with_tooltips(vlc.vegalite_to_vega(_spec(second), vl_version=_vl_version()))
    assert filled["title"]["text"] == "Two"
    assert [row["phase"] for row in filled["data"][0]["values"]] == ["y", "z"]


def test_a_different_shape_compiles_again():
    _compiled.vega_spec(_spec(bars(["x"], [1], "One")), vl_version=_vl_version())
    untitled = bars(["x"], [1], "")  # no title group at all: another shape
    assert same_ids(chart_svg_raw(untitled)) == same_ids(direct_svg(untitled))
    assert _compiled.cache_stats()["compiled"] == 2
    line = alt.Chart(pd.DataFrame({"phase": ["x"], "cost": [1]})).mark_line().encode(x="phase:N", y="cost:Q")
    _compiled.vega_spec(_spec(line), vl_version=_vl_version())
    assert _compiled.cache_stats()["compiled"] == 3


def chart_svg_raw(chart) -> str:
    return vlc.vega_to_svg(_compiled.vega_spec(_spec(chart), vl_version=_vl_version()), allowed_base_urls=[])


def test_specs_that_are_not_plain_json_compile_directly():
    spec = {"data": {"values": [{"v": float("nan")}, {"v": 2.0}]}, "mark": "bar",
            "encoding": {"y": {"field": "v", "type": "quantitative"}}}
    vega = _compiled.vega_spec(spec)
    assert isinstance(vega, dict) and _compiled.cache_stats()["cached"] == 0
    assert chart_svg(spec).startswith("<svg")


def test_png_goes_through_the_template_too():
    a, b = bars(["x"], [1], "One"), bars(["y"], [4], "Two")
    assert chart_png(a) == vlc.vegalite_to_png(_spec(a), vl_version=_vl_version(), scale=2, allowed_base_urls=[])
    assert chart_png(b) == vlc.vegalite_to_png(_spec(b), vl_version=_vl_version(), scale=2, allowed_base_urls=[])
    assert _compiled.cache_stats()["reused"] == 1


def test_every_chart_of_the_sample_reports_renders_to_the_same_bytes(monkeypatch):
    """The project, program and portfolio views' charts: templates change no byte."""
    import pmo_lib.reports.portfolio
    import pmo_lib.reports.program
    import pmo_lib.reports.project
    from pmo_lib.analysis.handoff import load_analysis
    from pmo_lib.reports import PortfolioReport, ProgramReport, ProjectReport

    charts = []
    for module in (pmo_lib.reports.project, pmo_lib.reports.program, pmo_lib.reports.portfolio):
        monkeypatch.setattr(module, "show_chart", lambda chart, caption=None: charts.append(chart))
    analysis = load_analysis(data_path=str(SAMPLE), status_date="2026-11-20")
    for project_id in list(analysis.metrics["project_id"])[:8]:
        report = ProjectReport(analysis, project_id=project_id)
        report.s_curve(), report.milestone_timeline(), report.risk_heat_map(), report.resource_loading()
    ProgramReport(analysis, program=analysis.metrics["program"].dropna().iloc[0]).bubble()
    portfolio = PortfolioReport(analysis)
    portfolio.rag_distribution(), portfolio.s_curve()
    assert len(charts) >= 30
    templated = [vlc.vega_to_svg(_compiled.vega_spec(_spec(c), vl_version=_vl_version()), allowed_base_urls=[])
                 for c in charts]
    stats = _compiled.cache_stats()
    assert stats["uncacheable"] == 0 and stats["reused"] >= 10, stats
    assert [same_ids(svg) for svg in templated] == [same_ids(direct_svg(c)) for c in charts]
