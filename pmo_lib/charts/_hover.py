"""Hover details without script: each mark's tooltip fields become its description.

Internal to :mod:`pmo_lib.charts`. Pages run no script, so Vega's tooltips
never show. Vega writes a mark's *description* into the SVG as its
``aria-label``, which :func:`pmo_lib.charts.render.chart_svg` turns into an
SVG ``<title>`` (browsers show it on hover). Vega-Lite's own description
lists every encoding with the axis formats (raw field names, amounts without
separators); where a chart declares a tooltip, the tooltip's curated titles
and formats are the better text, so :func:`describe_with_tooltips` rewrites
the description of every mark that has one from its tooltip expression.

Examples
--------
>>> vega = {"marks": [{"type": "symbol", "encode": {"update": {
...     "tooltip": {"signal": '{"Project": datum["name"], "CPI": format(datum["cpi"], ".2f")}'}}}}]}
>>> signal = describe_with_tooltips(vega)["marks"][0]["encode"]["update"]["description"]["signal"]
>>> signal.startswith('"Project: " + ') and '"; CPI: " + ' in signal
True
"""

from __future__ import annotations

import json
from typing import Any

from pmo_lib.formatting import MISSING


def _top_level_split(text: str, separator: str) -> list[str]:
    """Split a Vega expression at ``separator`` outside strings and brackets."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def tooltip_fields(signal: str) -> list[tuple[str, str]] | None:
    """The ``(title, expression)`` pairs of a tooltip object expression, or None if it is not one.

    Examples
    --------
    >>> tooltip_fields('{"A": datum["a"], "B (EUR)": format(datum["b"], ",.0f")}')
    [('A', 'datum["a"]'), ('B (EUR)', 'format(datum["b"], ",.0f")')]
    >>> tooltip_fields('datum') is None
    True
    """
    body = signal.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return None
    fields = []
    for entry in _top_level_split(body[1:-1], ","):
        key, colon, expression = entry.strip().partition(":")
        if not colon or not key.startswith('"'):
            return None
        try:
            title = json.loads(key)
        except ValueError:
            return None
        fields.append((str(title), expression.strip()))
    return fields or None


_PATHS = {"line", "area", "trail"}
"""Marks drawn as one shape over many data points: Vega describes them by their first point."""


def _shown(expression: str) -> str:
    """The expression's text, with an empty value (Vega formats null as "null") shown as n/a."""
    return f'(indexof(["null", "NaN", "undefined", ""], "" + ({expression})) >= 0 ? {json.dumps(MISSING)} : ({expression}))'


def _describe(marks: list[dict[str, Any]]) -> None:
    for mark in marks:
        update = mark.get("encode", {}).get("update", {})
        tooltip = update.get("tooltip")
        fields = tooltip_fields(tooltip["signal"]) if isinstance(tooltip, dict) and "signal" in tooltip else None
        if mark.get("type") in _PATHS and "description" in update:
            # a line is one shape: only what holds along it (its series), not its first point's values
            fields = [(t, e) for t, e in fields or [] if "format(" not in e.lower()]
            if not fields:
                del update["description"]
        if fields:
            update["description"] = {"signal": " + ".join(
                f"{json.dumps(('; ' if i else '') + title + ': ')} + {_shown(expression)}"
                for i, (title, expression) in enumerate(fields))}
        _describe(mark.get("marks", []))


def describe_with_tooltips(vega: dict[str, Any]) -> dict[str, Any]:
    """``vega`` with every mark that has a tooltip described by its tooltip fields (changed in place)."""
    _describe(vega.get("marks", []))
    return vega
