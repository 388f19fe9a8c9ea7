"""Render Altair charts to static SVG (for the page) and PNG (for e-mail).

Chart builders return ``alt.Chart`` objects and never render; this module is
the separate rendering step. It uses vl-convert, which bundles Vega and
Vega-Lite, so nothing is fetched from the network: a chart whose data is a
URL fails instead of being downloaded. Vega-Lite is compiled to Vega once
per chart shape (:mod:`pmo_lib.charts._compiled`); each chart then only has
its data and title filled in before Vega renders it.

A chart that is a notebook cell's last expression shows as a ``<figure>``
with the inline SVG: :func:`use_static_charts` registers and enables this
module's Altair renderer (``pmo_svg``) and the report theme, and the first
``import pmo_lib`` in a notebook kernel calls it. The executed notebook then
stores a ``text/html`` output, and both JupyterLab and the exported page show
the chart with no JavaScript and no network. ``show_chart(chart, caption=...)``
does the same for one chart, with a caption. Text in the SVG (titles, labels)
is XML-escaped by the renderer.

Fonts: before its first conversion in a process this module points
vl-convert at ``pmo_lib/charts/fontconfig/fonts.conf``, a font configuration
whose only font folder holds no font, so every chart's text is measured and
drawn with the Liberation Sans faces built into the vl-convert-python wheel
(held in memory). Charts are then the same bytes on every machine with the
same vl-convert, whatever fonts the host has, and vl-convert no longer
re-opens the host's font files for every string it measures (half of a
chart's rendering time). Text in scripts Liberation Sans lacks (CJK, for
instance) keeps its characters in the SVG, but has no glyphs in PNG images.

Examples
--------
>>> import altair as alt, pandas as pd
>>> chart = alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})).mark_bar().encode(x="x", y="y")
>>> chart_svg(chart).startswith("<svg")
True
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from pmo_lib.charts._compiled import vega_spec
from pmo_lib.charts._theme import THEME_NAME
from pmo_lib.charts._values import to_values
from pmo_lib.formatting import escape

FONTCONFIG_FILE = Path(__file__).resolve().parent / "fontconfig" / "fonts.conf"
"""The font configuration vl-convert reads once per process (see the module docstring)."""

_fonts_lock = threading.Lock()
_fonts_pinned = False


def pin_fonts() -> None:
    """Make this process's vl-convert render with its built-in fonts only (idempotent).

    vl-convert reads the fontconfig configuration named by ``FONTCONFIG_FILE``
    once, when it first needs fonts; this sets the variable to
    :data:`FONTCONFIG_FILE`, renders a one-word chart so that the font
    database is built now, and restores the variable, so processes started
    from this one (a browser, for instance) still see the host's fonts. It
    must run before the process's first vl-convert conversion; every
    rendering function here calls it first.
    """
    global _fonts_pinned
    if _fonts_pinned:
        return
    with _fonts_lock:
        if _fonts_pinned:
            return
        previous = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
        try:
            # Text measurement (SVG) and drawing (PNG) each build their font database on first use.
            word = {"mark": "text", "encoding": {"text": {"value": "Aa"}}}
            vlc.vegalite_to_svg(word, allowed_base_urls=[])
            vlc.vegalite_to_png(word, allowed_base_urls=[])
        finally:
            if previous is None:
                os.environ.pop("FONTCONFIG_FILE", None)
            else:
                os.environ["FONTCONFIG_FILE"] = previous
        _fonts_pinned = True


def _vl_version() -> str | None:
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


_converted = threading.local()


def _once_per_frame(data, max_rows=None):
    """Altair's data conversion (:func:`~pmo_lib.charts._values.to_values`), once per data frame within one chart.

    The layers of a chart usually share one frame; Altair would convert it
    (sanitize and turn into records, about 10 ms even for a few rows) once per
    layer, then keep one copy of the identical values. Converting it once gives
    the very same spec.
    """
    memo = getattr(_converted, "memo", None)
    if memo is None:
        return to_values(data)
    hit = memo.get(id(data))
    if hit is None or hit[0] is not data:
        hit = memo[id(data)] = (data, to_values(data))
    return dict(hit[1]) if isinstance(hit[1], dict) else hit[1]


alt.data_transformers.register("pmo_once_per_frame", _once_per_frame)


def _spec(chart: alt.TopLevelMixin | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(chart, Mapping):
        return dict(chart)
    # Schema validation (a third of the time before rendering) is skipped here: the chart
    # builders are validated by their tests (tests/charts call ``to_dict()``, which validates).
    _converted.memo = {}
    try:
        with alt.theme.enable(THEME_NAME), alt.data_transformers.enable("pmo_once_per_frame"):
            return chart.to_dict(validate=False)
    finally:
        _converted.memo = None


def _chart_label(spec: Mapping[str, Any]) -> str:
    title = spec.get("description") or spec.get("title") or ""
    if isinstance(title, Mapping):
        title = title.get("text", "")
    if isinstance(title, (list, tuple)):
        title = " ".join(map(str, title))
    return str(title)


_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?")
_ID = re.compile(r'\bid="([^"]+)"')


def _scope_ids(svg: str) -> str:
    """Rename the SVG's ids so that several charts can share one page.

    vl-convert numbers some ids (gradients, clip paths) per process, so the
    same chart gets different ids in different processes. The ids are renamed
    in order of first appearance, under a prefix hashed from the chart with
    its ids blanked: the same chart has the same ids in every process, and
    two different charts on one page never share one.
    """
    order = list(dict.fromkeys(_ID.findall(svg)))
    if not order:
        return svg
    ids = set(order)
    blank = re.sub(r'(\bid="|url\(#|href="#)[^")]+', r"\1", svg)
    prefix = "pmo" + hashlib.sha1(blank.encode("utf-8")).hexdigest()[:8] + "-"
    renamed = {name: f"{prefix}{number}" for number, name in enumerate(order)}

    def scoped(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{renamed[name]}" if name in ids else match.group(0)

    svg = re.sub(r'(\bid=")([^"]+)', scoped, svg)
    svg = re.sub(r"(url\(#)([^)]+)", scoped, svg)
    return re.sub(r'((?:xlink:)?href="#)([^"]+)', scoped, svg)


_MARK = re.compile(r'<(path|rect|circle|ellipse|line|polygon|polyline|image)\b([^>]*?)\s*/>')
_ARIA_LABEL = re.compile(r'\saria-label="([^"]*)"')
_ROLE = re.compile(r'aria-roledescription="([^"]*)"')
_NOT_MARKS = ("axis", "legend", "title")


def _hover_text(label: str) -> str:
    """Vega-Lite's mark description, each field once (``series: A; Series: A`` reads ``Series: A``)."""
    kept: dict[str, str] = {}
    for part in label.split("; "):
        key, _, value = part.partition(": ")
        known = kept.get(key.lower())
        if known is None or (key[:1].isupper() and not known.partition(": ")[0][:1].isupper()):
            kept[key.lower()] = part
    return "; ".join(kept.values())


def _hover_titles(svg: str) -> str:
    """Give every data mark its details as an SVG ``<title>``: shown on hover, with no script.

    Vega writes each mark's description (its fields and values) into an
    ``aria-label``; it becomes the mark's ``<title>`` child, which browsers
    show as a tooltip and screen readers read as the mark's name. The text
    is already escaped (it was an attribute value).
    """
    def titled(match: re.Match[str]) -> str:
        tag, attrs = match.group(1), match.group(2)
        label, role = _ARIA_LABEL.search(attrs), _ROLE.search(attrs)
        if label is None or role is None or role.group(1).endswith("container") or role.group(1) in _NOT_MARKS:
            return match.group(0)
        rest = attrs[:label.start()] + attrs[label.end():]
        return f"<{tag}{rest}><title>{_hover_text(label.group(1))}</title></{tag}>"

    return _MARK.sub(titled, svg)


def _make_responsive(svg: str, label: str) -> str:
    attrs = ' style="max-width:100%;height:auto;overflow:visible" role="img"'
    if label:
        attrs += f' aria-label="{escape(label)}"'
    return re.sub(r"^<svg\b", "<svg" + attrs, svg, count=1)


def chart_svg(chart: alt.TopLevelMixin | Mapping[str, Any]) -> str:
    """Render a chart to an SVG string for inline use in HTML.

    The XML prolog is removed, ids are made unique per chart, and the root
    element scales down with its container (``max-width:100%``). Overflow
    is visible: the browser's font may be a little wider than the one
    vl-convert measured labels with, and a clipped axis label is worse than
    one that reaches into the page margin.

    Parameters
    ----------
    chart : alt.Chart or any top-level Altair chart, or a Vega-Lite dict
        Rendered with the report theme; data must be inline (no URLs).

    Returns
    -------
    str
        ``<svg ...>...</svg>``

    Raises
    ------
    ValueError
        When Vega-Lite cannot render the spec (the message says why).
    """
    pin_fonts()
    spec = _spec(chart)
    svg = vlc.vega_to_svg(vega_spec(spec, vl_version=_vl_version()), allowed_base_urls=[])
    svg = _PROLOG.sub("", svg)
    return _make_responsive(_scope_ids(_hover_titles(svg)), _chart_label(spec))


def chart_png(chart: alt.TopLevelMixin | Mapping[str, Any], scale: float = 2) -> bytes:
    """Render a chart to PNG bytes (for e-mail bodies), ``scale`` times its size.

    Examples
    --------
    >>> import altair as alt, pandas as pd
    >>> png = chart_png(alt.Chart(pd.DataFrame({"y": [1]})).mark_bar().encode(y="y"))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    pin_fonts()
    vega = vega_spec(_spec(chart), vl_version=_vl_version())
    return vlc.vega_to_png(vega, scale=scale, allowed_base_urls=[])


class ChartDisplay:
    """A chart rendered to inline SVG inside a ``<figure>``, for a notebook cell.

    The SVG is rendered when the object is created, so a chart that cannot be
    rendered fails its notebook cell (IPython would hide an error raised
    later, inside ``_repr_html_``).

    Parameters
    ----------
    chart : alt.Chart or a Vega-Lite dict
    caption : str, optional
        Shown under the chart (escaped).

    Attributes
    ----------
    svg : str
    html : str
    """

    def __init__(self, chart: alt.TopLevelMixin | Mapping[str, Any], *,
                 caption: str | None = None) -> None:
        self.svg = chart_svg(chart)
        self.caption = caption
        figcaption = (
            '<figcaption class="pmo-chart__caption" style="font-size:0.85em;color:#57606a;'
            f'margin-top:4px">{escape(caption)}</figcaption>'
            if caption
            else ""
        )
        self.html = (
            '<figure class="pmo-chart" style="margin:0.5em 0 1.5em;max-width:100%">'
            f"{self.svg}{figcaption}</figure>"
        )

    meta: dict | None = None
    """Output metadata (``section``) stored under ``"pmo"`` with the cell's output."""

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html, "text/plain": repr(self)}
        return (data, {"pmo": dict(self.meta)}) if self.meta else data

    def named(self, **meta) -> ChartDisplay:
        """This chart with ``meta`` added to its output metadata."""
        self.meta = {**(self.meta or {}), **meta}
        return self

    def __html__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Chart{': ' + self.caption if self.caption else ''}"


def show_chart(chart: alt.TopLevelMixin | Mapping[str, Any], *,
               caption: str | None = None) -> ChartDisplay:
    """The chart as a static figure, with an optional caption (a thin alias of :class:`ChartDisplay`).

    A plain chart as a cell's last expression shows the same figure (see
    :func:`use_static_charts`); ``show_chart`` adds a caption, and renders at
    once, so a chart that cannot be rendered fails its own cell.

    Examples
    --------
    >>> import altair as alt, pandas as pd
    >>> shown = show_chart(alt.Chart(pd.DataFrame({"y": [1]})).mark_bar().encode(y="y"),
    ...                    caption="Budget <by phase>")
    >>> shown._repr_html_().startswith('<figure class="pmo-chart"')
    True
    >>> "Budget &lt;by phase&gt;</figcaption>" in shown.html
    True
    """
    return ChartDisplay(chart, caption=caption)


RENDERER_NAME = "pmo_svg"


def svg_mimebundle(spec: dict, **metadata: Any) -> dict[str, str]:
    """Altair renderer: a chart's spec as a ``<figure>`` with inline SVG (``text/html``).

    Registered as ``pmo_svg``; vl-convert renders it here, so neither
    JupyterLab nor the page loads Vega from the network.

    Examples
    --------
    >>> svg_mimebundle({"mark": "bar", "data": {"values": [{"y": 1}]},
    ...                 "encoding": {"y": {"field": "y", "type": "quantitative"}}})["text/html"][:26]
    '<figure class="pmo-chart" '
    """
    return {"text/html": ChartDisplay(spec).html}


alt.renderers.register(RENDERER_NAME, svg_mimebundle)


def use_static_charts() -> None:
    """Show every Altair chart of this process as inline SVG, in the report theme.

    Enables the ``pmo_svg`` renderer and the report theme, so a plain
    ``alt.Chart`` as a cell's last expression looks in JupyterLab as it does
    on the page. Importing ``pmo_lib`` in a notebook kernel calls this.

    Examples
    --------
    >>> import altair as alt
    >>> before = alt.renderers.active, alt.theme.active
    >>> use_static_charts()
    >>> alt.renderers.active, alt.theme.active
    ('pmo_svg', 'pmo_report')
    >>> _ = alt.renderers.enable(before[0]), alt.theme.enable(before[1])
    """
    alt.renderers.enable(RENDERER_NAME)
    alt.theme.enable(THEME_NAME)
