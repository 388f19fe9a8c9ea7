"""Value formatters for pages, tiles, tables, chart axes and mail: numbers in, plain text out.

One number format serves every output. It is set once per run from the
parameters (``number_format: {money: compact|full, date: iso|"%d %b %Y"}``)
with :func:`use_number_format`; :func:`format_money`, :func:`format_date` and
:func:`format_timestamp` follow it unless told otherwise, and the chart
builders take their axis formats from :func:`number_format`. Compact money
keeps three significant figures (``€172k``, ``€46.2k``, ``€1.53M``), so the
same kind of amount is always rounded the same way; percentages are written
without a space (``83%``).

Every formatter returns plain text (never markup: :mod:`pmo_lib.reports.html`
escapes it) and turns a missing or undefined value into :data:`MISSING`
(``"n/a"``), as the metric definitions require for an undefined ratio on a
page. Negative numbers use the ASCII hyphen-minus (``-€12,500``) so that a
table copied into a spreadsheet still parses as numbers.

Examples
--------
>>> format_money(1234567.891, compact=False)
'€1,234,568'
>>> format_money(1234567.891)
'€1.23M'
>>> format_ratio(float("nan"))
'n/a'
"""

from __future__ import annotations

import datetime as dt
import html as _html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

import pandas as pd

MISSING = "n/a"
"""Text shown for a missing or undefined value."""

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
"""Currencies written with a symbol; any other code is written as a prefix."""

MONEY_STYLES = ("compact", "full")
ISO_DATE = "iso"


@dataclass(frozen=True)
class NumberFormat:
    """How amounts and dates are written everywhere in a run.

    Attributes
    ----------
    money : {"compact", "full"}
        ``compact``: three significant figures with k/M/B (``€1.53M``);
        ``full``: whole units with thousands separators (``€1,534,500``).
    date : str
        ``"iso"`` (``2026-11-20``) or a ``strftime`` pattern such as
        ``"%d %b %Y"`` (``20 Nov 2026``).

    Examples
    --------
    >>> NumberFormat(money="full", date="%d %b %Y").date_pattern
    '%d %b %Y'
    >>> NumberFormat(money="tiny")
    Traceback (most recent call last):
    ...
    ValueError: number_format.money must be one of compact, full, not 'tiny'
    """

    money: str = "compact"
    date: str = ISO_DATE

    def __post_init__(self) -> None:
        if self.money not in MONEY_STYLES:
            raise ValueError(f"number_format.money must be one of {', '.join(MONEY_STYLES)}, not {self.money!r}")
        if self.date != ISO_DATE:
            if "%" not in self.date:
                raise ValueError(f"number_format.date must be 'iso' or a strftime pattern with %, "
                                 f"not {self.date!r}")
            try:
                dt.date(2026, 11, 20).strftime(self.date)
            except ValueError as exc:
                raise ValueError(f"number_format.date {self.date!r}: {exc}") from None

    @property
    def compact(self) -> bool:
        """True when money is written compactly."""
        return self.money == "compact"

    @property
    def date_pattern(self) -> str:
        """The ``strftime`` pattern of dates (``%Y-%m-%d`` for iso); charts use it on time axes."""
        return "%Y-%m-%d" if self.date == ISO_DATE else self.date


_current = NumberFormat()


def use_number_format(spec: NumberFormat | Mapping[str, Any] | Any | None = None) -> NumberFormat:
    """Set the number format of this process (a run's kernel, the mail composer); return it.

    Parameters
    ----------
    spec : NumberFormat, mapping, or an object with ``money`` and ``date`` attributes
        ``None`` restores the default (compact money, ISO dates).

    Examples
    --------
    >>> use_number_format({"money": "full"}).money
    'full'
    >>> format_money(172150)
    '€172,150'
    >>> use_number_format(None).money
    'compact'
    """
    global _current
    if spec is None:
        _current = NumberFormat()
    elif isinstance(spec, NumberFormat):
        _current = spec
    elif isinstance(spec, Mapping):
        _current = NumberFormat(**{k: str(v) for k, v in spec.items()})
    else:
        _current = NumberFormat(money=str(spec.money), date=str(spec.date))
    return _current


def number_format() -> NumberFormat:
    """The number format in force.

    Examples
    --------
    >>> number_format().date
    'iso'
    """
    return _current



def is_missing(value: Any) -> bool:
    """Return True for ``None``, ``NaN``, ``NaT``, ``pd.NA`` and infinities.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), float("inf"), pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, Real) and not isinstance(value, bool):
        return not math.isfinite(float(value))
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _round_half_away(value: float, decimals: int = 0) -> float:
    factor = 10.0**decimals
    return math.copysign(math.floor(abs(value) * factor + 0.5) / factor, value)


def format_number(value: Any, *, decimals: int = 0) -> str:
    """Format a number with thousands separators and a fixed number of decimals.

    Examples
    --------
    >>> format_number(1234567.5)
    '1,234,568'
    >>> format_number(-0.004, decimals=2)
    '0.00'
    >>> format_number(None)
    'n/a'
    """
    if is_missing(value):
        return MISSING
    rounded = _round_half_away(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    text = f"{abs(rounded):,.{decimals}f}"
    return f"-{text}" if rounded < 0 else text


def format_money(
    value: Any, currency: str = "EUR", *, compact: bool | None = None
) -> str:
    """Format an amount of money, rounded to whole units.

    Parameters
    ----------
    value : float
        The amount.
    currency : str, default "EUR"
        ISO 4217 code. EUR, USD and GBP get their symbol, any other code is
        written before the amount (``CHF 1,234``).
    compact : bool, optional
        Abbreviate thousands, millions and billions to three significant
        figures (``€1.25M``); default: the run's number format.

    Returns
    -------
    str
        The amount, or ``"n/a"`` when missing.

    Examples
    --------
    >>> format_money(1234567.891, "EUR", compact=False)
    '€1,234,568'
    >>> format_money(1234567.891, "EUR")
    '€1.23M'
    >>> [format_money(v) for v in (172150, 218390, 180000, -46190, 950, 999_600)]
    ['€172k', '€218k', '€180k', '-€46.2k', '€950', '€1M']
    >>> format_money(-12500, "GBP", compact=False)
    '-£12,500'
    >>> format_money(1234, "chf", compact=False)
    'CHF 1,234'
    >>> format_money(1_250_000, "USD", compact=True)
    '$1.25M'
    >>> format_money(float("nan"))
    'n/a'
    """
    if is_missing(value):
        return MISSING
    amount = float(value)
    if compact is None:
        compact = _current.compact
    number = _compact(abs(amount)) if compact else format_number(abs(amount))
    sign = "-" if number.strip("0.,") and _round_half_away(amount) < 0 else ""
    return f"{sign}{currency_prefix(currency)}{number}"


def currency_prefix(currency: Any) -> str:
    """What goes before an amount: the symbol (``€``), or the code and a space (``CHF``).

    Only a symbol of :data:`CURRENCY_SYMBOLS` or three letters ever come back,
    so the prefix is safe inside a chart's label expression.

    Examples
    --------
    >>> currency_prefix("eur"), currency_prefix("CHF"), currency_prefix("<b>"), currency_prefix(None)
    ('€', 'CHF ', '', '')
    """
    code = str(currency or "").strip().upper()
    if code in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[code]
    return f"{code} " if len(code) == 3 and code.isalpha() and code.isascii() else ""


def _compact(amount: float) -> str:
    """Three significant figures with a k/M/B unit (whole units below 1,000)."""
    if _round_half_away(amount) < 1000:
        return format_number(amount)
    units = ("", "k", "M", "B")
    power = min(3, int(math.log10(_round_half_away(amount)) // 3))
    while True:
        scaled = amount / 1000.0**power
        decimals = max(0, 2 - int(math.log10(scaled))) if scaled >= 1 else 2
        scaled = _round_half_away(scaled, decimals)
        if scaled >= 1000 and power < 3:
            power += 1
            continue
        break
    text = f"{scaled:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + units[power]


def format_ratio(value: Any, *, decimals: int = 2) -> str:
    """Format an index such as SPI or CPI with two decimals.

    Examples
    --------
    >>> format_ratio(0.8921)
    '0.89'
    >>> format_ratio(float("inf"))
    'n/a'
    """
    return format_number(value, decimals=decimals)


def format_percent(value: Any, *, decimals: int = 0, fraction: bool = False) -> str:
    """Format a percentage.

    Parameters
    ----------
    value : float
        Percent points (0-100), as ``percent_complete`` is stored; with
        ``fraction=True`` a share between 0 and 1.
    decimals : int, default 0
    fraction : bool, default False

    Examples
    --------
    >>> format_percent(42.4)
    '42%'
    >>> format_percent(0.125, fraction=True, decimals=1)
    '12.5%'
    >>> format_percent(None)
    'n/a'
    """
    if is_missing(value):
        return MISSING
    points = float(value) * 100 if fraction else float(value)
    return f"{format_number(points, decimals=decimals)}%"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def format_date(value: Any, *, pattern: str | None = None) -> str:
    """Format a date in the run's date style; accepts dates, timestamps and ISO text.

    Parameters
    ----------
    value : date, Timestamp or ISO text
    pattern : str, optional
        ``"iso"`` or a ``strftime`` pattern; default: the run's number format.

    Examples
    --------
    >>> format_date(pd.Timestamp("2024-05-31 17:45"))
    '2024-05-31'
    >>> format_date(dt.date(2024, 1, 2), pattern="%d %b %Y")
    '02 Jan 2024'
    >>> format_date(pd.NaT)
    'n/a'
    """
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return MISSING
    day = _as_date(value)
    if day is None:
        return str(value)
    pattern = pattern or _current.date
    return day.isoformat() if pattern == ISO_DATE else day.strftime(pattern)


def format_timestamp(value: Any) -> str:
    """A moment for people: the date in the run's style, hours and minutes, in UTC.

    Examples
    --------
    >>> format_timestamp("2026-11-25T22:55:05+00:00")
    '2026-11-25 22:55 UTC'
    >>> format_timestamp("2026-11-25T23:55:05+01:00")
    '2026-11-25 22:55 UTC'
    >>> format_timestamp(None)
    'n/a'
    """
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return MISSING
    try:
        moment = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return f"{format_date(moment.date())} {moment:%H:%M} UTC"


def format_days(value: Any) -> str:
    """Format a signed number of days, rounded to whole days.

    Examples
    --------
    >>> format_days(12.4)
    '+12 d'
    >>> format_days(-3)
    '-3 d'
    >>> format_days(0)
    '0 d'
    >>> format_days(float("nan"))
    'n/a'
    """
    if is_missing(value):
        return MISSING
    days = int(_round_half_away(float(value)))
    return f"{days:+,d} d" if days else "0 d"


def escape(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute (``None`` gives "").

    The one escaping function of every page, chart caption and mail.

    Examples
    --------
    >>> escape("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape(None)
    ''
    """
    return "" if value is None else _html.escape(str(value), quote=True)
