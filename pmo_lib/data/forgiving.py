"""Reading numbers and dates as people write them, without guessing what is ambiguous.

Called by :mod:`pmo_lib.data.validation` only for the cells the strict, vectorised ISO and
plain-decimal parsers did not read, so a clean portfolio pays nothing for it. Every step is
vectorised over the column.

Read without a declaration (unambiguous):

- ``NA``, ``N/A``, ``#N/A`` (and the profile's ``na_values``) are empty in date and number columns;
- ``2026-03-02 17:00`` and ``2026-03-02T17:00:00`` are the date ``2026-03-02``;
- a currency symbol or code around an amount (``€1250``, ``1250 EUR``), accounting negatives
  ``(350.50)``, and comma thousands that cannot be a decimal comma (``1,250,000``, ``1,250.50``);
- ``55%`` in ``percent_complete``.

Read only once declared in a profile: other date forms (``dates: ["%d/%m/%Y"]``), decimal
commas and other thousands separators (``csv: {decimal: ",", thousands: "."}``), and
``percent_complete`` written as fractions of 1 (``percent: fraction``). A ``percent_complete``
column whose values all lie between 0 and 1 with fractions is an error saying so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NA_WORDS = frozenset({"NA", "N/A", "#N/A", "N.A.", "#NA"})
MONEY_COLUMNS = frozenset({"budget", "amount", "cost_impact", "estimated_cost", "expected_benefit", "cost_rate"})
PERCENT_COLUMN = "percent_complete"

_ISO_WITH_TIME = r"^(\d{4}-\d{2}-\d{2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
_CURRENCY = r"^(?:[€$£¥₹]|[A-Z]{3})\s*|\s*(?:[€$£¥₹]|[A-Z]{3})$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_COMMA_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$|^[+-]?\d{1,3}(?:,\d{3}){2,}$"
NOT_A_NUMBER = "not a number"
SEPARATOR_NEEDED = "not a number: a decimal comma or thousands separator needs a declaration"
FRACTIONS = ("all values lie between 0 and 1 with fractions: they look like fractions of 1, not percentages; "
             "declare percent: fraction in a profile (or write 45 for 45 %)")


def parse_dates_leniently(stripped: pd.Series, parsed: pd.Series, done: np.ndarray, formats: list[str]) -> pd.Series:
    """Fill the dates the ISO parser left: ISO with a time of day, then each declared format.

    Examples
    --------
    >>> text = pd.Series(["2026-03-02", "2026-03-02 17:30", "02/03/2026", "x"])
    >>> iso = pd.to_datetime(text.where(text.str.len() == 10), format="%Y-%m-%d", errors="coerce")
    >>> done = np.array([True, False, False, False])
    >>> parse_dates_leniently(text, iso, done, ["%d/%m/%Y"]).dt.strftime("%Y-%m-%d").tolist()
    ['2026-03-02', '2026-03-02', '2026-03-02', nan]
    """
    parsed = parsed.copy()
    todo = pd.Series(~done, index=stripped.index) & parsed.isna()
    day = stripped.where(todo).str.extract(_ISO_WITH_TIME, expand=False)
    parsed = parsed.fillna(pd.to_datetime(day, format="%Y-%m-%d", errors="coerce"))
    for fmt in formats:
        for variant in (fmt, f"{fmt} %H:%M", f"{fmt} %H:%M:%S"):
            todo = todo & parsed.isna()
            if not todo.any():
                return parsed
            parsed = parsed.fillna(pd.to_datetime(stripped.where(todo), format=variant, errors="coerce"))
    return parsed


def parse_numbers_leniently(stripped: pd.Series, numbers: pd.Series, empty: np.ndarray, well_formed: np.ndarray,
                            col, out) -> tuple[pd.Series, np.ndarray]:
    """Read the cells the plain-decimal parser left, flag what stays unreadable.

    ``out`` is the validation collector (its ``profile`` says what the source declared).
    Returns the numbers and the empty mask (unchanged: NA words were already empty).
    """
    csv = out.profile.csv
    todo = pd.Series(~empty & ~well_formed, index=stripped.index)
    text = stripped.where(todo)
    explicit = np.zeros(len(stripped), dtype=bool)
    if col.name == PERCENT_COLUMN:
        explicit = text.str.endswith("%").fillna(False).to_numpy()
        text = text.str.rstrip("%").str.strip()
    if col.name in MONEY_COLUMNS:
        text = text.str.replace(_CURRENCY, "", regex=True)
        negative = text.str.match(r"^\(.*\)$").fillna(False)
        text = text.where(~negative, "-" + text.str.slice(1, -1).str.strip())
    text = text.str.replace("\u00a0", " ").str.replace("\u202f", " ")
    if csv.thousands is not None:
        text = text.str.replace(csv.thousands, "", regex=False)
    if csv.decimal == ",":
        text = text.str.replace(" ", "", regex=False).str.replace(",", ".", regex=False)
    elif csv.thousands is None:
        grouped = text.str.match(_COMMA_THOUSANDS).fillna(False)
        text = text.where(~grouped, text.str.replace(",", "", regex=False))
    readable = text.str.match(_NUMBER).fillna(False).to_numpy()
    lenient = pd.to_numeric(text.where(readable), errors="coerce").astype(float)
    numbers = numbers.fillna(lenient)
    bad = todo.to_numpy() & ~readable
    separator = bad & stripped.str.contains(r"\d[.,]\d", regex=True).to_numpy()
    out.flag(bad & ~separator, col.name, NOT_A_NUMBER, stripped)
    out.flag(separator, col.name, SEPARATOR_NEEDED, stripped)
    if col.name == PERCENT_COLUMN:
        numbers = fraction_problem(numbers, col, out, explicit=explicit & readable)
    return numbers, empty


def fraction_problem(numbers: pd.Series, col, out, *, explicit: np.ndarray | None = None) -> pd.Series:
    """``percent_complete`` as percentages: declared fractions scaled, undeclared fractions refused.

    ``explicit`` marks values written with ``%`` (or formatted as percent in a workbook): always
    percentages.
    """
    explicit = np.zeros(len(numbers), dtype=bool) if explicit is None else explicit
    plain = numbers.notna().to_numpy() & ~explicit
    mode = out.profile.percent
    if mode == "fraction":
        return numbers.where(~plain, numbers * 100)
    if mode == "auto" and plain.any():
        values = numbers.to_numpy()[plain]
        if (values >= 0).all() and (values <= 1).all() and ((values > 0) & (values < 1)).any():
            example = f"{values[(values > 0) & (values < 1)][0]:g}"
            out.problems.append(out.problem(col.name, FRACTIONS, example))
    return numbers
