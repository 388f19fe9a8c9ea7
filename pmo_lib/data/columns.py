"""Typing one column of text: vectorised over the column with pyarrow compute, no Python per cell.

Called by :func:`pmo_lib.data.validation.parse_table` for every contract column it finds.
Each kind of column (see :mod:`pmo_lib.data.schema`) is checked and converted as a whole:

- text is trimmed (Unicode whitespace) and compared in pyarrow; masks of the cells that break
  a rule go to the validation collector, which builds a message only for those rows;
- dates are parsed once per distinct text (a column of 100,000 dates holds a few thousand),
  with the same parser and forgiving rules as always, and spread back over the rows;
- plain decimals are converted by pyarrow; only where some cell is not one (an ``NA`` word,
  a currency symbol, ``55%``, a bad value) do the forgiving readers of
  :mod:`pmo_lib.data.forgiving` run, so a clean column pays nothing for them;
- a number or date column the CSV parser already typed (it read every cell cleanly, see
  :mod:`pmo_lib.data.csv_arrow`) is only checked: empty required cells, bounds, whole
  numbers. Where a bound or a whole number is broken, the column is read again as text
  (:meth:`pmo_lib.data.raw.RawTable.text`) and goes through the text rules, so each
  message shows the cell as written.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from pmo_lib.data.raw import RawTable
>>> from pmo_lib.data.schema import TABLES
>>> from pmo_lib.data.validation import _Collector
>>> text = pd.DataFrame({"date": ["2024-01-05", " 2024-01-05", "5/1/24", ""]}, dtype=str)
>>> out = _Collector(RawTable("costs", "costs.csv", text, np.array([2, 3, 4, 5]), []))
>>> parse_column(text["date"], TABLES["costs"].column("date"), out).dt.day.tolist()
[5.0, 5.0, nan, nan]
>>> [str(p) for p in out.problems]
['costs.csv:5:date: a value is required (empty)', 'costs.csv:4:date: not a date in YYYY-MM-DD form (5/1/24)']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pmo_lib.data.csv_arrow import FIRST_DAY, LAST_DAY, arrow_text, pandas_text
from pmo_lib.data.forgiving import (
    NA_WORDS,
    PERCENT_COLUMN,
    fraction_problem,
    parse_dates_leniently,
    parse_numbers_leniently,
)
from pmo_lib.data.raw import is_typed
from pmo_lib.data.schema import PROJECT_ID_PATTERN, Column

__all__ = ["FIRST_DAY", "LAST_DAY", "parse_column", "mask", "numpy_of", "distinct"]

TRUE_WORDS = ("true", "yes", "1", "y", "t")
FALSE_WORDS = ("false", "no", "0", "n", "f")
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}$"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def mask(array) -> np.ndarray:
    """A pyarrow boolean result as a numpy mask (a missing value is False)."""
    return np.asarray(numpy_of(pc.fill_null(array, False)), dtype=bool)


def numpy_of(array) -> np.ndarray:
    """A pyarrow array or chunked array without missing values as numpy."""
    return array.to_numpy() if isinstance(array, pa.ChunkedArray) else array.to_numpy(zero_copy_only=False)


def distinct(values) -> tuple[pa.Array, np.ndarray]:
    """The distinct texts of a column and, per row, the position of its text among them."""
    array = pc.fill_null(arrow_text(values), "").combine_chunks()
    encoded = array.dictionary_encode()
    return encoded.dictionary, np.asarray(numpy_of(encoded.indices), dtype=np.int64)


def parse_column(values: pd.Series, col: Column, out) -> pd.Series:
    """Check and convert one column of text; problems go to ``out`` (the validation collector).

    Returns the column in its contract dtype, one value per row, cells that failed missing.
    """
    if not values.index.equals(pd.RangeIndex(len(values))):
        values = values.reset_index(drop=True)
    if is_typed(values):
        typed = _checked_typed(values, col, out)
        if typed is not None:
            return typed
        values = out.raw.text(col.name).reset_index(drop=True)
    if col.kind == "text":
        if col.required and not col.may_be_empty:
            text = arrow_text(values)
            blank = pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
            out.flag(mask(blank), col.name, "a value is required", values)
        return values
    if col.kind in ("number", "integer"):
        return _parse_number(values, col, out)
    if col.kind == "date":
        return _parse_dates(values, col, out)
    if col.kind == "id" and _clean_ids(values, col, out):
        return values
    texts, where = distinct(values)  # ids, flags and categories: a few distinct texts, checked once each
    stripped = pc.utf8_trim_whitespace(texts)
    empty = mask(pc.equal(stripped, ""))
    if col.required and not col.may_be_empty:
        out.flag(empty[where], col.name, "a value is required", values)
    if col.kind == "id":
        bad = ~empty & ~mask(pc.match_substring_regex(stripped, PROJECT_ID_PATTERN.pattern))
        out.flag(bad[where], col.name,
                 "not a valid project_id: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                 values)
        if mask(pc.equal(stripped, texts)).all():
            return values
        return pandas_text(stripped.take(pa.array(where)))
    if col.kind == "bool":
        lower = pc.utf8_lower(stripped)
        is_true = mask(pc.is_in(lower, value_set=pa.array(TRUE_WORDS)))
        is_false = mask(pc.is_in(lower, value_set=pa.array(FALSE_WORDS)))
        out.flag((~empty & ~is_true & ~is_false)[where], col.name, "not true/false, yes/no or 1/0", values)
        return pd.Series(np.where(empty, bool(col.default), is_true)[where])
    if col.kind == "category":
        normal = pc.replace_substring(pc.replace_substring(pc.utf8_lower(stripped), " ", "_"), "-", "_")
        codes = np.asarray(numpy_of(pc.fill_null(pc.index_in(normal, value_set=pa.array(col.choices)), -1)),
                           dtype=np.int64)
        known = codes >= 0
        out.flag((~empty & ~known)[where], col.name, f"must be one of {', '.join(col.choices)}", values)
        if col.default is not None:
            codes = np.where(empty, col.choices.index(col.default), codes)
        return pd.Series(pd.Categorical.from_codes(codes[where], categories=list(col.choices)))
    raise ValueError(f"unknown column kind {col.kind!r}")


def _clean_ids(values: pd.Series, col: Column, out) -> bool:
    """Whether a column of ids is clean (each distinct text a valid id as written); its distinct ids kept.

    The distinct ids go to ``out.raw.codes`` for the reference check, which then looks each up once.
    """
    texts = arrow_text(values).unique()
    if texts.null_count:
        return False
    stripped = pc.utf8_trim_whitespace(texts)
    if not mask(pc.equal(stripped, texts)).all():
        return False
    if col.required and mask(pc.equal(stripped, "")).any():
        return False
    if not mask(pc.or_(pc.equal(stripped, ""), pc.match_substring_regex(stripped, PROJECT_ID_PATTERN.pattern))).all():
        return False
    out.raw.codes[col.name] = texts
    return True


def _checked_typed(values: pd.Series, col: Column, out) -> pd.Series | None:
    """A column the CSV parser typed (every cell a finite number or an in-range date, or empty), checked.

    None where a bound or a whole number is broken: the caller reads the column as text.
    """
    numbers = values.to_numpy()
    empty = np.isnat(numbers) if col.kind == "date" else np.isnan(numbers)
    if col.kind != "date":
        filled = numbers[~empty] if empty.any() else numbers
        if col.name == PERCENT_COLUMN and out.profile.percent == "fraction":
            filled = filled * 100  # the bounds apply to percentages
        if col.kind == "integer" and (filled != np.floor(filled)).any():
            return None
        if col.minimum is not None and ((filled <= col.minimum) if col.exclusive_minimum
                                        else (filled < col.minimum)).any():
            return None
        if col.maximum is not None and (filled > col.maximum).any():
            return None
    if col.required and not col.may_be_empty:
        out.flag(empty, col.name, "a value is required", lambda idx: [""] * len(idx))
    if col.name == PERCENT_COLUMN:
        return fraction_problem(values, col, out)
    return values.round().astype("Int64") if col.kind == "integer" else values


def _with_na_words(stripped, empty: np.ndarray, well_formed: np.ndarray, profile) -> np.ndarray:
    """Empty cells plus the NA words (``N/A``, the profile's ``na_values``) among the cells not yet read."""
    leftover = ~empty & ~well_formed  # only these can be NA words: a clean column pays nothing more
    if not leftover.any():
        return empty
    words = sorted(NA_WORDS | {w.strip().upper() for w in profile.na_values})
    return empty | (leftover & mask(pc.is_in(pc.utf8_upper(stripped), value_set=pa.array(words))))


def _parse_dates(values: pd.Series, col: Column, out) -> pd.Series:
    """Dates: every distinct text parsed once (ISO, then the forgiving forms), then spread over the rows."""
    texts, where = distinct(values)
    text = pandas_text(pc.utf8_trim_whitespace(texts))
    empty = (text == "").to_numpy()
    well_formed = text.str.match(DATE_TEXT).to_numpy(dtype=bool, na_value=False)
    leftover = ~empty & ~well_formed
    if leftover.any():
        na_words = NA_WORDS | {w.strip().upper() for w in out.profile.na_values}
        empty = empty | (leftover & text.str.upper().isin(na_words).to_numpy())
    parsed = pd.to_datetime(text.where(well_formed, None), format="%Y-%m-%d", errors="coerce")
    if not (empty | well_formed).all():
        parsed = parse_dates_leniently(text, parsed, empty | well_formed, out.profile.dates)
    outside = (parsed.notna() & ~parsed.between(FIRST_DAY, LAST_DAY)).to_numpy()
    parsed = parsed.where(~outside)
    bad = ~empty & ~outside & parsed.isna().to_numpy()
    if col.required:
        out.flag(empty[where], col.name, "a value is required", values)
    out.flag(outside[where], col.name, f"date outside {FIRST_DAY.date()} to {LAST_DAY.date()}", values)
    out.flag(bad[where], col.name, "not a date in YYYY-MM-DD form" + (" or " + " or ".join(out.profile.dates)
                                                                      if out.profile.dates else ""), values)
    return pd.Series(parsed.astype("datetime64[ns]").to_numpy()[where])


def _parse_number(values: pd.Series, col: Column, out) -> pd.Series:
    """Numbers: plain decimals converted by pyarrow, the rest (``NA``, ``€1,250``, ``55%``, bad values) forgiven."""
    text = arrow_text(values)
    empty = mask(pc.equal(pc.binary_length(text), 0))
    try:  # a clean column: every cell empty or a number as it stands
        numbers = _floats(pc.if_else(empty, pa.scalar(None, pa.string()), text))
        stripped, well_formed = text, ~empty
        special = ~empty & ~np.isfinite(numbers)  # nan, inf and 1e999 are read by pyarrow: the pattern decides
        if special.any():
            well_formed[special] = mask(pc.match_substring_regex(text.take(pa.array(np.flatnonzero(special))),
                                                                 NUMBER_TEXT))
            numbers[special & ~well_formed] = np.nan
    except pa.ArrowInvalid:  # spaces around a value, or text that is no plain number
        stripped = pc.utf8_trim_whitespace(text)
        empty = mask(pc.equal(stripped, ""))
        matched = pc.match_substring_regex(stripped, NUMBER_TEXT)
        well_formed = mask(matched)
        numbers = _floats(pc.if_else(matched, stripped, pa.scalar(None, pa.string())))
    empty = _with_na_words(stripped, empty, well_formed, out.profile)
    if col.required and not col.may_be_empty:
        out.flag(empty, col.name, "a value is required", values)
    numbers = pd.Series(numbers)
    if not (empty | well_formed).all():
        numbers, empty = parse_numbers_leniently(pandas_text(stripped), numbers, empty, well_formed, col, out)
    elif col.name == "percent_complete":
        numbers = fraction_problem(numbers, col, out)
    infinite = np.isinf(numbers.to_numpy(dtype="float64", na_value=np.nan))
    out.flag(infinite, col.name, "not a finite number", values)
    numbers = numbers.where(~infinite)
    if col.kind == "integer":
        fractional = (numbers.notna() & (numbers != np.floor(numbers))).to_numpy()
        out.flag(fractional, col.name, "not a whole number", values)
        numbers = numbers.where(~fractional)
    low = np.zeros(len(numbers), dtype=bool)
    if col.minimum is not None:
        low = (numbers <= col.minimum) if col.exclusive_minimum else (numbers < col.minimum)
        low = low.fillna(False).to_numpy()
    high = (numbers > col.maximum).fillna(False).to_numpy() if col.maximum is not None else low & False
    if col.maximum is not None and col.minimum is not None:
        message = f"must be between {_num(col.minimum)} and {_num(col.maximum)}"
        out.flag(low | high, col.name, message, values)
    elif col.minimum is not None:
        out.flag(low, col.name, f"must be {'>' if col.exclusive_minimum else '>='} {_num(col.minimum)}", values)
    numbers = numbers.where(~(low | high))
    if col.kind == "integer":
        return numbers.round().astype("Int64")
    return numbers


def _floats(text) -> np.ndarray:
    """Text of plain decimals (or missing) as floats; raises ``ArrowInvalid`` if any is not one."""
    return np.array(numpy_of(pc.fill_null(pc.cast(text, pa.float64()), np.nan)), dtype=float)  # writable


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
