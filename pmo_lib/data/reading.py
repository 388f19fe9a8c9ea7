"""Reading a portfolio from disk: a folder of CSV files or one ``.xlsx`` workbook.

This is the only module that reads portfolio data. It returns every table as
text exactly as written (a :class:`RawTable`), with the line or sheet row
of each record, so that validation can name ``FILE:ROW:COLUMN`` precisely.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.data.schema import TABLE_ORDER
from pmo_lib.errors import DataSourceError, Problem


@dataclass
class RawTable:
    """One table as read: all cells as ``str`` (empty cells are ``""``).

    Attributes
    ----------
    name : str
        Table name (``tasks``).
    label : str
        How problems name the source: ``tasks.csv`` or ``book.xlsx[tasks]``.
    frame : pandas.DataFrame
        One ``str`` column per header, in file order.
    rows : numpy.ndarray
        The 1-based line (or sheet row) of each record; the header is row 1.
    problems : list of Problem
        Structural problems met while reading (ragged rows).
    """

    name: str
    label: str
    frame: pd.DataFrame
    rows: np.ndarray
    problems: list[Problem]


def read_tables(path: str | Path) -> tuple[dict[str, RawTable], dict[str, str]]:
    """Read every contract table found at ``path``.

    Parameters
    ----------
    path : str or Path
        A folder holding ``<table>.csv`` files, or an ``.xlsx`` workbook with
        one sheet per table.

    Returns
    -------
    tables : dict
        Table name to :class:`RawTable`, for the tables present.
    labels : dict
        Table name to the label a missing table would have (``tasks.csv``).

    Raises
    ------
    DataSourceError
        The path does not exist, is neither a folder nor a workbook, a
        workbook cannot be opened, or a CSV file is not UTF-8 text.
    """
    source = Path(path)
    if not source.exists():
        raise DataSourceError(f"{source}: no such folder or file; give a folder of CSV files or an .xlsx workbook")
    if source.is_dir():
        return _read_folder(source), {name: f"{name}.csv" for name in TABLE_ORDER}
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(source), {name: f"{source.name}[{name}]" for name in TABLE_ORDER}
    raise DataSourceError(f"{source}: not a folder or an .xlsx workbook")


def _read_folder(folder: Path) -> dict[str, RawTable]:
    tables = {}
    for name in TABLE_ORDER:
        file = folder / f"{name}.csv"
        if file.is_file():
            tables[name] = read_csv_table(file, name)
    return tables


def read_csv_table(file: Path, name: str) -> RawTable:
    """Read one CSV file as text, keeping each record's line number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "costs.csv"
    >>> _ = f.write_text('project_id,date,amount\\nP1,2024-01-05,"1\\n2"\\nP1,2024-01-12,5\\n', encoding="utf-8")
    >>> raw = read_csv_table(f, "costs")
    >>> raw.rows.tolist()
    [2, 4]
    """
    label = file.name
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DataSourceError(f"{file}: cannot be read ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataSourceError(
            f"{file}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02X}); save the file as CSV UTF-8"
        ) from exc
    if not text.strip():
        return RawTable(name, label, pd.DataFrame(), np.array([], dtype=np.int64),
                        [Problem(label, 1, None, "file is empty: a header row is required")])
    fast = _read_csv_fast(text)
    if fast is not None:
        frame, rows = fast
        return RawTable(name, label, frame, rows, [])
    return _read_csv_exact(text, name, label)


def _read_csv_fast(text: str) -> tuple[pd.DataFrame, np.ndarray] | None:
    """Parse with pandas when every record is exactly one line and the header is clean; else None."""
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return None
    if len(_header_problems(header, "")[0]) != len(header):
        return None  # pandas would rename repeated or empty column names silently
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError):
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines != len(frame) + 1:
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.isna().to_numpy().any():  # a short row
        return None
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    filled = (frame != "").any(axis=1).to_numpy()
    if not filled.all():  # blank lines are skipped, as the csv path does
        frame, rows = frame[filled].reset_index(drop=True), rows[filled]
    return frame, rows


def _read_csv_exact(text: str, name: str, label: str) -> RawTable:
    """Parse with the csv module, tracking the first line of every record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise DataSourceError(f"{label}:1: the header row cannot be read ({exc})") from exc
    keep, problems = _header_problems(header, label)
    records, rows = [], []
    start = reader.line_num + 1
    width = len(header)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(label, start, None, f"the row cannot be read as CSV ({exc})"))
            break
        if record and any(cell.strip() for cell in record):
            if len(record) != width:
                problems.append(Problem(label, start, None,
                                        f"row has {len(record)} fields but the header has {width}"))
            else:
                records.append([record[i] for i in keep])
                rows.append(start)
        start = reader.line_num + 1
    header = [header[i] for i in keep]
    frame = pd.DataFrame(records, columns=header, dtype=str) if records else pd.DataFrame(
        {h: pd.Series(dtype=str) for h in header})
    return RawTable(name, label, frame, np.array(rows, dtype=np.int64), problems)


def _header_problems(header: list[str], label: str) -> tuple[list[int], list[Problem]]:
    """The columns to keep (named, first of a repeated name) and a problem per repeated name.

    A column without a header is an unnamed extra column: dropped, as extra columns are ignored.

    Examples
    --------
    >>> keep, problems = _header_problems(["a", " ", "b", "a "], "x.csv")
    >>> keep, [str(p) for p in problems]
    ([0, 2], ['x.csv:1:a: the column name appears twice (columns 1 and 4): rename or remove one'])
    """
    keep, first, problems = [], {}, []
    for i, name in enumerate(h.strip() for h in header):
        if not name:
            continue
        if name in first:
            problems.append(Problem(label, 1, name, f"the column name appears twice (columns {first[name] + 1} "
                                                    f"and {i + 1}): rename or remove one"))
            continue
        first[name] = i
        keep.append(i)
    return keep, problems


def _read_workbook(book: Path) -> dict[str, RawTable]:
    import openpyxl  # imported here: only workbook users pay for it

    try:
        workbook = openpyxl.load_workbook(book, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataSourceError(f"{book}: the workbook cannot be opened ({exc.__class__.__name__}: {exc})") from exc
    try:
        sheets = {s.strip().lower(): s for s in workbook.sheetnames}
        tables = {}
        for name in TABLE_ORDER:
            if name in sheets:
                tables[name] = _read_sheet(workbook[sheets[name]], name, f"{book.name}[{name}]")
        return tables
    finally:
        workbook.close()


def _read_sheet(sheet, name: str, label: str) -> RawTable:
    rows_iter = sheet.iter_rows(values_only=True)
    header_row = next(rows_iter, None)
    if header_row is None:
        return RawTable(name, label, pd.DataFrame(), np.array([], dtype=np.int64),
                        [Problem(label, 1, None, "sheet is empty: a header row is required")])
    header = [_cell_text(h).strip() for h in header_row]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    keep, problems = _header_problems(header, label)
    records, rows = [], []
    for number, values in enumerate(rows_iter, start=2):
        cells = [_cell_text(v) for v in values[:width]]
        cells += [""] * (width - len(cells))
        if any(cells[i].strip() for i in keep):
            records.append([cells[i] for i in keep])
            rows.append(number)
    header = [header[i] for i in keep]
    frame = pd.DataFrame(records, columns=header, dtype=str) if records else pd.DataFrame(
        {h: pd.Series(dtype=str) for h in header})
    return RawTable(name, label, frame, np.array(rows, dtype=np.int64), problems)


def _cell_text(value) -> str:
    """Turn a typed workbook cell into the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
