"""What every chart builder shares: sizes, formats, the "No data" chart, titles.

Internal to :mod:`pmo_lib.charts`. Text that comes from the data (project,
program and risk names) only ever travels as data values: nothing here
builds a Vega expression or markup from it.
"""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

from pmo_lib.charts._theme import PALETTE
from pmo_lib.formatting import currency_prefix, format_date, number_format
from pmo_lib.rag import RAG_COLOURS, RAG_LEVELS

WIDTH = 720
HEIGHT = 280
SMALL_WIDTH = 270
"""Plot width of a small multiple: two sit side by side on A4 and one fits a 390 px phone."""
SMALL_HEIGHT = 120
MONEY_FORMAT = ",.0f"
"""d3 format of money axes and tooltips: whole units with thousands separators."""
DATE_FORMAT = "%Y-%m-%d"
MONTH_FORMAT = "%b %Y"
MUTED = "#57606a"
RULE = "#424a53"


def money_title(label: str, currency: str | None) -> str:
    """``"Cost (EUR)"``: an axis title with the currency code, when there is one.

    Examples
    --------
    >>> money_title("Cost", "eur"), money_title("Cost", None)
    ('Cost (EUR)', 'Cost')
    """
    code = str(currency or "").strip().upper()
    return f"{label} ({code})" if code else label


def money_label_expr(currency: str | None) -> str:
    """The Vega expression writing an axis amount in the run's number format, with its currency.

    Compact: three significant figures with k/M/B (``€1.5M``); full: whole
    units with separators (``€1,500,000``). The currency prefix is a fixed
    symbol or three letters (:func:`~pmo_lib.formatting.currency_prefix`).

    Examples
    --------
    >>> money_label_expr("EUR")
    "(datum.value < 0 ? '-' : '') + '€' + replace(format(abs(datum.value), '.3~s'), 'G', 'B')"
    """
    prefix = currency_prefix(currency)
    sign = "(datum.value < 0 ? '-' : '') + "
    if number_format().compact:
        return f"{sign}'{prefix}' + replace(format(abs(datum.value), '.3~s'), 'G', 'B')"
    return f"{sign}'{prefix}' + format(abs(datum.value), ',.0f')"


def money_axis(currency: str | None = None, **options) -> alt.Axis:
    """An axis of amounts in the run's number format with the currency, labels kept apart.

    vl-convert measures labels with its own font; the browser's may be
    wider, hence the generous label separation.
    """
    # ``format`` does not change the labels (labelExpr writes them); it formats the amount in
    # the mark's hover text (its SVG <title>), which Vega-Lite derives from the encodings.
    return alt.Axis(labelExpr=money_label_expr(currency), format=MONEY_FORMAT, labelOverlap=True, labelSeparation=12,
                    **options)


def date_format() -> str:
    """The d3 time format of dates in tooltips and labels, from the run's number format."""
    return number_format().date_pattern


def legend(**options) -> alt.Legend:
    """A legend whose entries keep apart even when the browser's font is wider than vl-convert's."""
    return alt.Legend(**{"columnPadding": 24, "labelLimit": 400, **options})


def date_axis(**options) -> alt.Axis:
    """A time axis labelled with months (``Nov 2026``), labels kept apart."""
    return alt.Axis(format=MONTH_FORMAT, labelAngle=0, labelOverlap=True, labelSeparation=12,
                    tickCount={"interval": "month", "step": 1}, **options)


def chart_title(text: str, subtitle: str | Iterable[str] | None = None) -> alt.TitleParams:
    """A title with an optional subtitle (one string or several lines)."""
    if subtitle is None or subtitle == "" or subtitle == []:
        return alt.TitleParams(text=text)
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return alt.TitleParams(text=text, subtitle=lines)


def no_data(title: str, *, width: int = WIDTH, height: int = 120,
            message: str = "No data") -> alt.Chart:
    """The chart every builder returns for an empty input: a titled "No data" text.

    Examples
    --------
    >>> no_data("Risks").to_dict()["mark"]["type"]
    'text'
    """
    return (
        alt.Chart(alt.Data(values=[{"message": message}]), title=chart_title(title))
        .mark_text(fontSize=14, color=MUTED)
        .encode(text=alt.Text("message:N"))
        .properties(width=width, height=height)
    )


def is_empty(frame: pd.DataFrame | None, columns: Iterable[str] = ()) -> bool:
    """True when there is nothing to draw: no frame, no rows, or a needed column is missing."""
    return frame is None or len(frame) == 0 or any(c not in frame.columns for c in columns)


def unique_labels(labels: pd.Series, keys: pd.Series) -> pd.Series:
    """Labels made unique by appending the key (``"Go-live (T13)"``) where a label repeats.

    Examples
    --------
    >>> unique_labels(pd.Series(["Go-live", "Go-live", "Design"]), pd.Series(["T1", "T2", "T3"])).tolist()
    ['Go-live (T1)', 'Go-live (T2)', 'Design']
    """
    text = labels.astype("object").where(labels.notna(), "").astype(str)
    repeated = text.duplicated(keep=False) | text.str.strip().eq("")
    return text.where(~repeated, text + " (" + keys.astype(str) + ")").str.strip()


def rag_scale(levels: Iterable[str] = RAG_LEVELS) -> alt.Scale:
    """The RAG colours for the given RAG words (in that order)."""
    levels = list(levels)
    return alt.Scale(domain=levels, range=[RAG_COLOURS[k] for k in levels])


def category_scale(values: Iterable[str]) -> alt.Scale:
    """The report palette over the given categories, in order (cycled beyond eight)."""
    values = list(dict.fromkeys(values))
    return alt.Scale(domain=values, range=[PALETTE[i % len(PALETTE)] for i in range(len(values))])


def status_rule(date, *, label: str | None = None) -> alt.LayerChart:
    """A dashed vertical rule at ``date`` labelled "Status date YYYY-MM-DD" above the plot.

    Layer it over a chart whose x is temporal; the label sits just above
    the plot area, clear of the marks.
    """
    stamp = pd.Timestamp(date).normalize()
    text = f"Status date {format_date(stamp)}" if label is None else label
    frame = pd.DataFrame({"date": [stamp], "label": [text]})
    base = alt.Chart(frame).encode(x=alt.X("date:T"))
    rule = base.mark_rule(color=RULE, strokeDash=[4, 3], strokeWidth=1.5).encode(
        tooltip=[alt.Tooltip("date:T", title="Status date", format=date_format())]
    )
    text = base.mark_text(align="center", baseline="bottom", dy=-3, color=RULE,
                          fontSize=11).encode(y=alt.YValue(0), text=alt.Text("label:N"))
    return alt.layer(rule, text)
