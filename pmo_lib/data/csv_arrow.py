"""The fast CSV path: pyarrow's multi-threaded parser over the file's bytes, text cells only.

Used by :func:`pmo_lib.data.reading.read_csv_table` for the common case: UTF-8 bytes, a clean
header row and every row as wide as the header (records may run over several lines: the line
breaks inside their cells are counted, so each record keeps the line it starts on). Anything
else (a ragged or blank row, a repeated header, bytes that are not UTF-8, lone carriage
returns) returns ``None`` and the file goes through the exact reader, which names the line of
each problem; the two agree on every file both accept. Only the first lines are decoded to look at the header:
the file's text is never copied whole.

The caller may ask for some columns typed by pyarrow's parser (``kinds``: numbers as
``float64``, ISO dates as ``datetime64[ns]``), which costs far less than reading them as text
and converting afterwards. A typed column is only what pyarrow read cleanly: a column where
any cell is not a plain decimal or ``YYYY-MM-DD`` (padding of spaces or tabs aside), or holds
``nan``/``inf``, or a date outside :data:`FIRST_DAY` to :data:`LAST_DAY`, is read as text
instead, so that the text rules of :mod:`pmo_lib.data.columns` decide it and name each bad
cell. In a typed column a missing value is exactly an empty cell.

Examples
--------
>>> raw = read_utf8_csv(b"project_id,amount\\nP1, 5 \\nP2,7\\n", delimiter=None)
>>> raw.frame.to_dict("list"), raw.rows.tolist()
({'project_id': ['P1', 'P2'], 'amount': [' 5 ', '7']}, [2, 3])
>>> read_utf8_csv(b'a,b\\n"x\\ny",1\\nz,2\\n', delimiter=None).rows.tolist()  # a record over two lines
[2, 4]
>>> read_utf8_csv(b"a,b\\nx\\n", delimiter=None) is None  # a short row: the exact reader names its line
True
>>> typed = read_utf8_csv(b"id,n,d\\nP1, 5 ,2024-01-05\\nP2,,\\n", delimiter=None, kinds=lambda h: {1: "number", 2: "date"})
>>> typed.frame.dtypes.astype(str).tolist(), typed.frame["n"].tolist(), typed.typed
(['str', 'float64', 'datetime64[ns]'], [5.0, nan], ['n', 'd'])
>>> read_utf8_csv(b"id,n\\nP1,5\\nP2,nan\\n", delimiter=None, kinds=lambda h: {1: "number"}).typed  # left as text
[]
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pmo_lib.data.raw import header_problems

_HEAD_LINES = 10
_BLOCK = 1 << 24
FIRST_DAY, LAST_DAY = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")
"""The dates a nanosecond timestamp holds, in whole years."""
_ARROW_TYPES = {"number": pa.float64(), "date": pa.date32()}
_DAYS = (FIRST_DAY - pd.Timestamp(0)).days, (LAST_DAY - pd.Timestamp(0)).days
_CONVERSION = re.compile(r"In CSV column #(\d+): .*CSV conversion error")


@dataclass
class ArrowCsv:
    """A CSV file read by pyarrow: text cells, the line of each record, the first lines read.

    ``typed`` names the columns pyarrow typed (see ``kinds`` of :func:`read_utf8_csv`).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    head: list[list[str]]
    typed: list[str] = field(default_factory=list)


def text_dtype():
    """The pandas dtype text columns get: pandas' pyarrow-backed ``str`` where it has one, else None."""
    dtype = pd.Series([], dtype=str).dtype
    return dtype if isinstance(dtype, pd.api.extensions.ExtensionDtype) else None


_TEXT = text_dtype()


def arrow_text(values) -> pa.ChunkedArray:
    """A pandas column of text as a pyarrow string array (no copy when pandas already keeps it in arrow)."""
    array = values.array if isinstance(values, pd.Series) else values
    if hasattr(array, "__arrow_array__"):
        found = array.__arrow_array__()
    else:
        found = pa.array(np.asarray(array, dtype=object), type=pa.string(), from_pandas=True)
    if isinstance(found, pa.Array):
        found = pa.chunked_array([found])
    if found.type != pa.string():
        found = found.cast(pa.string())
    return found


def pandas_text(array: pa.ChunkedArray | pa.Array) -> pd.Series:
    """A pyarrow string array as a pandas ``str`` column (without copying the strings where pandas allows)."""
    if _TEXT is not None:
        return pd.Series(_TEXT.__from_arrow__(array), copy=False)  # what ``to_pandas`` does, without its setup
    return pd.Series(array.to_pylist(), dtype=object)


def line_offset(body, lines: int, start: int = 0) -> int | None:
    """Where line ``lines + 1`` of ``body`` (counted from offset ``start``) begins; None when it has fewer lines.

    Examples
    --------
    >>> line_offset(b"title\\n\\na,b\\n", 2), line_offset(b"a\\n", 3)
    (7, None)
    """
    offset = start
    for _ in range(lines):
        end = body.find(b"\n", offset)
        if end < 0:
            return None
        offset = end + 1
    return offset


def first_lines(body, start: int, count: int = _HEAD_LINES) -> bytes:
    """The first ``count`` lines of ``body`` from ``start``, without copying the rest."""
    end = start - 1
    for _ in range(count):
        end = body.find(b"\n", end + 1)
        if end < 0:
            return bytes(body[start:])
    return bytes(body[start:end])


def sniff_delimiter(header_line: str) -> str:
    """The separator of a CSV file, from its header line: ``,``, ``;`` or a tab.

    Examples
    --------
    >>> sniff_delimiter("project_id;name;program"), sniff_delimiter('"a;b",c'), sniff_delimiter("x")
    (';', ',', ',')
    """
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def line_count(body, start: int = 0) -> int:
    """How many lines ``body`` holds from offset ``start`` (a last line without a newline counts).

    Examples
    --------
    >>> line_count(b"a\\nb\\n"), line_count(b"a\\nb"), line_count(b"x\\na\\n", 2)
    (2, 2, 1)
    """
    view = np.frombuffer(body, dtype=np.uint8)
    count = 0
    for offset in range(start, len(view), _BLOCK):  # in blocks: the comparison's mask stays small
        count += int(np.count_nonzero(view[offset:offset + _BLOCK] == 10))
    return count + (0 if len(view) == start or view[-1] == 10 else 1)


def read_utf8_csv(body, *, delimiter: str | None, start: int = 0, kinds=None) -> ArrowCsv | None:
    """Read UTF-8 CSV bytes from offset ``start``, or None where the exact reader must decide.

    Parameters
    ----------
    body : bytes
        The file's bytes, without a byte-order mark.
    delimiter : str, optional
        The separator; sniffed from the header line when None.
    start : int
        Offset of the header line (rows above it are skipped by the caller's profile).
    kinds : callable, optional
        Given the header (as written), the columns to type: position -> ``"number"`` or
        ``"date"``. Every column is text without it.
    """
    try:
        head_text = first_lines(body, start).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not head_text.strip():
        return None
    delimiter = delimiter or sniff_delimiter(head_text.split("\n", 1)[0])
    try:
        reader = csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter)
        head = list(reader)
    except csv.Error:
        return None
    if not head or head_text.split("\n", 1)[0].count('"') % 2:
        return None  # the header spans lines
    header = head[0]
    if not header or len(header_problems(header, "")[0]) != len(header):
        return None  # a repeated or empty column name: the exact reader says which
    names = [f"c{i}" for i in range(len(header))]
    types = {names[i]: _ARROW_TYPES[kind] for i, kind in (kinds(header) if kinds else {}).items()}
    utf8 = not is_utf8(body, start)  # a file valid as a whole needs no check cell by cell
    quoted = body.find(b'"', start) >= 0  # a line break inside a cell needs quotes
    table = _parse(body, start, names, delimiter, types, multiline=False, check_utf8=utf8, quoted=quoted)
    if table is not None and not quoted and body.find(b"\r", start) < 0:
        lines = table.num_rows + 1  # no quotes, no carriage returns: each line feed ends one record
    else:
        lines = line_count(body, start)
    multiline = table is None or lines != table.num_rows + 1
    if multiline:
        # Records over several lines (a quoted line break): parsed again for them, each record's line counted.
        if table is None or not quoted or _lone_carriage_return(body, 0):
            return None  # ragged, blank or unreadable rows, or lone carriage returns: the exact reader decides
        table = _parse(body, start, names, delimiter, types, multiline=True, check_utf8=utf8, quoted=quoted)
        if table is None:
            return None
    unclean = [n for n in types if not _clean(table.column(n))]
    if unclean:  # nan, inf or a date a timestamp cannot hold: read as text, where the text rules name the cells
        for n in unclean:
            del types[n]
        table = _parse(body, start, names, delimiter, types, multiline=multiline, check_utf8=utf8, quoted=quoted)
        if table is None:
            return None
    inner = _breaks_inside(table) if quoted else np.zeros(table.num_rows, dtype=np.int64)
    if lines != table.num_rows + 1 + int(inner.sum()):
        return None
    rows = 2 + np.arange(table.num_rows, dtype=np.int64)
    if inner.any():
        rows += np.concatenate([[0], np.cumsum(inner)[:-1]]).astype(np.int64)
    if table.num_rows and table.num_columns:
        blank = _empty(table.column(0))
        if pc.any(blank).as_py():  # rows whose every cell is empty are skipped, as the exact reader does
            for column in table.columns[1:]:
                blank = pc.and_(blank, _empty(column))
            keep = ~np.asarray(blank.to_numpy(), dtype=bool)
            table, rows = table.filter(pa.array(keep)), rows[keep]
    frame = pd.DataFrame({h.strip(): _pandas(table.column(i)) for i, h in enumerate(header)}, copy=False)
    return ArrowCsv(frame, rows, head, [header[names.index(n)].strip() for n in types])


def _lone_carriage_return(body, start: int) -> bool:
    """Whether ``body`` holds a carriage return not followed by a line feed (a line break of its own).

    Examples
    --------
    >>> _lone_carriage_return(b"a\\r\\nb\\r\\n", 0), _lone_carriage_return(b"a\\rb\\n", 0), _lone_carriage_return(b"a\\r", 0)
    (False, True, True)
    """
    view = np.frombuffer(body, dtype=np.uint8)[start:]
    returns = np.flatnonzero(view == 13)
    return bool(len(returns)) and (bool(returns[-1] + 1 >= len(view)) or bool((view[returns + 1] != 10).any()))


def _parse(body, start: int, names: list[str], delimiter: str, types: dict[str, pa.DataType], *,
           multiline: bool, check_utf8: bool = True, quoted: bool = True) -> pa.Table | None:
    """pyarrow's parse of the records after the header; None where it refuses the file.

    Columns of ``types`` are typed, the rest text; a typed column that fails to convert is
    dropped from ``types`` (the caller's dict) and the file parsed again with it as text. A file
    known to hold no quote (``quoted`` false) is tokenized without looking for them.
    """
    while True:
        try:
            return pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(body).slice(start)),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False,
                                               block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=multiline,
                                                 ignore_empty_lines=False, quote_char='"' if quoted else False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: types.get(n, pa.string()) for n in names}, null_values=[""],
                    strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=check_utf8),
            )
        except pa.ArrowInvalid as exc:
            failed = _CONVERSION.match(str(exc))
            column = names[int(failed.group(1))] if failed and int(failed.group(1)) < len(names) else None
            if column not in types:
                return None
            del types[column]
        except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return None


def is_utf8(body, start: int = 0) -> bool:
    """Whether ``body`` from ``start`` is valid UTF-8, checked at once by pyarrow (far cheaper than decoding).

    Cells are cut at ASCII bytes, so the cells of a valid file are valid too.

    Examples
    --------
    >>> is_utf8("a,é\\n".encode()), is_utf8(b"a,\\xe9\\n")
    (True, False)
    """
    size = len(body) - start
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, pa.py_buffer(np.array([0, size], dtype=np.int64)),
                                                        pa.py_buffer(body).slice(start)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _clean(column: pa.ChunkedArray) -> bool:
    """Whether a typed column holds only finite numbers, or dates a nanosecond timestamp holds."""
    if column.type == pa.float64():
        return not pc.any(pc.invert(pc.is_finite(column))).as_py()
    days = pc.min_max(column.cast(pa.int32()))  # days since 1970, as years 0 and 9999 have no Python date
    low, high = days["min"].as_py(), days["max"].as_py()
    return low is None or (low >= _DAYS[0] and high <= _DAYS[1])


def _empty(column: pa.ChunkedArray):
    """Which cells of a column are empty: an empty text, or a missing typed value (written as nothing)."""
    if column.type == pa.string():
        return pc.equal(pc.binary_length(column), 0)
    return pc.is_null(column)


def _pandas(column: pa.ChunkedArray) -> pd.Series:
    """A parsed column as pandas: text as ``str``, numbers as ``float64``, dates as ``datetime64[ns]``."""
    if column.type == pa.float64():
        return pd.Series(np.asarray(column.to_numpy(), dtype=float))
    if column.type == pa.date32():
        return pd.Series(column.cast(pa.timestamp("ns")).to_numpy().astype("datetime64[ns]", copy=False))
    return pandas_text(column)


def _breaks_inside(table: pa.Table) -> np.ndarray:
    """Per record, the line breaks inside its cells (zeros without looking at cells when the file has none)."""
    inner = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        if column.type != pa.string():
            continue  # a typed cell holds no line break
        if pc.any(pc.match_substring(column, "\n")).as_py():
            inner += np.asarray(pc.count_substring(column, "\n").to_numpy(), dtype=np.int64)
    return inner
