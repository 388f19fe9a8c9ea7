"""Validation: text tables in, typed tables and every problem out.

Pure functions over :class:`pmo_lib.data.reading.RawTable`; no I/O. Each rule of
the data contract (``docs/data.md``) becomes
zero or more :class:`pmo_lib.errors.Problem` naming ``FILE:ROW:COLUMN``.
All problems are collected before anything is raised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.data.forgiving import NA_WORDS, fraction_problem, parse_dates_leniently, parse_numbers_leniently
from pmo_lib.data.headers import nearest_column
from pmo_lib.data.profile import DEFAULT_PROFILE, Profile
from pmo_lib.data.raw import RawTable
from pmo_lib.data.schema import PROJECT_ID_PATTERN, TABLES, UNASSIGNED_PROGRAM, Column, Table
from pmo_lib.errors import Problem

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}
_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}$"
_NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_FIRST_DAY, _LAST_DAY = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")
"""The dates a nanosecond timestamp holds, in whole years."""


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
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        if values is None:
            values = self.raw.frame[column] if column in self.raw.frame else None
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
        columns[col.name] = _parse_column(text[col.name], col, out)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
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
    return pd.Series([""] * n, dtype=str)


def _parse_column(values: pd.Series, col: Column, out: _Collector) -> pd.Series:
    values = values.astype(str).reset_index(drop=True)
    stripped = values.str.strip()
    empty = (stripped == "").to_numpy()
    well_formed = None
    if col.kind in ("date", "number", "integer"):
        well_formed = stripped.str.match(_DATE_TEXT if col.kind == "date" else _NUMBER_TEXT).to_numpy()
        leftover = ~empty & ~well_formed  # only these can be NA words: a clean column pays nothing more
        if leftover.any():
            na_words = NA_WORDS | {w.strip().upper() for w in out.profile.na_values}
            empty = empty | (leftover & stripped.str.upper().isin(na_words).to_numpy())
    if col.required and not col.may_be_empty:
        out.flag(empty, col.name, "a value is required", values)
    if col.kind in ("text",):
        return values
    if col.kind == "id":
        bad = ~empty & ~stripped.str.match(PROJECT_ID_PATTERN.pattern).to_numpy()
        out.flag(bad, col.name,
                 "not a valid project_id: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                 values)
        return stripped
    if col.kind == "date":
        parsed = pd.to_datetime(stripped.where(well_formed, None), format="%Y-%m-%d", errors="coerce")
        if not (empty | well_formed).all():
            parsed = parse_dates_leniently(stripped, parsed, empty | well_formed, out.profile.dates)
        outside = (parsed.notna() & ~parsed.between(_FIRST_DAY, _LAST_DAY)).to_numpy()
        out.flag(outside, col.name, f"date outside {_FIRST_DAY.date()} to {_LAST_DAY.date()}", values)
        parsed = parsed.where(~outside)
        bad = ~empty & ~outside & parsed.isna().to_numpy()
        out.flag(bad, col.name, "not a date in YYYY-MM-DD form" + (" or " + " or ".join(out.profile.dates)
                                                                    if out.profile.dates else ""), values)
        return parsed.astype("datetime64[ns]")
    if col.kind in ("number", "integer"):
        return _parse_number(values, stripped, empty, col, out, well_formed)
    if col.kind == "bool":
        lower = stripped.str.lower()
        is_true, is_false = lower.isin(_TRUE).to_numpy(), lower.isin(_FALSE).to_numpy()
        out.flag(~empty & ~is_true & ~is_false, col.name, "not true/false, yes/no or 1/0", values)
        return pd.Series(np.where(empty, bool(col.default), is_true))
    if col.kind == "category":
        normal = stripped.str.lower().str.replace(" ", "_").str.replace("-", "_")
        known = normal.isin(col.choices).to_numpy()
        out.flag(~empty & ~known, col.name, f"must be one of {', '.join(col.choices)}", values)
        filled = normal.where(known, None)
        if col.default is not None:
            filled = filled.where(~pd.Series(empty), col.default)
        return pd.Series(pd.Categorical(filled, categories=list(col.choices)))
    raise ValueError(f"unknown column kind {col.kind!r}")


def _parse_number(values, stripped, empty, col: Column, out: _Collector, well_formed) -> pd.Series:
    numbers = pd.to_numeric(stripped.where(well_formed, None), errors="coerce").astype(float)
    if not (empty | well_formed).all():
        numbers, empty = parse_numbers_leniently(stripped, numbers, empty, well_formed, col, out)
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


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_keys(spec: Table, frame: pd.DataFrame, text: pd.DataFrame, out: _Collector) -> None:
    if not spec.key or any(k not in text.columns for k in spec.key):
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
                 text[finish].astype(str) + " < " + text[start].astype(str))


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
            known = set(frames[target][TABLES[target].key[0]].astype(str))
            values = frames[name][column].astype(str)
            unknown = ~values.isin(known).to_numpy() & (values.str.strip() != "").to_numpy()
            collector = _Collector(raw)
            collector.problems = []
            singular = target.rstrip("s")
            collector.flag(unknown, column, f"unknown {singular}, not in {target}", values)
            problems.extend(collector.problems)
    return problems


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
                       tasks["percent_complete"].map(lambda v: f"{v:g}"), severity="warning")
        problems.extend(collector.problems)
    if tasks is not None and projects is not None and "projects" in raws:
        bac = tasks.groupby("project_id")["budget"].sum()
        approved = projects["budget"]
        total = projects["project_id"].map(bac).fillna(0.0)
        over = (approved.notna() & (total > approved + 1e-6)).to_numpy()
        collector = _Collector(raws["projects"])
        collector.problems = []
        shown = [f"task budgets total {t:,.2f} > approved {a:,.2f}" for t, a in zip(total, approved)]
        collector.flag(over, "budget", "task budgets sum above the approved budget", shown, severity="warning")
        problems.extend(collector.problems)
    return problems
