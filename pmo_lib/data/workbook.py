"""Reading an Excel workbook (``.xlsx``) as the text a CSV export would hold.

The workbook is opened read-only (streamed, so a 50 MB workbook stays bounded in memory).
What Excel users do that a CSV file cannot show is read as they meant it:

- a date cell with a time of day is that date;
- a cell formatted as a percentage (``45 %``, stored as 0.45) is read as ``45%``;
- a value merged over several cells (a program name merged down its projects) fills every
  cell of the merged range;
- a formula whose result was never calculated (the workbook was written by a program, not
  saved by Excel) is an error naming the cell, never an empty value.

Merged ranges and formulas are found in the sheet's XML, streamed in chunks.
"""

from __future__ import annotations

import datetime as dt  # noqa: F401 - the doctests use it
import itertools
import re
import zipfile
from pathlib import Path

import numpy as np

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
from pmo_lib.errors import DataSourceError, Problem

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]+\d+)"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_CHUNK = 1 << 22


def read_workbook(book: Path, profile: Profile) -> Source:
    """Read every contract table of a workbook (one sheet per table).

    Raises
    ------
    DataSourceError
        The workbook cannot be opened, or the profile names a sheet it does not have.
    """
    import openpyxl  # imported here: only workbook users pay for it

    try:
        workbook = openpyxl.load_workbook(book, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataSourceError(f"{book}: the workbook cannot be opened ({exc.__class__.__name__}: {exc})") from exc
    try:
        by_table = {}
        for title in workbook.sheetnames:
            table = table_for_name(title)
            if table is not None and table not in by_table:
                by_table[table] = title
        tables, labels, used = {}, {}, set()
        for name in TABLE_ORDER:
            wanted = profile.table(name).sheet
            title = _find_sheet(workbook.sheetnames, wanted, book, name) if wanted else by_table.get(name)
            labels[name] = f"{book.name}[{title or name}]"
            if title is None:
                continue
            sheet = workbook[title]
            raw, sheet_columns = _read_sheet(sheet, name, labels[name], profile.header_row_of(name))
            raw = finish_table(raw, profile.table(name))
            columns = dict(zip(sheet_columns, raw.frame.columns))
            raw.problems.extend(_formula_problems(sheet, raw.label, columns))
            tables[name] = raw
            used.add(title)
        problems = [unused_warning(f"{book.name}: sheet '{t}'", t, "sheet") for t in workbook.sheetnames if t not in used]
        return Source(tables, labels, problems)
    finally:
        workbook.close()


def _find_sheet(titles: list[str], wanted: str, book: Path, table: str) -> str:
    for title in titles:
        if title == wanted or normalize(title) == normalize(wanted):
            return title
    raise DataSourceError(f"{book}: no sheet '{wanted}' (named for table '{table}' in the profile); "
                          f"sheets: {', '.join(titles)}")


def _read_sheet(sheet, name: str, label: str, header_row: int) -> tuple[RawTable, list[int]]:
    """The sheet as a raw table, and the sheet column (1-based) of each of its columns."""
    merges = _merged_ranges(sheet)
    rows_iter = sheet.iter_rows(min_row=header_row)
    header_cells = next(rows_iter, None)
    if header_cells is None:
        return RawTable(name, label, text_frame([], []), np.array([], dtype=np.int64),
                        [Problem(label, header_row, None, "sheet is empty: a header row is required")],
                        header_row=header_row), []
    header = [_cell_text(c).strip() for c in header_cells]
    peeked = list(itertools.islice(rows_iter, 9))
    rows_iter = itertools.chain(peeked, rows_iter)
    if header_row == 1:
        better = find_header_row([header] + [[_cell_text(c) for c in row] for row in peeked], name)
        if better is not None:
            return title_above(name, label, better, []), []
    while header and not header[-1]:
        header.pop()
    width = len(header)
    keep, problems = header_problems(header, label, header_row)
    records, rows = [], []
    if merges:  # the whole sheet first, so that merged values can fill their ranges
        grid = [_row_texts(cells, width) for cells in rows_iter]
        _fill_merged(grid, merges, first_row=header_row + 1, width=width)
        rows_iter = grid
    else:  # streamed: one row at a time, memory bounded by the rows kept
        rows_iter = (_row_texts(cells, width) for cells in rows_iter)
    for number, cells in enumerate(rows_iter, start=header_row + 1):
        if any(cells[i].strip() for i in keep):
            records.append([cells[i] for i in keep])
            rows.append(number)
    frame = text_frame(records, [header[i] for i in keep])
    raw = RawTable(name, label, frame, np.array(rows, dtype=np.int64), problems, header_row=header_row)
    return raw, [i + 1 for i in keep]


def _row_texts(cells, width: int) -> list[str]:
    texts = [_cell_text(c) for c in cells[:width]]
    return texts + [""] * (width - len(texts))


def _cell_text(cell) -> str:
    """Turn a typed workbook cell into the text a CSV file would hold.

    Examples
    --------
    >>> from types import SimpleNamespace as Cell
    >>> _cell_text(Cell(value=dt.datetime(2026, 3, 2, 17, 0), number_format="yyyy-mm-dd h:mm"))
    '2026-03-02'
    >>> _cell_text(Cell(value=0.45, number_format="0%")), _cell_text(Cell(value=7.0, number_format="General"))
    ('45%', '7')
    """
    value = getattr(cell, "value", None)
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and "%" in (getattr(cell, "number_format", None) or ""):
        return f"{float(value) * 100:.10g}%"
    return cell_text(value)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def _stream(sheet):
    """The sheet's XML in chunks, each ending on a tag boundary."""
    with sheet.parent._archive.open(sheet._worksheet_path) as handle:
        carry = b""
        while True:
            block = handle.read(_CHUNK)
            if not block:
                if carry:
                    yield carry
                return
            data = carry + block
            cut = data.rfind(b"</")
            cut = data.find(b">", cut) + 1 if cut >= 0 else 0
            if cut <= 0:
                carry = data
                continue
            yield data[:cut]
            carry = data[cut:]


def _merged_ranges(sheet) -> list[tuple[int, int, int, int]]:
    """``(first_row, first_col, last_row, last_col)`` of every merged range of the sheet."""
    ranges = []
    for chunk in _stream(sheet):
        if b"mergeCell" in chunk:
            ranges += [(int(r1), _column_number(c1), int(r2), _column_number(c2))
                       for c1, r1, c2, r2 in _MERGE.findall(chunk)]
    return ranges


def _fill_merged(grid: list[list[str]], merges, *, first_row: int, width: int) -> None:
    """Copy each merged range's value (its top-left cell) into every cell of the range below the header."""
    for r1, c1, r2, c2 in merges:
        if r1 < first_row or r1 - first_row >= len(grid) or c1 > width:
            continue
        value = grid[r1 - first_row][c1 - 1]
        for r in range(r1, min(r2, first_row + len(grid) - 1) + 1):
            for c in range(c1, min(c2, width) + 1):
                grid[r - first_row][c - 1] = value


FORMULA_WITHOUT_VALUE = "holds a formula without a calculated value"


def _formula_problems(sheet, label: str, columns: dict[int, str]) -> list[Problem]:
    """One error per formula cell that has no calculated value to read (``columns``: sheet column -> name)."""
    problems = []
    for chunk in _stream(sheet):
        if b"<f" not in chunk and b":f" not in chunk:
            continue
        for ref, body in _CELL.findall(chunk):
            if body and re.search(rb"<(?:\w+:)?f[\s>/]", body) and not _VALUE.search(body):
                cell = ref.decode()
                row = int(re.sub(r"\D", "", cell))
                column = columns.get(_column_number(re.sub(rb"\d", b"", ref)))
                problems.append(Problem(label, row, column,
                                        f"cell {cell} {FORMULA_WITHOUT_VALUE} (the workbook "
                                        "was not saved by Excel): open and save it in Excel, or paste values"))
    return problems
