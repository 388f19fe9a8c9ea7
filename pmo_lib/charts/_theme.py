"""The look of every report chart: font, palette, the Altair theme and the RAG colour scale.

Chart builders and the renderer both take it from here; the builders never
import the renderer.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from pmo_lib.rag import RAG_COLOURS, RAG_LEVELS

THEME_NAME = "pmo_report"
FONT = '"Liberation Sans", Arial, Helvetica, sans-serif'
"""Chart text: vl-convert measures labels with Liberation Sans (see :mod:`pmo_lib.charts.render`); the
browser draws them with it too, or with Arial/Helvetica, which have the same metrics, so a label
measured to fit is drawn to fit (no clipped axis labels, no collisions from a wider system font)."""
PALETTE = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#8c6d1f", "#424a53"]
"""Okabe-Ito based category colours, safe for colour-blind readers."""

_TEXT = "#24292f"
_MUTED = "#57606a"


def report_theme() -> dict[str, Any]:
    """The Altair theme of every report chart: system font, quiet grid, print-friendly.

    Examples
    --------
    >>> report_theme()["config"]["font"].startswith('"Liberation Sans"')
    True
    """
    label = {"labelFontSize": 11, "labelColor": _MUTED, "titleFontSize": 12,
             "titleColor": _TEXT, "titleFontWeight": 600}
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"continuousWidth": 560, "continuousHeight": 260, "stroke": None},
            "title": {"fontSize": 15, "fontWeight": 600, "color": _TEXT, "anchor": "start",
                      "subtitleFontSize": 12, "subtitleColor": _MUTED, "offset": 12},
            "axis": {**label, "gridColor": "#eaeef2", "domainColor": "#8c959f",
                     "tickColor": "#8c959f", "labelLimit": 220, "titlePadding": 8},
            "legend": {**label, "orient": "bottom", "symbolSize": 90},
            "header": {"labelFontSize": 12, "labelColor": _TEXT, "titleFontSize": 12},
            "range": {"category": PALETTE},
            "mark": {"color": PALETTE[0]},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0], "filled": True},
            "text": {"font": FONT, "fontSize": 11, "color": _TEXT},
        }
    }


alt.theme.register(THEME_NAME, enable=False)(report_theme)


def apply_report_theme() -> None:
    """Enable the report theme for every Altair chart shown in this process.

    Rendering with :func:`chart_svg` always uses the theme; call this in a
    notebook only to get the same look from Altair's own interactive display.
    """
    alt.theme.enable(THEME_NAME)


def rag_colour_scale() -> alt.Scale:
    """An ``alt.Scale`` that maps the RAG words to the report's RAG colours.

    Examples
    --------
    >>> rag_colour_scale().to_dict()["domain"]
    ['green', 'amber', 'red', 'grey']
    """
    return alt.Scale(domain=list(RAG_LEVELS), range=[RAG_COLOURS[k] for k in RAG_LEVELS])
