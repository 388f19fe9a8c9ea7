"""Value formatters for report tables and tiles: numbers in, plain text out.

Every formatter returns plain text (never markup: :mod:`pmo_lib.reports.html`
escapes it) and turns a missing or undefined value into :data:`MISSING`
(``"n/a"``), as the metric definitions require for an undefined ratio on a
page. Negative numbers use the ASCII hyphen-minus (``-€12,500``) so that a
table copied into a spreadsheet still parses as numbers.

Examples
--------
>>> format_money(1234567.891)
'€1,234,568'
>>> format_ratio(float("nan"))
'n/a'
"""

from __future__ import annotations

import datetime as dt
import html as _html
import math
from numbers import Real
from typing import Any

import pandas as pd

MISSING = "n/a"
"""Text shown for a missing or undefined value."""

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
"""Currencies written with a symbol; any other code is written as a prefix."""



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
    value: Any, currency: str = "EUR", *, compact: bool = False
) -> str:
    """Format an amount of money, rounded to whole units.

    Parameters
    ----------
    value : float
        The amount.
    currency : str, default "EUR"
        ISO 4217 code. EUR, USD and GBP get their symbol, any other code is
        written before the amount (``CHF 1,234``).
    compact : bool, default False
        Abbreviate thousands, millions and billions (``€1.2M``), for tiles.

    Returns
    -------
    str
        The amount, or ``"n/a"`` when missing.

    Examples
    --------
    >>> format_money(1234567.891, "EUR")
    '€1,234,568'
    >>> format_money(-12500, "GBP")
    '-£12,500'
    >>> format_money(1234, "chf")
    'CHF 1,234'
    >>> format_money(1_250_000, "USD", compact=True)
    '$1.25M'
    >>> format_money(float("nan"))
    'n/a'
    """
    if is_missing(value):
        return MISSING
    code = str(currency).strip().upper()
    amount = float(value)
    number = _compact(abs(amount)) if compact else format_number(abs(amount))
    sign = "-" if _round_half_away(amount) < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol is None:
        return f"{sign}{code} {number}" if code else f"{sign}{number}"
    return f"{sign}{symbol}{number}"


def _compact(amount: float) -> str:
    if _round_half_away(amount) < 1000:
        return format_number(amount)
    units = ("", "k", "M", "B")
    power = min(3, int(math.log10(_round_half_away(amount)) // 3))
    scaled = _round_half_away(amount / 1000.0**power, 2)
    if scaled >= 1000 and power < 3:
        power += 1
        scaled = _round_half_away(amount / 1000.0**power, 2)
    return f"{scaled:,.2f}".rstrip("0").rstrip(".") + units[power]


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


def format_date(value: Any) -> str:
    """Format a date as ISO ``YYYY-MM-DD``; accepts dates, timestamps and ISO text.

    Examples
    --------
    >>> format_date(pd.Timestamp("2024-05-31 17:45"))
    '2024-05-31'
    >>> format_date(dt.date(2024, 1, 2))
    '2024-01-02'
    >>> format_date(pd.NaT)
    'n/a'
    """
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return MISSING
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return pd.Timestamp(value).date().isoformat()
    except (TypeError, ValueError):
        return str(value)


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
