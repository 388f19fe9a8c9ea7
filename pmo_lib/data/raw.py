"""The table as read, before any typing: what every reader (CSV, workbook, database) returns.

Readers build a :class:`RawTable` of text cells with the line of each record, then
:func:`finish_table` gives matched headers their contract names (the profile's mapping first,
then the usual export names of :mod:`pmo_lib.data.headers`) and adds the profile's constants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from pmo_lib.data.headers import match_headers, normalize, suggest_table
from pmo_lib.data.profile import TableProfile
from pmo_lib.data.schema import TABLES
from pmo_lib.errors import Problem


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
        One ``str`` column per header, in file order; matched headers carry the contract name.
    rows : numpy.ndarray
        The 1-based line (or sheet row) of each record; the header is row 1.
    problems : list of Problem
        Structural problems met while reading (ragged rows, an encoding guessed).
    found : list of str
        The headers as written, for messages about missing columns.
    keys : numpy.ndarray, optional
        Where a record has no line (a database row): the text naming it, used instead of the row.
    header_row : int
        The line or sheet row of the headers.
    misread : bool
        The layout is wrong (a title above the headers): one problem says so, and the
        columns are not checked one by one.
    text_source : callable, optional
        Where the reader typed some columns itself (numbers and ISO dates a CSV parser read
        cleanly, see :mod:`pmo_lib.data.csv_arrow`), how to read the whole table again as text:
        :meth:`text` uses it for a typed column whose values a rule refuses, to show them as written.
    """

    name: str
    label: str
    frame: pd.DataFrame
    rows: np.ndarray
    problems: list[Problem]
    found: list[str] = field(default_factory=list)
    keys: np.ndarray | None = None
    header_row: int = 1
    misread: bool = False
    text_source: Callable[[], pd.DataFrame] | None = field(default=None, repr=False)
    _text: pd.DataFrame | None = field(default=None, init=False, repr=False)
    codes: dict = field(default_factory=dict, init=False, repr=False)
    """Left by validation for the checks across tables: the distinct ids of each clean id column."""

    def text(self, column: str) -> pd.Series:
        """A column's cells as written: the column itself, or (a typed column) read again as text, once per table."""
        values = self.frame[column]
        if self.text_source is None or not is_typed(values):
            return values
        if self._text is None:
            self._text = self.text_source()
        return self._text[column]


def is_typed(values: pd.Series) -> bool:
    """Whether a column of a :class:`RawTable` was typed by its reader (numbers or dates rather than text)."""
    return values.dtype.kind in "fM"


@dataclass
class Source:
    """What :func:`read_source` found: the tables, how missing ones are named, warnings."""

    tables: dict[str, RawTable]
    labels: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


def header_problems(header: list[str], label: str, row: int = 1) -> tuple[list[int], list[Problem]]:
    """The columns to keep (named, first of a repeated name) and a problem per repeated name.

    A column without a header is an unnamed extra column: dropped, as extra columns are ignored.

    Examples
    --------
    >>> keep, problems = header_problems(["a", " ", "b", "a "], "x.csv")
    >>> keep, [str(p) for p in problems]
    ([0, 2], ['x.csv:1:a: the column name appears twice (columns 1 and 4): rename or remove one'])
    """
    keep, first, problems = [], {}, []
    for i, name in enumerate(h.strip() for h in header):
        if not name:
            continue
        if name in first:
            problems.append(Problem(label, row, name, f"the column name appears twice (columns {first[name] + 1} "
                                                      f"and {i + 1}): rename or remove one"))
            continue
        first[name] = i
        keep.append(i)
    return keep, problems


def text_frame(records: list[list[str]], header: list[str]) -> pd.DataFrame:
    """A frame of text cells, with the columns even when there is no record."""
    if records:
        return pd.DataFrame(records, columns=header, dtype=str)
    return pd.DataFrame({h: pd.Series(dtype=str) for h in header})


def contract_names(headers: list[str], table: str, spec: TableProfile, *, label: str = "",
                   row: int = 1) -> tuple[dict[str, str], list[Problem]]:
    """The contract name of each header that gets one: the profile's ``columns``, then the usual export names.

    Returns the renames (header as written -> contract column) and a problem per profile mapping
    that names no column, or per column two headers claim.

    Examples
    --------
    >>> from pmo_lib.data.profile import TableProfile
    >>> contract_names(["Project ID", "Cost", "amount"], "costs", TableProfile(columns={"Cost": "category"}))[0]
    {'Cost': 'category', 'Project ID': 'project_id'}
    """
    renames, problems = {}, []
    if spec.columns:
        by_norm = {normalize(c): c for c in headers}
        for header, target in spec.columns.items():
            actual = header if header in headers else by_norm.get(normalize(header))
            if actual is None:
                problems.append(Problem(label, row, target,
                                        f"the profile maps column '{header}' to {target}, but the file has "
                                        f"no such column (found: {', '.join(headers) or 'none'})"))
            elif actual != target:
                renames[actual] = target
    rest = [c for c in headers if c not in renames and c not in renames.values()]
    matched, claimed = match_headers(rest, table, label=label)
    taken = set(renames.values()) | {c for c in rest if c in TABLES[table].names}
    renames.update({h: t for h, t in matched.items() if t not in taken})
    problems.extend(Problem(p.file, row, p.column, p.message) for p in claimed)
    return renames, problems


def finish_table(raw: RawTable, spec: TableProfile) -> RawTable:
    """Give matched headers their contract names and add the profile's constant columns.

    The profile's ``columns`` come first (a header as written, or equal to it ignoring case,
    spaces and punctuation), then the usual export names of :mod:`pmo_lib.data.headers`.
    """
    frame = raw.frame
    raw.found = [str(c) for c in frame.columns]
    renames, problems = contract_names(raw.found, raw.name, spec, label=raw.label, row=raw.header_row)
    raw.problems.extend(problems)
    if renames:
        frame = frame.rename(columns=renames)
    for column, value in spec.constants.items():
        frame[column] = pd.Series([str(value)] * len(frame), dtype=str, index=frame.index)
    raw.frame = frame
    return raw


def unused_warning(what: str, stem: str, kind: str) -> Problem:
    table = suggest_table(stem)
    hint = (f": did you mean '{table}'? Name it {table}{'.csv' if kind == 'file' else ''} or map it in a "
            f"profile ({kind}: ...)") if table else ": not a table of the contract"
    return Problem(what, None, None, f"not read{hint}", severity="warning")


def title_above(name: str, label: str, row: int, notes: list[Problem]) -> RawTable:
    """A table whose headers sit below a title: one problem saying where, nothing read."""
    problem = Problem(label, 1, None, f"the headers seem to be on row {row}, not row 1 (a title above them?): "
                                      f"declare it in a profile (tables: {{{name}: {{header_row: {row}}}}})")
    return RawTable(name, label, text_frame([], []), np.array([], dtype=np.int64), [*notes, problem], misread=True)


def cell_text(value) -> str:
    """A database or workbook cell value as the text a CSV file would hold (dates ISO, whole floats without ".0")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
