"""The report table: a DataFrame in, one escaped, formatted, scrollable HTML table out.

Columns are formatted by kind (money, ratio, percent, date, days, RAG),
numbers align right, short values never wrap, and a long table keeps its
header. Every cell goes through :func:`pmo_lib.formatting.escape` exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from pmo_lib.formatting import (
    escape,
    format_date,
    format_days,
    format_money,
    format_number,
    format_percent,
    format_ratio,
    is_missing,
)
from pmo_lib.reports.html import _MUTED, HtmlFragment, _badge_html, keep_together

SHORT_TABLE_ROWS = 12
"""A table of at most this many rows prints whole: it moves to the next page rather than split."""

def _plain_cell(value: Any) -> str:
    if is_missing(value):
        return ""
    return keep_together(str(value).replace("\r\n", "\n")).replace("\n", "<br>")


def _column_formatter(
    column: pd.Series, kind: str | None, currency: str
) -> tuple[Any, bool]:
    """Return ``(value -> html, right_aligned)`` for one column."""
    if kind == "rag":
        return _badge_html, False
    if kind == "money":
        return (lambda v: escape(format_money(v, currency))), True
    if kind == "ratio":
        return (lambda v: escape(format_ratio(v))), True
    if kind == "percent":
        return (lambda v: escape(format_percent(v))), True
    if kind == "days":
        return (lambda v: escape(format_days(v))), True
    if kind == "date" or pd.api.types.is_datetime64_any_dtype(column.dtype):
        return (lambda v: f'<span style="white-space:nowrap">{escape(format_date(v))}</span>'), False
    if pd.api.types.is_bool_dtype(column.dtype):
        return (lambda v: "" if is_missing(v) else ("yes" if v else "no")), False
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = pd.to_numeric(column, errors="coerce")
        finite = values[values.notna() & values.abs().ne(float("inf"))]
        whole = bool((finite == finite.round()).all())
        decimals = 0 if whole else 2
        return (lambda v: escape(format_number(v, decimals=decimals))), True
    return _plain_cell, False


def _is_prose(column: pd.Series, limit: int = 40) -> bool:
    lengths = column.astype(str).str.len()
    return bool(len(column)) and int(lengths.max()) > limit


def _is_short(column: pd.Series, limit: int = 12) -> bool:
    lengths = column.astype(str).str.len()
    return bool(len(column)) and int(lengths.max()) <= limit


def _nowrap(fmt):
    return lambda v: f'<span style="white-space:nowrap">{fmt(v)}</span>'


def _column_kinds(frame: pd.DataFrame, **lists: Iterable[str]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for kind, names in lists.items():
        for name in names:
            if name not in frame.columns:
                raise ValueError(
                    f"table(): column {name!r} listed as {kind} is not in the table; "
                    f"its columns are {', '.join(map(str, frame.columns))}"
                )
            kinds[name] = kind
    return kinds


def table(
    frame: pd.DataFrame,
    *,
    money: Iterable[str] = (),
    ratios: Iterable[str] = (),
    dates: Iterable[str] = (),
    rag: Iterable[str] = (),
    percent: Iterable[str] = (),
    days: Iterable[str] = (),
    labels: Mapping[str, str] | None = None,
    currency: str = "EUR",
    caption: str | None = None,
    empty_message: str = "Nothing to show.",
) -> HtmlFragment:
    """An HTML table of a DataFrame, formatted and escaped, without its index.

    Parameters
    ----------
    frame : DataFrame
        The rows to show, in order; it is not modified.
    money, ratios, dates, rag, percent, days : iterable of str
        Columns formatted with :func:`~pmo_lib.formatting.format_money`,
        ``format_ratio``, ``format_date``, as RAG pills, ``format_percent``
        (percent points) and ``format_days``. Datetime columns are formatted
        as dates anyway; other numeric columns get thousands separators (two
        decimals unless all values are whole); booleans show yes/no.
    labels : mapping, optional
        Header text per column (default: the column name).
    currency : str, default "EUR"
    caption : str, optional
    empty_message : str, default "Nothing to show."
        Shown instead of the table when the frame has no rows.

    Returns
    -------
    HtmlFragment
        Numeric columns are right-aligned; every header, caption and text
        cell is escaped.

    Raises
    ------
    ValueError
        When a listed column is not in the frame.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["A & B"], "cpi": [0.8912], "rag": ["red"]})
    >>> t = table(frame, ratios=["cpi"], rag=["rag"], labels={"cpi": "CPI"})
    >>> ">A &amp; B</span></td>" in t.html, ">0.89</td>" in t.html, ">RED</span>" in t.html
    (True, True, True)
    >>> table(frame.iloc[0:0], empty_message="No open issues").text
    'No open issues'
    """
    labels = dict(labels or {})
    caption_html = (
        f'<caption class="pmo-caption" style="caption-side:top;text-align:left;'
        f'font-weight:600;padding:0 0 6px">{escape(caption)}</caption>'
        if caption
        else ""
    )
    if frame.empty or len(frame.columns) == 0:
        heading = (
            f'<p class="pmo-caption" style="font-weight:600;margin:0 0 6px">{escape(caption)}</p>'
            if caption
            else ""
        )
        html = (
            f'<div class="pmo-table-wrap">{heading}<p class="pmo-empty" '
            f'style="color:{_MUTED};font-style:italic;margin:0.25em 0 1em">'
            f"{escape(empty_message)}</p></div>"
        )
        return HtmlFragment(html, empty_message)

    kinds = _column_kinds(
        frame, money=money, ratio=ratios, date=dates, rag=rag, percent=percent, days=days
    )
    columns = list(frame.columns)
    formatters = [
        _column_formatter(frame.iloc[:, i], kinds.get(name), currency)
        for i, name in enumerate(columns)
    ]
    # Short codes (ids, statuses) never break across lines.
    formatters = [
        (_nowrap(fmt), aligned) if fmt is _plain_cell and _is_short(frame.iloc[:, i]) else (fmt, aligned)
        for i, (fmt, aligned) in enumerate(formatters)
    ]
    right = ' class="num" style="text-align:right;white-space:nowrap"'
    # Text is aligned left inline too: JupyterLab's own stylesheet right-aligns every cell, and the
    # notebook should show the table as the page does.
    left = ' style="text-align:left"'
    # Prose (a reason, a mitigation) keeps a readable width when the table is squeezed.
    prose = ' class="pmo-prose" style="text-align:left"'
    attributes = [right if aligned else prose if fmt is _plain_cell and _is_prose(frame.iloc[:, i]) else left
                  for i, (fmt, aligned) in enumerate(formatters)]

    def header_text(name: Any) -> str:
        if name in labels:
            return str(labels[name])
        if isinstance(name, tuple):
            return " / ".join(str(part) for part in name)
        return str(name)

    head = "".join(
        f'<th scope="col"{attrs}>{escape(header_text(name))}</th>'
        for name, attrs in zip(columns, attributes)
    )
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = "".join(
            f"<td{attrs}>{fmt(value)}</td>"
            for value, (fmt, _), attrs in zip(values, formatters, attributes)
        )
        rows.append(f"<tr>{cells}</tr>")
    short = " pmo-table-wrap--short" if len(frame) <= SHORT_TABLE_ROWS else ""
    html = (
        f'<div class="pmo-table-wrap{short}" style="overflow-x:auto;margin:0.5em 0 1em">'
        '<table class="pmo-table" style="border-collapse:collapse">'
        f"{caption_html}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    rows_text = f"{len(frame)} row{'' if len(frame) == 1 else 's'}"
    summary = f"{caption + ': ' if caption else ''}table of {rows_text}"
    return HtmlFragment(html, summary)
