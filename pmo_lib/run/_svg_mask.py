"""Set the page's own charts aside while the active-content cleaner parses the page.

A project page is mostly chart SVG (vl-convert's output, inside
``<figure class="pmo-chart">``), and parsing it with BeautifulSoup is most of
:func:`pmo_lib.run.export.strip_active_content`'s time. BeautifulSoup would
remove nothing from such an SVG; it only rewrites it (tag and attribute
names lower-cased, attributes sorted, ``<x/>`` written ``<x></x>``, entities
re-escaped). :func:`mask_charts` replaces every chart SVG that is inert by
construction with a random placeholder and returns a function that puts
back the SVG written exactly as BeautifulSoup writes it.

An SVG is set aside only when all of it reads as elements from a short list
of drawing elements, with double-quoted attributes, no attribute starting
with ``on``, no URL attribute other than a ``#fragment``, and text. Anything
else (a comment, a ``<style>``, an ``<a>``, a ``javascript:`` anywhere, a
repeated attribute, a stray ``<``) leaves that SVG to the BeautifulSoup pass.
``tests/run/test_export.py`` checks the result is the same page, byte for
byte, as the BeautifulSoup pass alone.

Examples
--------
>>> page = '<figure class="pmo-chart"><svg viewBox="0 0 2 2"><rect width="2"/></svg></figure>'
>>> masked, restore = mask_charts(page)
>>> "<svg" in masked
False
>>> restore(masked)
'<figure class="pmo-chart"><svg viewbox="0 0 2 2"><rect width="2"></rect></svg></figure>'
"""

from __future__ import annotations

import functools
import html
import re
import secrets
from collections.abc import Callable

_CHART = re.compile(r'(<figure class="pmo-chart"[^<>]*>)(<svg\b.*?</svg>)', re.S)
_TOKEN = re.compile(
    r'<(?P<name>[A-Za-z][A-Za-z0-9]*)(?P<attrs>(?:\s+[A-Za-z_][-A-Za-z0-9_:.]*="[^"<]*")*)\s*(?P<empty>/?)>'
    r"|</(?P<end>[A-Za-z][A-Za-z0-9]*)\s*>"
    r"|(?P<text>[^<]+)"
)
_ATTRIBUTE = re.compile(r'([A-Za-z_][-A-Za-z0-9_:.]*)="([^"<]*)"')
_ELEMENTS = frozenset({"svg", "g", "path", "rect", "line", "text", "tspan", "circle", "ellipse", "polygon",
                       "polyline", "defs", "clippath", "lineargradient", "radialgradient", "stop", "title",
                       "desc"})
_URL_ATTRIBUTES = frozenset({"href", "xlink:href", "src", "action", "formaction", "data", "srcdoc"})
_LIST_ATTRIBUTES = frozenset({"class", "accesskey", "dropzone"})  # BeautifulSoup splits these on spaces
_NOT_TEXT = re.compile(r"javascript:|vbscript:", re.I)


def _escape(text: str) -> str:
    """BeautifulSoup's "minimal" formatter: ``&``, ``<`` and ``>`` become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quoted(value: str) -> str:
    """BeautifulSoup's attribute quoting (``quoted_attribute_value``)."""
    value = _escape(value)
    if '"' in value:
        if "'" in value:
            return '"' + value.replace('"', "&quot;") + '"'
        return "'" + value + "'"
    return '"' + value + '"'


@functools.lru_cache(maxsize=1 << 16)
def _attributes(raw: str) -> str | None:
    """The attributes as BeautifulSoup writes them, or None when one is not inert.

    Remembered: the same attributes recur across a chart's marks and axes and across pages.
    """
    seen: dict[str, str] = {}
    for name, value in _ATTRIBUTE.findall(raw):
        name = name.lower()
        value = html.unescape(value)
        compact = "".join(value.split()).lower()
        if name in seen or name.startswith("on") or _NOT_TEXT.search(compact) or (
                name in _URL_ATTRIBUTES and not value.startswith("#")):
            return None
        if name in _LIST_ATTRIBUTES:
            value = " ".join(value.split())
        seen[name] = value
    return "".join(f" {name}={_quoted(seen[name])}" for name in sorted(seen))


def soup_svg(svg: str) -> str | None:
    """The SVG as BeautifulSoup's html.parser would write it, or None when it is not inert.

    Examples
    --------
    >>> soup_svg('<svg><text x="1">A &amp; B &#62;</text><line y2="3"/></svg>')
    '<svg><text x="1">A &amp; B &gt;</text><line y2="3"></line></svg>'
    >>> soup_svg('<svg onload="alert(1)"></svg>') is None, soup_svg('<svg><!-- x --></svg>') is None
    (True, True)
    """
    out: list[str] = []
    open_: list[str] = []
    position = 0
    for match in _TOKEN.finditer(svg):
        if match.start() != position:
            return None
        position = match.end()
        text, end, name = match.group("text"), match.group("end"), match.group("name")
        if text is not None:
            if not open_:
                return None
            out.append(_escape(html.unescape(text)))
        elif end is not None:
            end = end.lower()
            if not open_ or open_.pop() != end:
                return None
            out.append(f"</{end}>")
        else:
            name = name.lower()
            attributes = _attributes(match.group("attrs"))
            if name not in _ELEMENTS or attributes is None:
                return None
            out.append(f"<{name}{attributes}>")
            if match.group("empty"):
                out.append(f"</{name}>")
            else:
                open_.append(name)
    if position != len(svg) or open_:
        return None
    return "".join(out)


def mask_charts(page: str) -> tuple[str, Callable[[str], str]]:
    """Replace the page's inert chart SVGs by placeholders; returns (page, put_back).

    ``put_back(cleaned_page)`` replaces each placeholder with its SVG written
    as BeautifulSoup writes it. The placeholders carry a random token drawn
    per call, so text on the page cannot forge one.
    """
    token = secrets.token_hex(8)
    kept: dict[str, str] = {}

    def set_aside(match: re.Match[str]) -> str:
        written = soup_svg(match.group(2))
        if written is None:
            return match.group(0)
        key = f"pmochart{token}n{len(kept)}x"
        kept[key] = written
        return match.group(1) + key

    masked = _CHART.sub(set_aside, page)
    if not kept:
        return page, lambda cleaned: cleaned
    pattern = re.compile(f"pmochart{token}n\\d+x")

    def put_back(cleaned: str) -> str:
        return pattern.sub(lambda m: kept.get(m.group(0), ""), cleaned)

    return masked, put_back
