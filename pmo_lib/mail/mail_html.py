"""Make report HTML safe for mail clients: tables for layout, PNG charts, inlined CSS.

Outlook and Gmail run no script, ignore much of ``<style>``, and show neither
SVG nor ``data:`` images reliably. The fragments of :mod:`pmo_lib.reports.html`
already carry their colours inline; this module rewrites what mail clients
cannot lay out:

- the KPI tiles (a flex row of ``<div>``) become a table of cells, four or
  fewer to a row;
- the report header (flex) becomes a two-cell table;
- every inline ``<svg>`` chart becomes a PNG (``vl_convert.svg_to_png``, no
  browser) shown by an ``<img src="cid:...">`` whose bytes go into the
  message as a ``multipart/related`` part;
- flex and grid declarations, ``url(...)`` in styles, ``<style>``, ``<link>``
  and any image that is not a ``cid:`` reference are dropped.

:func:`mail_document` wraps the converted sections in a centred 640 px table
and inlines the e-mail stylesheet with css-inline. Text is never re-parsed as
markup: fragments arrive escaped from :mod:`pmo_lib.reports.html`, and every value
added here goes through :func:`pmo_lib.reports.html.escape`.

Examples
--------
>>> fragment = mail_fragment('<div class="pmo-tiles" style="display:flex"><div class="pmo-tile">'
...                          '<div class="pmo-tile__label" style="display:flex">CPI</div></div></div>')
>>> "<table" in fragment.html, "flex" in fragment.html
(True, False)
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import secrets
from dataclasses import dataclass, field

import css_inline
import vl_convert
from bs4 import BeautifulSoup, Tag
from PIL import Image

from pmo_lib.charts.render import pin_fonts
from pmo_lib.formatting import escape
from pmo_lib.run.export import strip_active_content

MAIL_WIDTH = 680
"""Width in CSS pixels of the centred message table."""
CONTENT_WIDTH = MAIL_WIDTH - 2 * 16
"""Width available to a chart or table inside the message's padding."""
PNG_DENSITY = 2.0
"""PNG pixels per CSS pixel of a chart (2 = sharp on high-density screens)."""
MAIL_FONT = "Segoe UI,Helvetica,Arial,sans-serif"
PNG_COLOURS = 64
"""Palette size of a chart PNG."""
_WIDE_TABLE = 9  # columns from which a table gets a smaller font to fit the width
_SHORT_CELL = re.compile(r"^\S{1,14}$")

_FLEX_PROPERTIES = {"flex", "flex-wrap", "flex-direction", "flex-flow", "flex-grow", "flex-shrink",
                    "flex-basis", "gap", "row-gap", "column-gap", "justify-content", "align-items",
                    "align-content", "align-self", "overflow", "overflow-x", "overflow-y", "box-sizing",
                    "break-inside", "page-break-inside", "grid-template-columns", "grid-template-rows"}

STYLESHEET = f"""
body {{ margin: 0; padding: 0; background: #f3f5f7; }}
td, th, p, h1, h2, h3, caption, li {{ font-family: {MAIL_FONT}; }}
.pmo-mail-body {{ color: #24292f; font-size: 14px; line-height: 1.45; }}
h1 {{ font-size: 24px; line-height: 1.2; margin: 0 0 4px; color: #24292f; }}
h2 {{ font-size: 18px; line-height: 1.3; margin: 22px 0 4px; padding: 0 0 3px;
      border-bottom: 1px solid #d0d7de; color: #24292f; }}
h3 {{ font-size: 15px; margin: 16px 0 4px; }}
p {{ margin: 0 0 8px; }}
.pmo-md p {{ color: #57606a; }}
table.pmo-table {{ border-collapse: collapse; font-size: 12px; line-height: 1.35; margin: 4px 0 12px; }}
.pmo-table th {{ background: #eaeef2; text-align: left; font-weight: 600; vertical-align: bottom;
                 border-bottom: 2px solid #d0d7de; }}
.pmo-table caption {{ text-align: left; font-weight: 600; padding: 0 0 4px; font-size: 13px; }}
.pmo-mail-footer td {{ color: #57606a; font-size: 12px; }}
@media only screen and (max-width: 700px) {{
  .pmo-mail-container {{ width: 100% !important; }}
  .pmo-mail-tile {{ display: block !important; width: auto !important; }}
}}
"""


@dataclass(frozen=True)
class InlineImage:
    """A PNG shown in the body through ``<img src="cid:{cid}">``."""

    cid: str
    data: bytes
    filename: str


@dataclass(frozen=True)
class MailFragment:
    """A section converted for mail: its HTML and the images it references."""

    html: str
    images: tuple[InlineImage, ...] = field(default=())


def _declarations(style: str) -> list[tuple[str, str]]:
    pairs = []
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep and name.strip():
            pairs.append((name.strip().lower(), value.strip()))
    return pairs


def clean_style(style: str, *, drop: set[str] = frozenset()) -> str:
    """A style attribute without flex/grid layout, remote ``url(...)`` and the ``drop`` properties.

    Examples
    --------
    >>> clean_style("display:flex;gap:4px;color:#222;background:url(http://x/y.png)")
    'color:#222'
    >>> clean_style("display:inline-block;flex:1 1 160px")
    'display:inline-block'
    """
    kept = []
    for name, value in _declarations(style):
        if name in _FLEX_PROPERTIES or name in drop or "url(" in value.lower() or "expression(" in value.lower():
            continue
        if name == "display" and value.lower() in ("flex", "inline-flex", "grid", "inline-grid"):
            continue
        kept.append(f"{name}:{value}")
    return ";".join(kept)


def _svg_size(svg: Tag) -> tuple[float, float]:
    def number(name: str) -> float | None:
        match = re.match(r"\s*([0-9.]+)", str(svg.get(name, "")))
        return float(match.group(1)) if match else None

    width, height = number("width"), number("height")
    if not (width and height):
        box = [float(v) for v in re.findall(r"[0-9.]+", str(svg.get("viewbox") or svg.get("viewBox") or ""))]
        width, height = (box[2], box[3]) if len(box) == 4 and box[2] and box[3] else (CONTENT_WIDTH, 300.0)
    return width, height


_XMLNS = re.compile(r"\sxmlns\s*=", re.I)


def quantize_png(png: bytes, *, colours: int = PNG_COLOURS) -> bytes:
    """The same picture as an optimised palette PNG of at most ``colours`` colours.

    Charts are flat colours and anti-aliased text: a palette of 64 keeps them
    sharp at a third to a fifth of the bytes of the RGBA original.

    Examples
    --------
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="9"><rect width="9" height="9"/></svg>'
    >>> small = quantize_png(vl_convert.svg_to_png(svg))
    >>> small[:4], Image.open(io.BytesIO(small)).mode
    (b'\x89PNG', 'P')
    """
    with Image.open(io.BytesIO(png)) as picture:
        flat = Image.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A") if picture.mode == "RGBA" else None)
    # fast octree: the same look as median cut on flat charts, at 60 % of the time and a little smaller
    palette = flat.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def svg_to_image(svg_markup: str, width: float, height: float, *, density: float = PNG_DENSITY,
                 max_width: int = CONTENT_WIDTH) -> tuple[InlineImage, int, int]:
    """Render an SVG chart to a palette PNG for e-mail; returns the image and its display size.

    The display width is the chart's own width, at most ``max_width`` (the
    mail column); the PNG has ``density`` pixels per display pixel, its text
    in the Liberation Sans built into vl-convert (:func:`pmo_lib.charts.render.pin_fonts`),
    and at most :data:`PNG_COLOURS` colours.

    Examples
    --------
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="500"><rect width="9" height="9"/></svg>'
    >>> image, w, h = svg_to_image(svg, 1000, 500)
    >>> (w, h), image.data[:4], image.cid.endswith("@pmo-reports")
    ((648, 324), b'\\x89PNG', True)
    """
    shown = min(float(width), float(max_width))
    if not _XMLNS.search(svg_markup[:svg_markup.find(">") + 1]):
        # inline SVG in HTML needs no namespace, the PNG renderer (an XML parser) does
        svg_markup = re.sub(r"^\s*<svg\b", '<svg xmlns="http://www.w3.org/2000/svg"', svg_markup, count=1, flags=re.I)
    pin_fonts()  # the chart's text is drawn with the fonts it was measured with, not the host's
    png = quantize_png(vl_convert.svg_to_png(svg_markup, scale=density * shown / float(width)))
    digest = hashlib.sha256(png).hexdigest()[:20]
    image = InlineImage(cid=f"chart-{digest}@pmo-reports", data=png, filename=f"chart-{digest[:8]}.png")
    return image, int(round(shown)), int(round(float(height) * shown / float(width)))


_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S | re.I)
_OPENING = re.compile(r'<svg\b(?:[^>"\']|"[^"]*"|\'[^\']*\')*>', re.I)


def _set_aside_svgs(html: str) -> tuple[str, dict[str, str]]:
    """The fragment with each chart SVG emptied (its opening tag kept, marked), and the SVGs by mark.

    A chart's SVG is most of a fragment's markup and only goes to the PNG
    renderer, so BeautifulSoup need not parse and rewrite it. An SVG that
    holds another stays whole for BeautifulSoup. The marks carry a random
    token drawn per call: the fragment's own text cannot forge one.
    """
    token, kept = secrets.token_hex(6), {}

    def set_aside(match: re.Match[str]) -> str:
        svg = match.group(0)
        opening = _OPENING.match(svg)
        if opening is None or len(re.findall(r"<svg\b", svg, re.I)) != 1:
            return svg
        mark = f"{token}-{len(kept)}"
        kept[mark] = svg
        return f'{opening.group(0)[:-1].rstrip("/")} data-pmo-svg="{mark}"></svg>'

    return _SVG.sub(set_aside, html), kept


def _convert_svgs(soup: BeautifulSoup, density: float, kept: dict[str, str]) -> list[InlineImage]:
    images = []
    for svg in soup.find_all("svg"):
        if svg.find_parent("svg") is not None:
            continue
        width, height = _svg_size(svg)
        markup = kept.get(str(svg.get("data-pmo-svg", ""))) or str(svg)  # an SVG holding another: as parsed
        image, shown, shown_height = svg_to_image(markup, width, height, density=density)
        figure = svg.find_parent("figure")
        caption = figure.find("figcaption") if figure is not None else None
        label = svg.get("aria-label") or (caption.get_text(" ", strip=True) if caption else "") or "Chart"
        img = soup.new_tag("img", attrs={
            "src": f"cid:{image.cid}", "width": str(shown), "height": str(shown_height), "alt": str(label),
            "style": f"display:block;width:100%;max-width:{shown}px;height:auto;border:0",
        })
        svg.replace_with(img)
        images.append(image)
        if figure is not None:
            figure.name = "div"
            figure["style"] = "margin:6px 0 16px"
            if caption is not None:
                caption.name = "p"
                caption["style"] = "font-size:12px;color:#57606a;margin:4px 0 0"
    return images


def _tiles_to_table(soup: BeautifulSoup, tiles_div: Tag) -> None:
    tiles = tiles_div.find_all("div", class_="pmo-tile", recursive=False)
    rows = max(1, math.ceil(len(tiles) / 4))
    per_row = max(1, math.ceil(len(tiles) / rows))
    table = soup.new_tag("table", attrs={"role": "presentation", "width": "100%", "cellpadding": "0",
                                         "cellspacing": "6", "class": "pmo-mail-tiles",
                                         "style": "border-collapse:separate;margin:0 0 8px"})
    for start in range(0, len(tiles), per_row):
        tr = soup.new_tag("tr")
        for tile in tiles[start:start + per_row]:
            style = clean_style(str(tile.get("style", "")), drop={"min-width", "max-width", "border-radius"})
            td = soup.new_tag("td", attrs={"class": "pmo-mail-tile", "valign": "top",
                                           "width": f"{100 // per_row}%",
                                           "style": style + ";padding:8px 10px;vertical-align:top"})
            for child in list(tile.children):
                td.append(child.extract())
            value = td.find(class_="pmo-tile__value")
            if value is not None:
                value["style"] = clean_style(str(value.get("style", "")), drop={"font-size"}) + ";font-size:20px"
            tr.append(td)
        for _ in range(per_row - len(tiles[start:start + per_row])):
            tr.append(soup.new_tag("td", attrs={"class": "pmo-mail-tile", "width": f"{100 // per_row}%"}))
        table.append(tr)
    tiles_div.replace_with(table)


def _header_to_table(soup: BeautifulSoup, header: Tag) -> None:
    main = header.find(class_="pmo-header__main")
    status = header.find(class_="pmo-header__status")
    table = soup.new_tag("table", attrs={"role": "presentation", "width": "100%", "cellpadding": "0",
                                         "cellspacing": "0", "class": "pmo-header",
                                         "style": "border-bottom:2px solid #d0d7de;margin:0 0 14px"})
    tr = soup.new_tag("tr")
    left = soup.new_tag("td", attrs={"valign": "top", "style": "padding:0 0 12px;vertical-align:top"})
    if main is not None:
        left.append(main.extract())
    tr.append(left)
    if status is not None:
        for ul in status.find_all("ul"):
            ul.name = "div"
            ul["style"] = "margin:6px 0 0;font-size:12px;line-height:1.9"
            for li in ul.find_all("li", recursive=False):
                li.name = "span"
                li["style"] = "display:inline-block;white-space:nowrap;margin:0 0 0 10px"
        right = soup.new_tag("td", attrs={"valign": "top", "align": "right", "width": "42%",
                                          "style": "padding:0 0 12px 12px;text-align:right;vertical-align:top"})
        right.append(status.extract())
        tr.append(right)
    table.append(tr)
    header.replace_with(table)


def _slim_table(table: Tag) -> None:
    """Lay a data table out with attributes (padding, zebra rows), which cost fewer bytes than inline CSS."""
    header = table.find("tr")
    wide = header is not None and len(header.find_all(["th", "td"], recursive=False)) >= _WIDE_TABLE
    table.attrs.update({"width": "100%", "cellpadding": "3" if wide else "4", "cellspacing": "0", "border": "0"})
    if wide:
        table["style"] = clean_style(str(table.get("style", "")), drop={"font-size"}) + ";font-size:11px"
    for badge in table.find_all("span", class_="pmo-rag"):
        badge["style"] = clean_style(str(badge.get("style", "")), drop={"padding", "letter-spacing", "font-size"}) \
            + ";padding:0 4px;font-size:10px"
    for body in table.find_all("tbody"):
        for i, row in enumerate(body.find_all("tr", recursive=False)):
            row["valign"] = "top"
            if i % 2:
                row["bgcolor"] = "#f6f8fa"
            for cell in row.find_all("td", recursive=False):
                if _SHORT_CELL.match(cell.get_text(strip=True)) and "nowrap" not in str(cell.get("style", "")):
                    cell["style"] = ";".join(p for p in (str(cell.get("style", "")), "white-space:nowrap") if p)


def mail_fragment(html: str, *, density: float = PNG_DENSITY) -> MailFragment:
    """Convert one report fragment (a notebook cell's ``text/html``) for mail clients.

    Examples
    --------
    >>> mail_fragment('<p style="display:grid;color:red">a<img src="http://x/t.png"></p>').html
    '<p style="color:red">a</p>'
    """
    html, kept = _set_aside_svgs(html)
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(["style", "link", "script", "meta", "base"]):
        element.decompose()
    images = _convert_svgs(soup, density, kept)
    for img in soup.find_all("img"):
        if not str(img.get("src", "")).startswith("cid:"):
            img.decompose()
    for tiles in soup.find_all("div", class_="pmo-tiles"):
        _tiles_to_table(soup, tiles)
    for header in soup.find_all(["header", "div"], class_="pmo-header"):
        _header_to_table(soup, header)
    for table in soup.find_all("table", class_="pmo-table"):
        _slim_table(table)
    for element in soup.find_all(style=True):
        cleaned = clean_style(str(element["style"]))
        if cleaned:
            element["style"] = cleaned
        else:
            del element["style"]
    for table in soup.find_all("table", class_="pmo-table"):
        # On a phone a wide table scrolls inside its own box; the message itself never scrolls sideways.
        box = soup.new_tag("div", attrs={"class": "pmo-mail-scroll",
                                         "style": "overflow-x:auto;max-width:100%;width:100%"})
        table.wrap(box)
    return MailFragment(str(soup), tuple(images))


def mail_document(sections: list[str], *, title: str, preheader: str = "", footer: str = "") -> str:
    """The whole HTML body: a centred table of ``MAIL_WIDTH`` px, CSS inlined, active content removed.

    ``sections`` are finished HTML (converted fragments); ``title``,
    ``preheader`` (the inbox preview line) and ``footer`` are plain text.

    Examples
    --------
    >>> page = mail_document(["<h2>Risks</h2><p>None.</p>"], title="A <b>", footer="Generated")
    >>> '<h2 style="' in page, "<style>" in page.split("</head>")[1], "A &lt;b&gt;" in page
    (True, False, True)
    """
    hidden = ("display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;"
              "overflow:hidden;mso-hide:all")
    body = "".join(sections)
    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="x-apple-disable-message-reformatting">'
        f"<title>{escape(title)}</title><style>{STYLESHEET}</style></head>"
        '<body style="margin:0;padding:0;background:#f3f5f7">'
        + (f'<div style="{hidden}">{escape(preheader)}</div>' if preheader else "")
        + '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="background:#f3f5f7;table-layout:fixed"><tr><td align="center" style="padding:16px 8px">'
        f'<table role="presentation" class="pmo-mail-container" width="{MAIL_WIDTH}" cellpadding="0" '
        f'cellspacing="0" style="width:{MAIL_WIDTH}px;max-width:{MAIL_WIDTH}px;background:#ffffff;'
        'border:1px solid #d0d7de;border-radius:8px;table-layout:fixed">'
        f'<tr><td class="pmo-mail-body" style="padding:20px 16px 12px;text-align:left">{body}</td></tr>'
        "</table>"
        f'<table role="presentation" class="pmo-mail-footer pmo-mail-container" width="{MAIL_WIDTH}" '
        f'cellpadding="0" cellspacing="0" style="width:{MAIL_WIDTH}px;max-width:{MAIL_WIDTH}px">'
        f'<tr><td style="padding:10px 16px 0;text-align:left">{escape(footer)}</td></tr></table>'
        "</td></tr></table></body></html>"
    )
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    soup = BeautifulSoup(inliner.inline(document), "html.parser")
    for element in soup.find_all(class_=True):
        kept = [c for c in element["class"] if c.startswith("pmo-mail-")]
        if kept:
            element["class"] = kept
        else:
            del element["class"]
    for element in soup.find_all("span", title=True):
        del element["title"]
    for img in soup.find_all("img"):
        if not str(img.get("src", "")).startswith("cid:"):
            img.decompose()
    return strip_active_content(str(soup))
