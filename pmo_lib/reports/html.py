"""HTML building blocks that a report notebook cell returns.

Each function returns an :class:`HtmlFragment`: an object with
``_repr_html_``, so the executed notebook stores a plain ``text/html`` output
that JupyterLab shows as is and the exported page embeds without JavaScript.

Everything that comes from data (names, titles, column headers, captions,
cell values) goes through :func:`escape` exactly once, here, at the boundary.
The colours a fragment needs are written as inline ``style`` attributes, so a
fragment looks right in JupyterLab, in the exported page and in an e-mail;
the page template (``report_templates/pmo``) adds typography and print rules
through the ``pmo-*`` classes.

Examples
--------
>>> rag_badge("red").html.endswith(">RED</span>")
True
>>> from pmo_lib.formatting import escape
>>> escape('<b> & "x"')
'&lt;b&gt; &amp; &quot;x&quot;'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Any

from pmo_lib.formatting import MISSING, escape, format_number, is_missing
from pmo_lib.rag import RAG_BADGE_COLOURS, RAG_COLOURS, RAG_WORDS, compare_rag, normalize_rag

_MUTED = "#57606a"
_BORDER = "#d0d7de"
_TREND_ARROWS = {"up": "▲", "down": "▼", "flat": "▶"}
_TABLE_PHRASES = {
    "risks": "risk register",
    "issues": "issue log",
    "changes": "change log",
    "resources": "resource list",
    "assignments": "resource assignments",
    "status_updates": "status updates",
    "demand": "demand pipeline",
}


_UNBREAKABLE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?: UTC)?)?"  # ISO dates and times
    r"|\b\d{1,2} [A-Z][a-z]{2} \d{4}(?:,? \d{2}:\d{2}(?: UTC)?)?"  # 23 Nov 2026, 22:55 UTC
    r"|\b[A-Z][A-Z0-9]*-\d+\b(?!\.\w)"  # ids: PRJ-003, R-12 (not a file name: PRJ-003.html)
    r"|(?<![\w.])[-+]?(?:[A-Z]{3} |[€$£])?-?\d[\d,]*(?:\.\d+)?(?:[kMB]\b| ?%| d\b)?(?![\w.-])"  # €46.2k, +72 d
)


def keep_together(text: Any) -> str:
    """Escape ``text`` and keep each date, id and amount in it on one line.

    A phone breaks lines at hyphens: "2026-11-20" must not become "2026-" and
    "11-20". Each such value is wrapped in a ``white-space:nowrap`` span.

    Examples
    --------
    >>> keep_together("Status date: 2026-11-20 <b>")
    'Status date: <span class="pmo-nowrap" style="white-space:nowrap">2026-11-20</span> &lt;b&gt;'
    >>> keep_together("PRJ-003.html")
    'PRJ-003.html'
    >>> keep_together("PRJ-003 is -€46.19k over")
    '<span class="pmo-nowrap" style="white-space:nowrap">PRJ-003</span> is \
<span class="pmo-nowrap" style="white-space:nowrap">-€46.19k</span> over'
    """
    escaped = escape(text)

    def wrap(match: re.Match[str]) -> str:
        value = match.group(0)
        if not any(c in value for c in "-/ ,.€$£%") or value.isdigit():
            return value  # a plain number cannot break anyway
        return f'<span class="pmo-nowrap" style="white-space:nowrap">{value}</span>'

    return _UNBREAKABLE.sub(wrap, escaped)


@dataclass(frozen=True)
class HtmlFragment:
    """A piece of finished HTML that displays itself in a notebook.

    Attributes
    ----------
    html : str
        The markup; every value from data in it is already escaped.
    text : str
        A plain-text stand-in, used as the ``text/plain`` repr.

    Examples
    --------
    >>> fragment = HtmlFragment("<p>hi</p>", "hi")
    >>> fragment._repr_html_(), repr(fragment)
    ('<p>hi</p>', 'hi')
    """

    html: str
    text: str = ""
    meta: dict | None = field(default=None, compare=False)
    """Output metadata (``section``, ``rag``) stored with the cell's output under ``"pmo"``, so the
    mail composer finds a section by name instead of parsing the page."""

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html, "text/plain": repr(self)}
        return (data, {"pmo": dict(self.meta)}) if self.meta else data

    def named(self, **meta) -> HtmlFragment:
        """This fragment with ``meta`` added to its output metadata.

        Examples
        --------
        >>> HtmlFragment("<p>x</p>").named(section="kpis")._repr_mimebundle_()[1]
        {'pmo': {'section': 'kpis'}}
        """
        return replace(self, meta={**(self.meta or {}), **meta})

    def __html__(self) -> str:  # markupsafe / Jinja protocol
        return self.html

    def __repr__(self) -> str:
        return self.text or "HtmlFragment(...)"


def _badge_html(rag: Any, *, large: bool = False) -> str:
    level = normalize_rag(rag)
    background, colour = RAG_BADGE_COLOURS[level]
    size = "0.95em" if large else "0.78em"
    style = (
        f"display:inline-block;padding:0.1em 0.65em;border-radius:999px;"
        f"border:1px solid {RAG_COLOURS[level]};background:{background};color:{colour};"
        f"font-size:{size};font-weight:700;letter-spacing:0.04em;line-height:1.5;"
        "white-space:nowrap;vertical-align:middle"
    )
    title = "status not assessed" if level == "grey" else f"status {level}"
    return (
        f'<span class="pmo-rag pmo-rag--{level}" style="{style}" '
        f'title="{title}">{RAG_WORDS[level]}</span>'
    )


def rag_badge(rag: Any) -> HtmlFragment:
    """A coloured pill that also carries the word (GREEN, AMBER, RED, N/A).

    The word keeps the status readable for colour-blind readers and on a
    black-and-white printout. Missing or unknown values show as grey "N/A".

    Examples
    --------
    >>> badge = rag_badge("Amber")
    >>> repr(badge)
    'AMBER'
    >>> 'class="pmo-rag pmo-rag--amber"' in badge.html
    True
    >>> repr(rag_badge(None))
    'N/A'
    """
    level = normalize_rag(rag)
    return HtmlFragment(_badge_html(level), RAG_WORDS[level])


@dataclass(frozen=True)
class Tile:
    """One KPI tile.

    Attributes
    ----------
    label : str
        What is measured ("CPI").
    value : Any
        Usually text already formatted with :mod:`pmo_lib.formatting`;
        a number is formatted with :func:`~pmo_lib.formatting.format_number`
        (two decimals unless whole).
    sub : str, optional
        A small line under the value ("was 0.91").
    rag : str, optional
        Colours the tile border and adds a RAG pill.
    trend : {"up", "down", "flat"}, optional
        An arrow before the sub-line.
    """

    label: str
    value: Any
    sub: str | None = None
    rag: str | None = None
    trend: str | None = None


def _tile_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    if isinstance(value, Real) and not isinstance(value, bool):
        return format_number(value, decimals=0 if float(value).is_integer() else 2)
    return str(value)


def _tile_sub(tile: Tile) -> str:
    arrow = _TREND_ARROWS.get(str(tile.trend).lower(), "") if tile.trend else ""
    return " ".join(p for p in (arrow, "" if tile.sub is None else str(tile.sub)) if p)


def _tile_html(tile: Tile) -> str:
    accent = RAG_COLOURS[normalize_rag(tile.rag)] if tile.rag is not None else _BORDER
    badge = f" {_badge_html(tile.rag)}" if tile.rag is not None else ""
    parts = [
        f'<div class="pmo-tile" style="flex:1 1 160px;min-width:150px;max-width:280px;'
        f"box-sizing:border-box;border:1px solid {_BORDER};border-left:6px solid {accent};"
        'border-radius:6px;padding:10px 14px;background:#fff;break-inside:avoid">',
        f'<div class="pmo-tile__label" style="display:flex;justify-content:space-between;'
        f"align-items:center;gap:6px;font-size:0.8em;color:{_MUTED};text-transform:uppercase;"
        f'letter-spacing:0.04em"><span>{escape(tile.label)}</span>{badge}</div>',
        '<div class="pmo-tile__value" style="font-size:1.6em;font-weight:650;line-height:1.25;'
        f'font-variant-numeric:tabular-nums">{escape(_tile_value(tile.value))}</div>',
    ]
    sub = _tile_sub(tile)
    if sub:
        parts.append(
            f'<div class="pmo-tile__sub" style="font-size:0.85em;color:{_MUTED}">'
            f"{keep_together(sub)}</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def kpi_tiles(items: Iterable[Tile | Mapping[str, Any]]) -> HtmlFragment:
    """A responsive row of KPI tiles that wraps on narrow screens.

    Parameters
    ----------
    items : iterable of Tile or mapping
        Tiles, or mappings with the :class:`Tile` fields as keys.

    Examples
    --------
    >>> tiles = kpi_tiles([
    ...     {"label": "CPI", "value": "0.89", "sub": "was 0.91", "trend": "down", "rag": "amber"},
    ...     Tile("Budget", "€1.2M"),
    ... ])
    >>> print(repr(tiles))
    CPI: 0.89 (▼ was 0.91) [AMBER]
    Budget: €1.2M
    >>> tiles.html.count('class="pmo-tile"')
    2
    """
    tiles = [item if isinstance(item, Tile) else Tile(**item) for item in items]
    body = "".join(_tile_html(tile) for tile in tiles)
    html = (
        '<div class="pmo-tiles" style="display:flex;flex-wrap:wrap;gap:12px;'
        f'margin:0.5em 0 1em">{body}</div>'
    )
    lines = []
    for tile in tiles:
        line = f"{tile.label}: {_tile_value(tile.value)}"
        sub = _tile_sub(tile)
        if sub:
            line += f" ({sub})"
        if tile.rag is not None:
            line += f" [{RAG_WORDS[normalize_rag(tile.rag)]}]"
        lines.append(line)
    return HtmlFragment(html, "\n".join(lines))


def _change_text(current: Any, previous: Any) -> str:
    if previous is None:
        return ""
    now, before = normalize_rag(current), normalize_rag(previous)
    if now == before:
        return ""
    arrow = {1: "▲ ", -1: "▼ ", 0: ""}[compare_rag(now, before)]
    return f"{arrow}was {RAG_WORDS[before]}"


def _dimension_label(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


def report_header(
    title: str,
    subtitle_lines: Sequence[str] = (),
    *,
    rag: str | None = None,
    dimensions: Mapping[str, str] | None = None,
    changes: Mapping[str, str] | None = None,
) -> HtmlFragment:
    """The header block of a report: title, sub-lines and the RAG status.

    Parameters
    ----------
    title : str
        Usually the project or programme name.
    subtitle_lines : sequence of str
        Short lines under the title ("Manager: Ana Ruiz").
    rag : str, optional
        Overall RAG, shown as a large pill.
    dimensions : mapping, optional
        RAG per dimension, in display order: ``{"schedule": "green", "cost": "red"}``.
    changes : mapping, optional
        The previous report's RAG per dimension (key ``"overall"`` for the
        overall RAG); a changed status shows "▲ was AMBER" (better) or
        "▼ was GREEN" (worse).

    Examples
    --------
    >>> header = report_header("Apollo", ["Manager: Ana"], rag="amber",
    ...                        dimensions={"schedule": "green", "cost": "amber"},
    ...                        changes={"cost": "green"})
    >>> print(repr(header))
    Apollo — AMBER
    Manager: Ana
    Schedule: GREEN; Cost: AMBER (▼ was GREEN)
    """
    changes = dict(changes or {})
    left = [f'<h1 class="pmo-header__title" style="margin:0 0 4px;font-size:1.75em;'
            f'line-height:1.2">{escape(title)}</h1>']
    left += [
        f'<p class="pmo-header__sub" style="margin:0;color:{_MUTED}">{keep_together(line)}</p>'
        for line in subtitle_lines
    ]
    right = []
    text_lines = [f"{title} — {RAG_WORDS[normalize_rag(rag)]}" if rag is not None else title]
    text_lines += [str(line) for line in subtitle_lines]
    if rag is not None:
        change = _change_text(rag, changes.get("overall"))
        right.append(
            '<div class="pmo-header__overall" style="font-size:0.9em;color:#24292f">'
            f"Overall {_badge_html(rag, large=True)}"
            + (f' <span style="color:{_MUTED}">{escape(change)}</span>' if change else "")
            + "</div>"
        )
    if dimensions:
        items, texts = [], []
        for key, value in dimensions.items():
            change = _change_text(value, changes.get(key))
            items.append(
                f'<li style="white-space:nowrap">{escape(_dimension_label(key))} '
                f"{_badge_html(value)}"
                + (f' <span style="color:{_MUTED}">{escape(change)}</span>' if change else "")
                + "</li>"
            )
            texts.append(
                f"{_dimension_label(key)}: {RAG_WORDS[normalize_rag(value)]}"
                + (f" ({change})" if change else "")
            )
        right.append(
            '<ul class="pmo-header__dimensions" style="list-style:none;margin:8px 0 0;'
            "padding:0;display:flex;flex-wrap:wrap;gap:6px 14px;justify-content:flex-end;"
            f'font-size:0.85em">{"".join(items)}</ul>'
        )
        text_lines.append("; ".join(texts))
    html = (
        '<header class="pmo-header" style="display:flex;flex-wrap:wrap;'
        "justify-content:space-between;align-items:flex-start;gap:12px 24px;"
        f'border-bottom:2px solid {_BORDER};padding:0 0 12px;margin:0 0 16px">'
        f'<div class="pmo-header__main">{"".join(left)}</div>'
        + (f'<div class="pmo-header__status" style="text-align:right">{"".join(right)}</div>'
           if right else "")
        + "</header>"
    )
    meta = {"rag": normalize_rag(rag)} if rag is not None else None
    return HtmlFragment(html, "\n".join(text_lines), meta=meta)


def gallery(*parts) -> HtmlFragment | None:
    """Small multiples side by side: as many per row as the screen or the paper holds (one on a phone).

    ``parts`` are fragments or charts (anything with ``_repr_html_``); ``None`` parts are skipped.

    Examples
    --------
    >>> gallery(HtmlFragment("<p>a</p>", "a"), None, HtmlFragment("<p>b</p>", "b")).html
    '<div class="pmo-gallery"><p>a</p><p>b</p></div>'
    >>> gallery(None) is None
    True
    """
    shown = [p for p in parts if p is not None]
    if not shown:
        return None
    inner = "".join(p._repr_html_() for p in shown)
    return HtmlFragment(f'<div class="pmo-gallery">{inner}</div>', "\n".join(repr(p) for p in shown))


def note(text: str, *, kind: str = "info") -> HtmlFragment:
    """A short boxed message, such as "No risk register supplied".

    Parameters
    ----------
    text : str
    kind : {"info", "warning"}, default "info"

    Examples
    --------
    >>> note("Data as of 2024-05-31.").html.startswith('<div class="pmo-note pmo-note--info"')
    True
    """
    accent = RAG_COLOURS["amber"] if kind == "warning" else "#0969da"
    kind_class = "warning" if kind == "warning" else "info"
    html = (
        f'<div class="pmo-note pmo-note--{kind_class}" role="note" style="border-left:4px solid '
        f'{accent};background:#f6f8fa;padding:8px 12px;margin:0.5em 0 1em;border-radius:0 4px 4px 0">'
        f"{keep_together(text)}</div>"
    )
    return HtmlFragment(html, str(text))


def missing_table(table_name: str) -> HtmlFragment:
    """The note a section shows when its optional table was not supplied.

    Examples
    --------
    >>> missing_table("risks").text
    "No risk register supplied: add risks.csv (or a 'risks' sheet) to the portfolio data to fill this section."
    """
    phrase = _TABLE_PHRASES.get(table_name, str(table_name).replace("_", " "))
    return note(
        f"No {phrase} supplied: add {table_name}.csv (or a '{table_name}' sheet) "
        "to the portfolio data to fill this section."
    )


def section(title: str, *, intro: str | None = None, level: int = 2) -> HtmlFragment:
    """A section heading, with an optional introductory sentence.

    Examples
    --------
    >>> section("Risks <top 10>").html
    '<h2 class="pmo-section">Risks &lt;top 10&gt;</h2>'
    """
    level = min(max(int(level), 1), 6)
    html = f'<h{level} class="pmo-section">{escape(title)}</h{level}>'
    if intro:
        html += f'<p class="pmo-section__intro">{escape(intro)}</p>'
    return HtmlFragment(html, str(title))
