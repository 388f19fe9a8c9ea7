"""Reading a portfolio: a folder of CSV files, one workbook, or a database.

This is the only module that decides where portfolio data comes from. It returns every
table as text exactly as written (a :class:`RawTable`), headers matched to the contract
(:mod:`pmo_lib.data.headers`, then the profile's own mapping), with the line or sheet row
of each record, so that validation can name ``FILE:ROW:COLUMN`` precisely.

Forgiving but never silently wrong: CSV files may be UTF-8 (with or without BOM) or, with a
warning, Windows-1252; ``;`` and tab separators are recognised from the header line; files
and sheets named like a table in any case are read, and those not read are listed as warnings.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.data.csv_arrow import ArrowCsv, line_offset, read_utf8_csv, sniff_delimiter
from pmo_lib.data.headers import find_header_row, table_for_name
from pmo_lib.data.mpxj import is_schedule, join_projects, read_schedules
from pmo_lib.data.profile import DEFAULT_PROFILE, Profile
from pmo_lib.data.raw import (
    RawTable,
    Source,
    contract_names,
    finish_table,
    header_problems,
    text_frame,
    title_above,
    unused_warning,
)
from pmo_lib.data.schema import TABLE_ORDER, TABLES
from pmo_lib.errors import DataSourceError, Problem

__all__ = ["RawTable", "Source", "read_source", "read_tables", "read_csv_table", "is_url", "resolve_source",
           "describe_source", "sniff_delimiter"]

URL_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
"""An SQLAlchemy URL (``sqlite:///pmo.db``, ``postgresql://host/db``) rather than a path."""


def is_url(source) -> bool:
    """Whether ``source`` is a database URL rather than a path.

    Examples
    --------
    >>> is_url("sqlite:///pmo.db"), is_url("postgresql://u@db/pmo"), is_url("data/sample")
    (True, True, False)
    """
    return isinstance(source, str) and bool(URL_PATTERN.match(source))


def resolve_source(source) -> Path | str:
    """A data source made absolute: a resolved path, or a database URL unchanged.

    Examples
    --------
    >>> resolve_source("sqlite:///pmo.db"), resolve_source("/tmp/../tmp/data").as_posix()
    ('sqlite:///pmo.db', '/tmp/data')
    """
    return str(source) if is_url(str(source)) else Path(source).resolve()


def describe_source(source) -> str:
    """How a data source is named in manifests and logs: a path, or a URL without its password."""
    if is_url(str(source)):
        from pmo_lib.data.sql import masked

        return masked(str(source))
    return str(source)


def read_source(path, profile: Profile | None = None, *, typed: bool = False) -> Source:
    """Read every contract table found at ``path``.

    Parameters
    ----------
    path : str or Path
        A folder holding ``<table>.csv`` files, an ``.xlsx`` workbook with one sheet per
        table, or an SQLAlchemy database URL.
    profile : Profile, optional
        Where tables are and how they are written; the forgiving defaults without one.
    typed : bool
        Let the CSV parser type the number and date columns it reads cleanly (what
        :func:`pmo_lib.data.validation.parse_table` takes); every cell is text without it.

    Raises
    ------
    DataSourceError
        The source does not exist, is of no known kind, cannot be opened, or a CSV file is
        in no encoding that can be read.
    """
    profile = profile or DEFAULT_PROFILE
    if is_url(str(path)):
        from pmo_lib.data.sql import read_database

        return read_database(str(path), profile)
    source = Path(path)
    if not source.exists():
        raise DataSourceError(f"{source}: no such folder or file; give a folder of CSV files, an .xlsx "
                              "workbook or a database URL")
    if source.is_dir():
        schedules = any(is_schedule(p) for p in source.iterdir() if p.is_file())
        found = _read_folder(source, profile, typed=typed and not schedules)  # schedules join text tables
        if schedules:
            return _with_schedules(found, read_schedules(source, profile))
        return found
    if is_schedule(source):
        return read_schedules(source, profile)
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        from pmo_lib.data.workbook import read_workbook

        return read_workbook(source, profile)
    if source.suffix.lower() == ".csv":
        raise DataSourceError(f"{source}: give the folder holding the CSV files ({source.parent}), not one file")
    raise DataSourceError(f"{source}: not a folder, an .xlsx workbook, a schedule (.mpp, .xml, .xer, .pmxml, .mpx) "
                          "or a database URL")


def read_tables(path, profile: Profile | None = None) -> tuple[dict[str, RawTable], dict[str, str]]:
    """The tables of :func:`read_source` and the labels a missing table would have."""
    found = read_source(path, profile)
    return found.tables, found.labels


def _with_schedules(contract: Source, schedules: Source) -> Source:
    """Schedule tables, replaced by the contract CSV files present (``projects.csv`` is joined instead)."""
    tables = dict(schedules.tables)
    for name, raw in contract.tables.items():
        tables[name] = join_projects(tables[name], raw) if name == "projects" and name in tables else raw
    labels = {name: contract.labels[name] if name in contract.tables else schedules.labels[name]
              for name in schedules.labels}
    return Source(tables, labels, contract.problems + schedules.problems)


def _read_folder(folder: Path, profile: Profile, *, typed: bool) -> Source:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    by_table: dict[str, Path] = {}
    for file in files:
        table = table_for_name(file.stem)
        if table is not None and (table not in by_table or file.name == f"{table}.csv"):
            by_table[table] = file
    tables, labels, used = {}, {}, set()
    for name in TABLE_ORDER:
        spec = profile.table(name)
        if spec.file:
            file = folder / spec.file
            if not file.is_file():
                raise DataSourceError(f"{file}: no such file (named for table '{name}' in the profile)")
        else:
            file = by_table.get(name)
        labels[name] = file.name if file is not None else f"{name}.csv"
        if file is not None:
            tables[name] = read_csv_table(file, name, profile, typed=typed)
            used.add(file.name)
    problems = [unused_warning(f"file '{f.name}'", f.stem, "file") for f in files if f.name not in used]
    return Source(tables, labels, problems)


def _decode(data: bytes, file: Path, encoding: str | None, label: str) -> tuple[str, list[Problem]]:
    if encoding:
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise DataSourceError(f"{file}:{line}: not {encoding} text (byte 0x{data[exc.start]:02X}), as the "
                                  "profile says: check csv.encoding") from exc
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        start = exc.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[:start].count(b"\n") + 1
        raise DataSourceError(
            f"{file}:{line}: not UTF-8 text (byte 0x{data[start]:02X}); save the file as CSV UTF-8"
        ) from None
    warning = Problem(label, None, None, "not UTF-8: read as Windows-1252 (cp1252); save it as CSV UTF-8, or "
                                         "declare csv: {encoding: cp1252} in a profile to silence this",
                      severity="warning")
    return text, [warning]


def read_csv_table(file: Path, name: str, profile: Profile | None = None, *, typed: bool = False) -> RawTable:
    """Read one CSV file as text, keeping each record's line number.

    UTF-8 files of one line per record go through pyarrow's parser straight from the file's
    bytes (:mod:`pmo_lib.data.csv_arrow`); other encodings are decoded first, and files that
    parser cannot take as they are (records over several lines, ragged rows) are read record
    by record, naming the line of each problem. With ``typed``, pyarrow also types the number
    and date columns it reads cleanly (:func:`typed_columns`); the table can read itself
    again as text (:meth:`RawTable.text`) for the messages about them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "costs.csv"
    >>> _ = f.write_text('project_id,date,amount\\nP1,2024-01-05,"1\\n2"\\nP1,2024-01-12,5\\n', encoding="utf-8")
    >>> raw = read_csv_table(f, "costs")
    >>> raw.rows.tolist()
    [2, 4]
    """
    profile = profile or DEFAULT_PROFILE
    label = file.name
    try:
        # read whole, not memory-mapped: a file another program truncates while mapped ends the process
        # with SIGBUS; read, a short file gives named problems
        data = file.read_bytes()
    except OSError as exc:
        raise DataSourceError(f"{file}: cannot be read ({exc.strerror})") from exc
    header_row = profile.header_row_of(name)
    skip = header_row - 1
    if profile.csv.encoding is None:  # UTF-8 as it stands: parsed from the bytes, never decoded whole
        begin = line_offset(data, skip, 3 if data.startswith(codecs.BOM_UTF8) else 0)
        kinds = (lambda header: typed_columns(header, name, profile)) if typed else None
        fast = None if begin is None else _read_arrow(data, begin, name, profile, skip, kinds)
        if fast is not None:
            raw = RawTable(name, label, fast.frame, fast.rows + skip, [])
            if fast.typed:
                raw.text_source = lambda: read_csv_table(file, name, profile).frame
            return _finished(raw, header_row, profile)
    text, notes = _decode(data, file, profile.csv.encoding, label)
    del data
    if skip:
        parts = text.split("\n", skip)
        text = parts[skip] if len(parts) > skip else ""
    if not text.strip():
        return RawTable(name, label, pd.DataFrame(), np.array([], dtype=np.int64),
                        [*notes, Problem(label, header_row, None, "file is empty: a header row is required")],
                        header_row=header_row)
    head = _first_lines(text, 10)
    delimiter = profile.csv.delimiter or sniff_delimiter(head.split("\n", 1)[0])
    if not skip:
        top = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
        better = find_header_row(top, name)
        if better is not None:
            return title_above(name, label, better, notes)
    fast = read_utf8_csv(text.encode("utf-8"), delimiter=delimiter) if notes or profile.csv.encoding else None
    if fast is None:
        fast = _read_csv_fast(text, delimiter)
    if fast is not None:
        raw = RawTable(name, label, fast.frame, fast.rows, notes)
    else:
        raw = _read_csv_exact(text, name, label, delimiter)
        raw.problems[:0] = notes
    if skip:
        raw.rows = raw.rows + skip
        raw.problems = [_shifted(p, skip) for p in raw.problems]
    return _finished(raw, header_row, profile)


def typed_columns(header: list[str], name: str, profile: Profile) -> dict[int, str]:
    """The columns of a CSV header the parser may type: position -> ``"number"`` or ``"date"``.

    Contract columns (named as written or through the profile and the usual export names) of
    kind number, integer or date; not those a profile's constant replaces, and no number
    column where the profile declares a decimal comma or a thousands separator.

    Examples
    --------
    >>> typed_columns(["Project ID", "Posting Date", "Cost", "Note"], "costs", DEFAULT_PROFILE)
    {1: 'date', 2: 'number'}
    """
    spec, table = profile.table(name), TABLES[name]
    numbers = profile.csv.decimal == "." and profile.csv.thousands is None
    headers = [h.strip() for h in header]
    renames, _ = contract_names(headers, name, spec)
    kinds = {}
    for i, header_name in enumerate(headers):
        target = renames.get(header_name, header_name)
        if target not in table.names or target in spec.constants:
            continue
        kind = table.column(target).kind
        if kind == "date" or (numbers and kind in ("number", "integer")):
            kinds[i] = "date" if kind == "date" else "number"
    return kinds


def _read_arrow(data: bytes, begin: int, name: str, profile: Profile, skip: int, kinds) -> ArrowCsv | None:
    """pyarrow's reading of UTF-8 bytes from the header line, unless a title sits above the headers."""
    fast = read_utf8_csv(data, delimiter=profile.csv.delimiter, start=begin, kinds=kinds)
    if fast is not None and not skip and find_header_row(fast.head, name) is not None:
        return None  # the exact reader says where the headers seem to be
    return fast


def _finished(raw: RawTable, header_row: int, profile: Profile) -> RawTable:
    raw.header_row = header_row
    return finish_table(raw, profile.table(raw.name))


def _first_lines(text: str, count: int) -> str:
    r"""The first ``count`` lines of ``text``, without copying the rest of a large file.

    Examples
    --------
    >>> _first_lines("a\nb\nc\n", 2), _first_lines("a", 5)
    ('a\nb', 'a')
    """
    end = -1
    for _ in range(count):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end]


def _shifted(problem: Problem, lines: int) -> Problem:
    if problem.row is None:
        return problem
    return Problem(problem.file, problem.row + lines, problem.column, problem.message, problem.value,
                   problem.severity)


def _read_csv_fast(text: str, delimiter: str) -> ArrowCsv | None:
    """Parse with pandas when every record is exactly one line and the header is clean; else None."""
    first = _first_lines(text, 1)
    try:
        header = next(csv.reader(io.StringIO(first, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return None
    if first.count('"') % 2 or len(header_problems(header, "")[0]) != len(header):
        return None  # a header over several lines; pandas would rename repeated or empty column names silently
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=delimiter,
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
    return ArrowCsv(frame, rows, [])


def _read_csv_exact(text: str, name: str, label: str, delimiter: str = ",") -> RawTable:
    """Parse with the csv module, tracking the first line of every record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise DataSourceError(f"{label}:1: the header row cannot be read ({exc})") from exc
    keep, problems = header_problems(header, label)
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
    frame = text_frame(records, [header[i] for i in keep])
    return RawTable(name, label, frame, np.array(rows, dtype=np.int64), problems)
