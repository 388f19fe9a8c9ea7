"""Tests for pmo_lib.charts.render: static, inert, self-contained SVG and PNG."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pmo_lib.charts._theme import THEME_NAME, apply_report_theme, rag_colour_scale
from pmo_lib.charts.render import ChartDisplay, chart_png, chart_svg, show_chart, use_static_charts

HOSTILE_TITLE = "</script><script>alert(1)</script>"
HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def hostile_chart() -> alt.Chart:
    frame = pd.DataFrame(
        {"project": [HOSTILE_LABEL, '"><svg onload=alert(1)>', "Apollo"], "cpi": [0.8, 1.1, 0.95]}
    )
    return (
        alt.Chart(frame, title=HOSTILE_TITLE)
        .mark_bar()
        .encode(
            x=alt.X("project:N", title=HOSTILE_LABEL),
            y=alt.Y("cpi:Q", title="CPI"),
            tooltip=["project", "cpi"],
        )
    )


def clipped_line(title: str) -> alt.Chart:
    frame = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=4), "v": [1, 5, 2, 8]})
    return (
        alt.Chart(frame, title=title)
        .mark_line(clip=True)
        .encode(x="day:T", y=alt.Y("v:Q", scale=alt.Scale(domain=[0, 4])))
    )


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def test_hostile_text_ends_up_as_escaped_text_in_the_svg(hostile_chart):
    svg = chart_svg(hostile_chart)
    root = ET.fromstring(svg)  # well-formed XML
    names = {local_name(el.tag) for el in root.iter()}
    assert not names & {"script", "img", "image", "foreignobject", "iframe"}
    for element in root.iter():
        assert not [a for a in element.attrib if local_name(a).startswith("on")]
    texts = ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]
    assert HOSTILE_TITLE in texts
    assert HOSTILE_LABEL in texts  # the axis title
    assert "&lt;/script&gt;&lt;script&gt;" in svg
    soup = BeautifulSoup(svg, "html.parser")
    assert soup.find_all(["script", "img"]) == []
    assert len(soup.find_all("svg")) == 1  # no svg element made from data


def test_svg_is_inline_ready_and_responsive(hostile_chart):
    svg = chart_svg(hostile_chart)
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)
    assert "max-width:100%" in root.get("style")
    assert root.get("viewBox")
    assert root.get("role") == "img"
    assert root.get("aria-label") == HOSTILE_TITLE  # ElementTree unescapes the attribute


def test_svg_uses_the_report_theme(hostile_chart):
    svg = chart_svg(hostile_chart)
    assert 'font-family="&quot;Liberation Sans&quot;, Arial, Helvetica, sans-serif"' in svg


def test_ids_are_unique_per_chart_so_charts_can_share_a_page():
    first, second = chart_svg(clipped_line("One")), chart_svg(clipped_line("Two"))
    ids_first = set(re.findall(r'\bid="([^"]+)"', first))
    ids_second = set(re.findall(r'\bid="([^"]+)"', second))
    assert ids_first and ids_second
    assert not ids_first & ids_second
    for svg, ids in ((first, ids_first), (second, ids_second)):
        assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= ids


def test_a_chart_has_the_same_ids_whatever_its_process_rendered_before():
    # vl-convert numbers clip paths per process: the second render of a chart in one process
    # gets other raw ids than the first; the page must not depend on that.
    chart = clipped_line("Same")
    first = chart_svg(chart)
    chart_svg(clipped_line("Another chart before"))
    assert chart_svg(chart) == first
    assert re.findall(r'\bid="([^"]+)"', first) == [
        name for name in re.findall(r'\bid="([^"]+)"', first) if re.fullmatch(r"pmo[0-9a-f]{8}-\d+", name)
    ]


def test_every_mark_carries_its_tooltip_as_an_escaped_hover_title(hostile_chart):
    svg = chart_svg(hostile_chart)
    titles = re.findall(r"<path\b[^>]*><title>([^<]*)</title></path>", svg)
    assert titles == ["project: &lt;img src=x onerror=alert(1)&gt;; cpi: 0.8",
                      "project: &quot;&gt;&lt;svg onload=alert(1)&gt;; cpi: 1.1", "project: Apollo; cpi: 0.95"]
    assert "aria-label=\"project:" not in svg  # the title replaces the mark's aria-label
    soup = BeautifulSoup(svg, "html.parser")
    assert [t.get_text() for t in soup.find_all("title")][-1] == "project: Apollo; cpi: 0.95"


def test_a_line_is_titled_by_its_series_not_by_its_first_point():
    frame = pd.DataFrame({"day": pd.date_range("2026-01-01", periods=3).repeat(2), "series": ["PV", "EV"] * 3,
                          "value": [1000.0, 900, 2000, 1500, 3000, 2500]})
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x="day:T", y="value:Q", color="series:N",
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("day:T", title="Date", format="%Y-%m-%d"),
                 alt.Tooltip("value:Q", title="Value", format=",.0f")])
    titles = re.findall(r"<title>([^<]*)</title>", chart_svg(chart))
    assert "Series: EV" in titles and "Series: PV" in titles  # the two lines
    assert "Series: EV; Date: 2026-01-03; Value: 2,500" in titles  # a point


def test_chart_data_from_a_url_is_refused_not_fetched():
    chart = alt.Chart("https://example.invalid/data.csv").mark_bar().encode(x="a:N")
    with pytest.raises(ValueError, match="not allowed"):
        chart_svg(chart)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_chart_png_scales(hostile_chart):
    width_1, height_1 = png_size(chart_png(hostile_chart, scale=1))
    width_2, height_2 = png_size(chart_png(hostile_chart))
    assert (width_2, height_2) == (2 * width_1, 2 * height_1)


def test_show_chart_wraps_the_svg_in_a_figure(hostile_chart):
    shown = show_chart(hostile_chart, caption=HOSTILE_TITLE)
    assert isinstance(shown, ChartDisplay)
    soup = BeautifulSoup(shown._repr_html_(), "html.parser")
    figure = soup.find("figure")
    assert figure["class"] == ["pmo-chart"]
    assert figure.find("svg") is not None
    assert figure.find("figcaption").get_text() == HOSTILE_TITLE
    assert soup.find_all("script") == []
    assert repr(shown) == f"Chart: {HOSTILE_TITLE}"


def test_show_chart_fails_in_the_cell_not_silently_at_display():
    with pytest.raises(ValueError):
        show_chart({"mark": "bar", "data": {"url": "https://example.invalid/x.csv"}})


def test_a_plain_chart_displays_as_inline_svg_in_the_report_theme(hostile_chart):
    """With the pmo_svg renderer on (a notebook's first import of pmo_lib), Altair's own display is static SVG."""
    before = alt.renderers.active, alt.theme.active
    try:
        use_static_charts()
        bundle = hostile_chart._repr_mimebundle_()
    finally:
        alt.renderers.enable(before[0])
        alt.theme.enable(before[1])
    assert set(bundle) == {"text/html"}  # no Vega-Lite JSON for a front end to fetch Vega for
    soup = BeautifulSoup(bundle["text/html"], "html.parser")
    assert soup.find("figure")["class"] == ["pmo-chart"] and soup.find("script") is None
    assert HOSTILE_TITLE in [t.get_text() for t in soup.find_all("text")]
    assert 'Liberation Sans' in bundle["text/html"]  # the report theme, as on the page
    assert bundle["text/html"] == show_chart(hostile_chart).html


def test_apply_report_theme_enables_the_theme():
    previous = alt.theme.active
    try:
        apply_report_theme()
        assert alt.theme.active == THEME_NAME
    finally:
        alt.theme.enable(previous)


def test_rag_colour_scale_maps_words_to_colours():
    scale = rag_colour_scale().to_dict()
    assert scale == {
        "domain": ["green", "amber", "red", "grey"],
        "range": ["#1a7f37", "#c77c02", "#c62828", "#6e7781"],
    }


def test_a_frame_shared_by_layers_is_converted_once_and_the_spec_is_altairs(monkeypatch):
    from pmo_lib.charts import render
    from pmo_lib.charts.render import _spec

    frame = pd.DataFrame({"day": pd.date_range("2026-01-01", periods=3), "v": [1.0, None, 3.0]})
    base = alt.Chart(frame)
    chart = alt.layer(base.mark_line().encode(x="day:T", y="v:Q"), base.mark_point().encode(x="day:T", y="v:Q"),
                      base.mark_rule().encode(y="mean(v):Q"))
    with alt.theme.enable(THEME_NAME), alt.data_transformers.disable_max_rows():
        expected = chart.to_dict(validate=False)
    calls = []
    convert = render.to_values
    monkeypatch.setattr(render, "to_values", lambda data: calls.append(id(data)) or convert(data))
    assert _spec(chart) == expected
    assert calls == [id(frame)]
