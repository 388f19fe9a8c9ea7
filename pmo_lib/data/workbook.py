"""Reading an Excel workbook (``.xlsx``) as the text a CSV export would hold.

Cell values come from python-calamine (a Rust reader: the 50 MB workbooks PMOs export load in
seconds, not minutes); rows are turned into text columns in batches, so memory stays bounded
by the sheet calamine holds plus one batch of Python values. What Excel users do that a CSV
file cannot show is read as they meant it:

- a date cell with a time of day is that date;
- a cell formatted as a percentage (``45 %``, stored as 0.45) is read as ``45%``;
- a value merged over several cells (a program name merged down its projects) fills every
  cell of the merged range;
- an error cell (``#N/A``) reads as its code, as Excel shows it;
- a formula whose result was never calculated (the workbook was written by a program, not
  saved by Excel) is an error naming the cell, never an empty value.

Number formats, error codes and formulas are not in calamine's values: they are found in the
sheet's XML, streamed in chunks (:mod:`pmo_lib.data.workbook_xml`).
"""

from __future__ import annotations

import datetime as dt  # noqa: F401 - the doctests use it
import itertools
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa

from pmo_lib.data.csv_arrow import pandas_text
from pmo_lib.data.headers import find_header_row, normalize, table_for_name
from pmo_lib.data.profile import Profile
from pmo_lib.data.raw import (
    RawTable,
    Source,
    cell_text,
    finish_table,
    header_problems,
    text_frame,
    title_above,
    unused_warning,
)
from pmo_lib.data.schema import TABLE_ORDER
from pmo_lib.data.workbook_xml import SheetNotes, percent_styles, sheet_notes, sheet_paths
from pmo_lib.errors import DataSourceError, Problem

_BATCH = 50_000
"""Rows turned into text columns at a time."""


def read_workbook(book: Path, profile: Profile) -> Source:
    """Read every contract table of a workbook (one sheet per table).

    Raises
    ------
    DataSourceError
        The workbook cannot be opened, or the profile names a sheet it does not have.
    """
    from python_calamine import CalamineError, CalamineWorkbook  # imported here: only workbook users pay for it

    try:
        archive = zipfile.ZipFile(book)
        paths, percent = sheet_paths(archive), percent_styles(archive)
        workbook = CalamineWorkbook.from_path(str(book))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, CalamineError) as exc:
        raise DataSourceError(f"{book}: the workbook cannot be opened ({exc.__class__.__name__}: {exc})") from exc
    try:
        titles = list(workbook.sheet_names)
        by_table = {}
        for title in titles:
            table = table_for_name(title)
            if table is not None and table not in by_table:
                by_table[table] = title
        tables, labels, used = {}, {}, set()
        for name in TABLE_ORDER:
            wanted = profile.table(name).sheet
            title = _find_sheet(titles, wanted, book, name) if wanted else by_table.get(name)
            labels[name] = f"{book.name}[{title or name}]"
            if title is None:
                continue
            notes = sheet_notes(archive, paths[title], percent) if title in paths else SheetNotes()
            raw, sheet_columns = _read_sheet(workbook.get_sheet_by_name(title), notes, name, labels[name],
                                             profile.header_row_of(name))
            raw = finish_table(raw, profile.table(name))
            columns = dict(zip(sheet_columns, raw.frame.columns))
            raw.problems.extend(_formula_problems(notes, raw.label, columns))
            tables[name] = raw
            used.add(title)
        problems = [unused_warning(f"{book.name}: sheet '{t}'", t, "sheet") for t in titles if t not in used]
        return Source(tables, labels, problems)
    finally:
        workbook.close()
        archive.close()


def _find_sheet(titles: list[str], wanted: str, book: Path, table: str) -> str:
    for title in titles:
        if title == wanted or normalize(title) == normalize(wanted):
            return title
    raise DataSourceError(f"{book}: no sheet '{wanted}' (named for table '{table}' in the profile); "
                          f"sheets: {', '.join(titles)}")


def _sheet_rows(sheet, notes: SheetNotes):
    """Every row of the sheet from row 1 as text, numbered (1-based); cells left of the used range empty."""
    start = sheet.start
    pad = [""] * (start[1] if start else 0)
    for number, values in enumerate(sheet.iter_rows(), start=1):
        if number in notes.percent or number in notes.errors:
            yield number, _noted_row(pad + list(values), notes.percent.get(number, ()), notes.errors.get(number, {}))
        else:
            yield number, [v if type(v) is str else cell_text(v) for v in itertools.chain(pad, values)]


def _noted_row(values: list, percent, errors: dict[int, str]) -> list[str]:
    texts = []
    for column, value in enumerate(values, start=1):
        if column in errors:
            texts.append(errors[column])
        elif column in percent:
            texts.append(percent_text(value))
        else:
            texts.append(value if type(value) is str else cell_text(value))
    return texts


def percent_text(value) -> str:
    """A number formatted as a percentage, as its text (``0.45`` -> ``45%``); other values as usual.

    Examples
    --------
    >>> percent_text(0.45), percent_text(1), percent_text("n/a"), percent_text(True)
    ('45%', '100%', 'n/a', 'true')
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value) * 100:.10g}%"
    return cell_text(value)


def _read_sheet(sheet, notes: SheetNotes, name: str, label: str, header_row: int) -> tuple[RawTable, list[int]]:
    """The sheet as a raw table, and the sheet column (1-based) of each of its columns."""
    rows_iter = itertools.islice(_sheet_rows(sheet, notes), header_row - 1, None)
    first = next(rows_iter, None)
    if first is None:
        return RawTable(name, label, text_frame([], []), np.array([], dtype=np.int64),
                        [Problem(label, header_row, None, "sheet is empty: a header row is required")],
                        header_row=header_row), []
    header = [h.strip() for h in first[1]]
    peeked = list(itertools.islice(rows_iter, 9))
    rows_iter = itertools.chain(peeked, rows_iter)
    if header_row == 1:
        better = find_header_row([header] + [cells for _, cells in peeked], name)
        if better is not None:
            return title_above(name, label, better, []), []
    while header and not header[-1]:
        header.pop()
    width = len(header)
    keep, problems = header_problems(header, label, header_row)
    merges = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []
              if r1 + 1 > header_row and c1 < width]
    if merges:
        rows_iter = _filled(rows_iter, merges, width)
    columns, numbers = _columns(rows_iter, keep, width)
    frame = text_frame([], [header[i] for i in keep]) if not numbers.size else \
        pandas_frame(columns, [header[i] for i in keep])
    raw = RawTable(name, label, frame, numbers, problems, header_row=header_row)
    return raw, [i + 1 for i in keep]


def _filled(rows_iter, merges, width: int):
    """Rows with each merged range's value (its top-left cell) copied into every cell of the range."""
    pending, next_merge = sorted(merges), 0
    active: list[tuple[int, int, int, str]] = []
    for number, cells in rows_iter:
        cells = cells + [""] * (width - len(cells)) if len(cells) < width else cells
        while next_merge < len(pending) and pending[next_merge][0] <= number:
            r1, c1, r2, c2 = pending[next_merge]
            next_merge += 1
            if r1 == number:
                active.append((c1, min(c2, width), r2, cells[c1 - 1]))
        for c1, c2, _, value in active:
            cells[c1 - 1:c2] = [value] * (c2 - c1 + 1)
        active = [a for a in active if a[2] > number]
        yield number, cells


def _columns(rows_iter, keep: list[int], width: int) -> tuple[list[list[pa.Array]], np.ndarray]:
    """The kept columns as pyarrow text chunks, built a batch of rows at a time; the sheet row of each record."""
    columns: list[list[pa.Array]] = [[] for _ in keep]
    numbers: list[int] = []
    batch: list[list[str]] = []

    def flush():
        for chunks, values in zip(columns, zip(*batch)):
            chunks.append(pa.array(values, type=pa.string()))
        batch.clear()

    for number, cells in rows_iter:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        record = [cells[i] for i in keep]
        if any(c.strip() for c in record):
            batch.append(record)
            numbers.append(number)
            if len(batch) >= _BATCH:
                flush()
    if batch:
        flush()
    return columns, np.array(numbers, dtype=np.int64)


def pandas_frame(columns: list[list[pa.Array]], header: list[str]):
    """A frame of text columns from their pyarrow chunks."""
    import pandas as pd

    return pd.DataFrame({h: pandas_text(pa.chunked_array(chunks, type=pa.string()))
                         for h, chunks in zip(header, columns)})


FORMULA_WITHOUT_VALUE = "holds a formula without a calculated value"


def _formula_problems(notes: SheetNotes, label: str, columns: dict[int, str]) -> list[Problem]:
    """One error per formula cell that has no calculated value to read (``columns``: sheet column -> name)."""
    return [Problem(label, row, columns.get(column),
                    f"cell {ref} {FORMULA_WITHOUT_VALUE} (the workbook was not saved by Excel): open and save it "
                    "in Excel, or paste values")
            for row, column, ref in notes.formulas]
