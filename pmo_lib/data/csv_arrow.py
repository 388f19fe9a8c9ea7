"""The fast CSV path: pyarrow's multi-threaded parser over the file's bytes, text cells only.

Used by :func:`pmo_lib.data.reading.read_csv_table` for the common case: UTF-8 bytes, a clean
header row and every row as wide as the header (records may run over several lines: the line
breaks inside their cells are counted, so each record keeps the line it starts on). Anything
else (a ragged or blank row, a repeated header, bytes that are not UTF-8, lone carriage
returns) returns ``None`` and the file goes through the exact reader, which names the line of
each problem; the two agree on every file both accept. Only the first lines are decoded to look at the header:
the file's text is never copied whole.

Examples
--------
>>> raw = read_utf8_csv(b"project_id,amount\\nP1, 5 \\nP2,7\\n", delimiter=None)
>>> raw.frame.to_dict("list"), raw.rows.tolist()
({'project_id': ['P1', 'P2'], 'amount': [' 5 ', '7']}, [2, 3])
>>> read_utf8_csv(b'a,b\\n"x\\ny",1\\nz,2\\n', delimiter=None).rows.tolist()  # a record over two lines
[2, 4]
>>> read_utf8_csv(b"a,b\\nx\\n", delimiter=None) is None  # a short row: the exact reader names its line
True
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pmo_lib.data.raw import header_problems

_HEAD_LINES = 10
_BLOCK = 1 << 24


@dataclass
class ArrowCsv:
    """A CSV file read by pyarrow: text cells, the line of each record, the first lines read."""

    frame: pd.DataFrame
    rows: np.ndarray
    head: list[list[str]]


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
        return array.to_pandas(types_mapper={pa.string(): _TEXT}.get)
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


def read_utf8_csv(body, *, delimiter: str | None, start: int = 0) -> ArrowCsv | None:
    """Read UTF-8 CSV bytes from offset ``start``, or None where the exact reader must decide.

    Parameters
    ----------
    body : bytes
        The file's bytes, without a byte-order mark.
    delimiter : str, optional
        The separator; sniffed from the header line when None.
    start : int
        Offset of the header line (rows above it are skipped by the caller's profile).
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
    table = _parse(body, start, names, delimiter, multiline=False)
    lines = line_count(body, start)
    quoted = body.find(b'"', start) >= 0  # a line break inside a cell needs quotes
    if table is None or lines != table.num_rows + 1:
        # Records over several lines (a quoted line break): parsed again for them, each record's line counted.
        if table is None or not quoted or body.count(b"\r") != body.count(b"\r\n"):
            return None  # ragged, blank or unreadable rows, or lone carriage returns: the exact reader decides
        table = _parse(body, start, names, delimiter, multiline=True)
        if table is None:
            return None
    inner = _breaks_inside(table) if quoted else np.zeros(table.num_rows, dtype=np.int64)
    if lines != table.num_rows + 1 + int(inner.sum()):
        return None
    rows = 2 + np.arange(table.num_rows, dtype=np.int64) + np.concatenate([[0], np.cumsum(inner)[:-1]]).astype(np.int64)
    if table.num_rows and table.num_columns:
        blank = pc.equal(pc.binary_length(table.column(0)), 0)
        if pc.any(blank).as_py():  # rows whose every cell is empty are skipped, as the exact reader does
            for column in table.columns[1:]:
                blank = pc.and_(blank, pc.equal(pc.binary_length(column), 0))
            keep = ~np.asarray(blank.to_numpy(), dtype=bool)
            table, rows = table.filter(pa.array(keep)), rows[keep]
    frame = pd.DataFrame({h.strip(): pandas_text(table.column(i)) for i, h in enumerate(header)})
    return ArrowCsv(frame, rows, head)


def _parse(body, start: int, names: list[str], delimiter: str, *, multiline: bool) -> pa.Table | None:
    """pyarrow's parse of the records after the header, every cell text; None where it refuses the file."""
    try:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body).slice(start)),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=multiline,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[],
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 check_utf8=True),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None


def _breaks_inside(table: pa.Table) -> np.ndarray:
    """Per record, the line breaks inside its cells (zeros without looking at cells when the file has none)."""
    inner = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        if pc.any(pc.match_substring(column, "\n")).as_py():
            inner += np.asarray(pc.count_substring(column, "\n").to_numpy(), dtype=np.int64)
    return inner
