"""Helpers for chart tests: the data behind a layer, rendering, and checking an SVG is inert."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import vl_convert as vlc
from bs4 import BeautifulSoup

from pmo_lib.charts._hover import describe_with_tooltips
from pmo_lib.charts.render import _spec, _vl_version, chart_svg

HOSTILE_NAMES = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>")


@pytest.fixture
def hostile() -> tuple[str, str]:
    """Two names that would run script if a chart pasted them into HTML as markup."""
    return HOSTILE_NAMES


@pytest.fixture
def values() -> Callable[..., list[dict]]:
    """``values(spec, *path)``: the rows of the top-level chart, or of ``spec["layer"][i]...``.

    A layer without data of its own draws its parent's (Altair hoists shared data up).
    """

    def get(spec: dict, *path: int) -> list[dict]:
        unit, data = spec, spec.get("data")
        for index in path:
            unit = unit["layer"][index]
            data = unit.get("data") or data
        return data["values"] if "values" in data else spec["datasets"][data["name"]]

    return get


@pytest.fixture
def marks() -> Callable[[dict], list[str]]:
    """The mark types of a spec, its layers flattened in order."""

    def collect(spec: dict) -> list[str]:
        if "layer" in spec:
            return [m for layer in spec["layer"] for m in collect(layer)]
        mark = spec["mark"]
        return [mark if isinstance(mark, str) else mark["type"]]

    return collect


_EXPRESSION_KEYS = {"expr", "signal", "test", "update", "calculate", "filter", "labelExpr"}


def _expressions(node, key: str = ""):
    """Every string under an expression-valued key of a compiled Vega spec."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _expressions(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _expressions(v, key)
    elif isinstance(node, str) and key in _EXPRESSION_KEYS:
        yield node


@pytest.fixture
def render() -> Callable:
    """Render a chart to SVG and check it is inert: no script, no img, no foreign HTML, no handlers.

    Text from the data must reach Vega as data: no compiled expression may
    contain a hostile name (``alert(1)``). Returns ``(svg, soup)``;
    ``soup.get_text(" ")`` holds every text the chart draws (the marks' hover
    ``<title>`` elements are taken out of it).
    """

    def run(chart) -> tuple[str, BeautifulSoup]:
        vega = describe_with_tooltips(vlc.vegalite_to_vega(_spec(chart), vl_version=_vl_version()))
        assert [e for e in _expressions(vega) if "alert(1)" in e] == []
        svg = chart_svg(chart)
        soup = BeautifulSoup(svg, "html.parser")
        assert soup.find_all(["script", "img", "foreignobject", "iframe"]) == []
        for element in soup.find_all(True):
            assert not [a for a in element.attrs if a.lower().startswith("on")], element.name
        for hover in soup.find_all("title"):  # hover details, not drawn text
            hover.decompose()
        return svg, soup

    return run
