"""Tests for pmo_lib.formatting: exact strings, undefined values, RAG colours."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmo_lib.formatting import (
    MISSING,
    NumberFormat,
    format_date,
    format_days,
    format_money,
    format_number,
    format_percent,
    format_ratio,
    format_timestamp,
    is_missing,
    number_format,
    use_number_format,
)
from pmo_lib.rag import RAG_BADGE_COLOURS, RAG_COLOURS, RAG_LEVELS, RAG_WORDS, compare_rag, normalize_rag

UNDEFINED = [None, float("nan"), float("inf"), float("-inf"), pd.NA, pd.NaT]


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (1234567.891, "EUR", "€1,234,568"),
        (1234567.891, "USD", "$1,234,568"),
        (1234567.891, "GBP", "£1,234,568"),
        (1234, "CHF", "CHF 1,234"),
        (1234, "chf", "CHF 1,234"),
        (-12500, "EUR", "-€12,500"),
        (-12500, "SEK", "-SEK 12,500"),
        (0, "EUR", "€0"),
        (-0.4, "EUR", "€0"),
        (0.5, "EUR", "€1"),
        (999.5, "EUR", "€1,000"),
    ],
)
def test_format_money(value, currency, expected):
    assert format_money(value, currency, compact=False) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (999, "€999"),
        (999.6, "€1k"),
        (1234, "€1.23k"),
        (1_250_000, "€1.25M"),
        (999_999, "€1M"),
        (-3_400_000_000, "-€3.4B"),
    ],
)
def test_format_money_compact(value, expected):
    assert format_money(value, "EUR", compact=True) == expected


@pytest.mark.parametrize("value", UNDEFINED)
def test_undefined_values_are_na_everywhere(value):
    assert format_money(value) == MISSING == "n/a"
    assert format_ratio(value) == "n/a"
    assert format_percent(value) == "n/a"
    assert format_days(value) == "n/a"
    assert format_number(value) == "n/a"
    assert format_date(value) == "n/a"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.8921, "0.89"), (1.0, "1.00"), (0.895, "0.90"), (12345.678, "12,345.68"), (-0.004, "0.00")],
)
def test_format_ratio(value, expected):
    assert format_ratio(value) == expected


def test_format_percent():
    assert format_percent(42.4) == "42%"
    assert format_percent(100) == "100%"
    assert format_percent(0.125, fraction=True) == "13%"
    assert format_percent(0.125, fraction=True, decimals=1) == "12.5%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (pd.Timestamp("2024-05-31 17:45"), "2024-05-31"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 23, 59), "2024-01-02"),
        ("2024-02-29", "2024-02-29"),
        ("", "n/a"),
    ],
)
def test_format_date(value, expected):
    assert format_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.4, "+12 d"), (-3, "-3 d"), (0, "0 d"), (0.4, "0 d"), (2.5, "+3 d"), (-2.5, "-3 d"),
     (1234, "+1,234 d")],
)
def test_format_days(value, expected):
    assert format_days(value) == expected


def test_is_missing_does_not_treat_zero_or_empty_text_as_missing():
    assert not is_missing(0)
    assert not is_missing(False)
    assert not is_missing("")
    assert is_missing(math.nan)


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_money_is_always_a_well_formed_amount(value):
    text = format_money(value, "EUR", compact=False)
    assert re.fullmatch(r"-?€\d{1,3}(,\d{3})*", text)
    assert float(text.replace("€", "").replace(",", "")) == pytest.approx(round(value), abs=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("RED", "red"), (" Green ", "green"), ("amber", "amber"), ("gray", "grey"),
     (None, "grey"), (float("nan"), "grey"), ("purple", "grey"), ("<b>red</b>", "grey")],
)
def test_normalize_rag(value, expected):
    assert normalize_rag(value) == expected


def test_compare_rag():
    assert compare_rag("green", "amber") == 1
    assert compare_rag("green", "red") == 1
    assert compare_rag("red", "amber") == -1
    assert compare_rag("amber", "amber") == 0
    assert compare_rag("grey", "red") == 0


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_rag_colours_cover_every_level_and_are_accessible():
    assert set(RAG_COLOURS) == set(RAG_BADGE_COLOURS) == set(RAG_WORDS) == set(RAG_LEVELS)
    assert RAG_WORDS == {"green": "GREEN", "amber": "AMBER", "red": "RED", "grey": "N/A"}
    for level in RAG_LEVELS:
        assert _contrast(RAG_COLOURS[level], "#ffffff") >= 3.0, level  # WCAG graphics
        background, text = RAG_BADGE_COLOURS[level]
        assert _contrast(background, text) >= 7.0, level  # WCAG AAA text


def test_compact_money_keeps_three_significant_figures_for_every_amount():
    # The amounts the issue found written four ways on one page, now one way.
    assert [format_money(v, compact=True) for v in (172_150, 218_390, 180_000, 1_534_500, -46_190)] == [
        "€172k", "€218k", "€180k", "€1.53M", "-€46.2k"]


def test_the_number_format_is_set_once_and_followed_by_money_and_dates():
    try:
        use_number_format({"money": "full", "date": "%d %b %Y"})
        assert format_money(1_534_500) == "€1,534,500"
        assert format_date("2026-11-20") == "20 Nov 2026"
        assert format_timestamp("2026-11-25T22:55:05+00:00") == "25 Nov 2026 22:55 UTC"
        assert number_format().date_pattern == "%d %b %Y"
    finally:
        use_number_format(None)
    assert format_money(1_534_500) == "€1.53M"
    assert format_date("2026-11-20") == "2026-11-20"


@pytest.mark.parametrize(("spec", "message"), [
    ({"money": "short"}, "number_format.money must be one of compact, full, not 'short'"),
    ({"date": "dd/mm/yyyy"}, "number_format.date must be 'iso' or a strftime pattern"),
])
def test_a_bad_number_format_is_refused_with_its_key(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        NumberFormat(**spec)


def test_percent_has_one_style_without_a_space():
    assert format_percent(83.4) == "83%"
    assert format_percent(1.0, fraction=True) == "100%"
