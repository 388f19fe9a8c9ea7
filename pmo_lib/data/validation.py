"""Validation: text tables in, typed tables and every problem out.

Pure functions over :class:`pmo_lib.data.reading.RawTable`; no I/O. Each rule of
the data contract (``docs/data.md``) becomes
zero or more :class:`pmo_lib.errors.Problem` naming ``FILE:ROW:COLUMN``.
All problems are collected before anything is raised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pmo_lib.data.columns import mask, parse_column
from pmo_lib.data.csv_arrow import arrow_text, pandas_text
from pmo_lib.data.headers import nearest_column
from pmo_lib.data.profile import DEFAULT_PROFILE, Profile
from pmo_lib.data.raw import RawTable
from pmo_lib.data.schema import TABLES, UNASSIGNED_PROGRAM, Column, Table
from pmo_lib.errors import Problem


class _Collector:
    """Gathers problems of one table, vectorised: a mask in, problems out."""

    def __init__(self, raw: RawTable, profile: Profile = DEFAULT_PROFILE):
        self.raw = raw
        self.profile = profile
        self.problems: list[Problem] = list(raw.problems)

    def problem(self, column: str | None, message: str, value: str | None = None) -> Problem:
        """A problem of a whole column, named at the header row."""
        return Problem(self.raw.label, self.raw.header_row if self.raw.keys is None else None, column, message, value)

    def where(self, pos: int):
        """How a problem names record ``pos``: its line, or its key where it has none (a database row)."""
        return str(self.raw.keys[pos]) if self.raw.keys is not None else int(self.raw.rows[pos])

    def flag(self, mask, column: str | None, message: str, values=None, severity="error") -> None:
        """One problem per row of ``mask``; ``values`` (a column, or a function of the positions) shows each.

        Only the flagged rows' values are looked at, so a clean column costs one ``any``.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        if values is None:
            values = self.raw.frame[column] if column in self.raw.frame else None
        if callable(values):
            shown = list(values(idx))
        elif isinstance(values, pd.Series):
            shown = values.iloc[idx].to_numpy(dtype=object)
        else:
            shown = None if values is None else np.asarray(values, dtype=object)[idx]
        for i, pos in enumerate(idx):
            self.problems.append(Problem(
                self.raw.label, self.where(pos), column, message,
                None if shown is None else str(shown[i]), severity))


def parse_table(raw: RawTable, profile: Profile | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Check one table's columns and cells and convert them to their types.

    Parameters
    ----------
    raw : RawTable
        The table as read.
    profile : Profile, optional
        How dates, numbers and percentages are written (the forgiving defaults without one).

    Returns
    -------
    frame : pandas.DataFrame
        Contract columns in contract order with their dtypes, then any extra
        columns as text. Cells that failed to parse are missing values.
    problems : list of Problem
        Missing columns, empty required cells, unparseable or out-of-range
        values, unknown categories, bad project ids, duplicate keys, dates
        out of order.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> text = pd.DataFrame({"project_id": ["P1", "P1"], "date": ["2024-01-05", "5/1/24"],
    ...                      "amount": ["10.5", "ten"]}, dtype=str)
    >>> frame, problems = parse_table(RawTable("costs", "costs.csv", text, np.array([2, 3]), []))
    >>> [str(p) for p in problems]
    ['costs.csv:3:date: not a date in YYYY-MM-DD form (5/1/24)', 'costs.csv:3:amount: not a number (ten)']
    >>> frame["amount"].tolist()
    [10.5, nan]
    """
    spec = TABLES[raw.name]
    out = _Collector(raw, profile or DEFAULT_PROFILE)
    text = raw.frame
    n = len(text)
    columns: dict[str, pd.Series] = {}
    missing = [c.name for c in spec.columns if c.required and c.name not in text.columns]
    if missing and not raw.misread:
        out.problems.extend(_missing_columns(raw, missing))
    for col in spec.columns:
        if col.name not in text.columns:
            columns[col.name] = _default_column(col, n)
            continue
        columns[col.name] = parse_column(text[col.name], col, out)
    frame = pd.DataFrame({name: values.array for name, values in columns.items()}, index=pd.RangeIndex(n), copy=False)
    for extra in text.columns:
        if extra not in frame.columns:
            frame[extra] = text[extra].to_numpy()
    if raw.name == "projects":
        frame["program"] = frame["program"].str.strip().replace("", UNASSIGNED_PROGRAM)
    _check_keys(spec, frame, text, out)
    _check_date_order(spec, frame, text, out)
    return frame, out.problems


def _default_column(col: Column, n: int) -> pd.Series:
    if col.kind == "category":
        return pd.Series(pd.Categorical([col.default] * n, categories=list(col.choices)))
    if col.kind == "bool":
        return pd.Series(np.full(n, bool(col.default)))
    if col.kind == "date":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if col.kind == "number":
        return pd.Series(np.full(n, np.nan))
    if col.kind == "integer":
        return pd.Series(pd.array([pd.NA] * n, dtype="Int64"))
    return pandas_text(pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(np.zeros(n + 1, dtype=np.int32)),
                                                             pa.py_buffer(b"")]))


def _check_keys(spec: Table, frame: pd.DataFrame, text: pd.DataFrame, out: _Collector) -> None:
    if not spec.key or any(k not in text.columns for k in spec.key) or not _may_repeat(frame, spec.key):
        return
    key = frame[list(spec.key)].astype(str).fillna("")  # pandas 3 keeps a missing value missing
    dup = key.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    first_row = {}
    for pos, row in zip(range(len(key)), map(tuple, key.to_numpy())):
        first_row.setdefault(row, out.where(pos))
    last = spec.key[-1]
    for pos in np.flatnonzero(dup):
        row = tuple(key.iloc[pos])
        shown = ", ".join(row)
        out.problems.append(Problem(
            out.raw.label, out.where(pos), last,
            f"duplicate key ({', '.join(spec.key)}), first on {_row_word(out)}{first_row[row]}", shown))


def _may_repeat(frame: pd.DataFrame, key: tuple[str, ...]) -> bool:
    """Whether some key may repeat: its columns' values numbered (equal values alike), then the numbers compared.

    A cheap first look for the common case of none; the key's text decides where it says yes.
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in key:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    return bool(pd.Series(combined).duplicated().any())


def _row_word(out: _Collector) -> str:
    return "" if out.raw.keys is not None else "row "


def _missing_columns(raw: RawTable, missing: list[str]) -> list[Problem]:
    """One problem per missing required column: the columns found, the nearest one, or why none fit.

    A header row that is one cell holding ``;`` says the file is ``;``-separated (a title above
    the headers is found while reading, see :func:`pmo_lib.data.headers.find_header_row`).
    """
    found = raw.found or [str(c) for c in raw.frame.columns]
    listed = ", ".join(found[:30]) + (", ..." if len(found) > 30 else "") if found else "none"
    if len(found) == 1 and ";" in found[0]:
        return [Problem(raw.label, raw.header_row, None,
                        f"the file looks ';'-separated but was read with another separator: declare "
                        f"csv: {{delimiter: ';'}} in a profile (missing: {', '.join(missing)})")]
    problems = []
    for name in missing:
        near = nearest_column(name, found)
        hint = f"; nearest: '{near}' (map it in a profile: columns: {{\"{near}\": {name}}})" if near else ""
        problems.append(Problem(raw.label, raw.header_row, name, f"required column is missing (found: {listed}){hint}"))
    return problems


def _check_date_order(spec: Table, frame: pd.DataFrame, text: pd.DataFrame, out: _Collector) -> None:
    for start, finish in spec.date_order:
        if start not in text.columns or finish not in text.columns:
            continue
        before = (frame[finish] < frame[start]).fillna(False).to_numpy()
        out.flag(before, finish, f"{finish} is before {start}",
                 lambda idx, a=finish, b=start: [f"{x} < {y}" for x, y in zip(out.raw.text(a).iloc[idx],
                                                                                out.raw.text(b).iloc[idx])])


def check_references(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable]) -> list[Problem]:
    """Find rows that name a project or resource that does not exist.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> frames = {"projects": pd.DataFrame({"project_id": ["P1"]}),
    ...           "costs": pd.DataFrame({"project_id": ["P1", "P9"]})}
    >>> raws = {"costs": RawTable("costs", "costs.csv", frames["costs"], np.array([2, 3]), [])}
    >>> [str(p) for p in check_references(frames, raws)]
    ['costs.csv:3:project_id: unknown project, not in projects (P9)']
    """
    problems: list[Problem] = []
    for name, raw in raws.items():
        spec = TABLES[name]
        for column, target in spec.references.items():
            if target not in frames or column not in raw.frame.columns:
                continue
            known = arrow_text(frames[target][TABLES[target].key[0]].astype(str)).combine_chunks().unique()
            values = frames[name][column].astype(str)
            ids = raw.codes.get(column)  # the distinct ids of a clean column, kept by validation
            if ids is None:
                ids = arrow_text(values).unique()
            if not _unknown(ids, known).any():  # each distinct id looked up once; the rows only where one is unknown
                continue
            unknown = _unknown(arrow_text(values), known)
            collector = _Collector(raw)
            collector.problems = []
            singular = target.rstrip("s")
            collector.flag(unknown, column, f"unknown {singular}, not in {target}", values)
            problems.extend(collector.problems)
    return problems


def _unknown(text, known) -> np.ndarray:
    """Which texts are filled (not blank) and not among ``known``."""
    filled = ~mask(pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text)))
    return ~mask(pc.is_in(text, value_set=known)) & filled


def check_warnings(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable]) -> list[Problem]:
    """Problems that make numbers doubtful but computable: reported, the run goes on.

    - a task with an ``actual_finish`` but ``percent_complete`` below 100;
    - a project whose task budgets sum above its approved budget.
    """
    problems: list[Problem] = []
    tasks, projects = frames.get("tasks"), frames.get("projects")
    if tasks is not None and "tasks" in raws:
        collector = _Collector(raws["tasks"])
        collector.problems = []
        unfinished = (tasks["actual_finish"].notna() & (tasks["percent_complete"] < 100)).to_numpy()
        collector.flag(unfinished, "percent_complete",
                       "actual_finish is set but the task is not 100 % complete",
                       lambda idx: [f"{v:g}" for v in tasks["percent_complete"].iloc[idx]], severity="warning")
        problems.extend(collector.problems)
    if tasks is not None and projects is not None and "projects" in raws:
        bac = tasks.groupby("project_id")["budget"].sum()
        approved = projects["budget"]
        total = projects["project_id"].map(bac).fillna(0.0)
        over = (approved.notna() & (total > approved + 1e-6)).to_numpy()
        collector = _Collector(raws["projects"])
        collector.problems = []
        collector.flag(over, "budget", "task budgets sum above the approved budget",
                       lambda idx: [f"task budgets total {t:,.2f} > approved {a:,.2f}"
                                    for t, a in zip(total.iloc[idx], approved.iloc[idx])], severity="warning")
        problems.extend(collector.problems)
    return problems
