"""Load a portfolio: read, validate everything, and return typed tables.

Examples
--------
>>> portfolio = load_portfolio("data/sample")  # doctest: +SKIP
>>> portfolio.tasks.dtypes["baseline_start"]  # doctest: +SKIP
dtype('<M8[ns]')
"""

from __future__ import annotations

from pathlib import Path

from pmo_lib.data.predecessors import check_predecessors
from pmo_lib.data.profile import Profile, load_profile
from pmo_lib.data.reading import read_source
from pmo_lib.data.schema import TABLE_ORDER, TABLES
from pmo_lib.data.tables import Portfolio, empty_table
from pmo_lib.data.validation import check_references, check_warnings, parse_table
from pmo_lib.errors import DataValidationError, Problem


def check_portfolio(path: str | Path, profile: str | Path | Profile | None = None) -> tuple[Portfolio, list[Problem]]:
    """Read and validate a portfolio, returning it with every problem found.

    Unlike :func:`load_portfolio` this never raises for bad data: callers that
    want to print all problems (``pmo-report validate``) use it.

    Parameters
    ----------
    path : str or Path
        A folder of CSV files, an ``.xlsx`` workbook or a database URL.
    profile : str, Path or Profile, optional
        An import profile (see :mod:`pmo_lib.data.profile`) or the file holding one.

    Raises
    ------
    DataSourceError
        The source cannot be read at all (missing, unreadable encoding, bad workbook,
        bad profile).
    """
    profile = load_profile(profile)
    found_source = read_source(path, profile, typed=True)
    raws, labels = found_source.tables, found_source.labels
    problems: list[Problem] = list(found_source.problems)
    frames = {}
    for name in TABLE_ORDER:
        if name not in raws:
            if TABLES[name].required:
                problems.append(Problem(labels[name], None, None, f"required table '{name}' is missing"))
            continue
        frame, found = parse_table(raws[name], profile)
        frames[name] = frame
        problems.extend(found)
    if "projects" in raws and not raws["projects"].misread and len(raws["projects"].frame) == 0:
        problems.append(Problem(labels["projects"], None, None,
                                "no projects: the projects table has headers but no rows, so there is nothing "
                                "to report"))
    problems.extend(check_references(frames, raws))
    if "tasks" in raws:
        problems.extend(check_predecessors(frames["tasks"], raws["tasks"]))
    if not any(p.is_error for p in problems):
        problems.extend(check_warnings(frames, raws))
    problems = _without_echoes(problems)
    order = {name: i for i, name in enumerate(TABLE_ORDER)}
    label_order = {labels[name]: i for name, i in order.items()}
    problems.sort(key=lambda p: (label_order.get(p.file, -1), _row_rank(p.row), _column_rank(p), p.message))
    tables = {name: frames[name] if name in frames else empty_table(name) for name in TABLE_ORDER}
    portfolio = Portfolio(
        **tables,
        source=str(path),
        supplied=frozenset(raws),
        warnings=[p for p in problems if not p.is_error],
    )
    return portfolio, problems


def _without_echoes(problems: list[Problem]) -> list[Problem]:
    """Drop what a cell's root problem (a formula without a value) would repeat about the same cell."""
    roots = {(p.file, p.row, p.column) for p in problems if "formula without a calculated value" in p.message}
    if not roots:
        return problems
    return [p for p in problems if (p.file, p.row, p.column) not in roots or "formula without" in p.message]


def _row_rank(row) -> tuple:
    """Whole-file problems first, then lines in order; database keys (text) after, in text order."""
    return (0, row or 0, "") if not isinstance(row, str) else (1, 0, row)


def _column_rank(problem: Problem) -> int:
    for table in TABLES.values():
        if problem.file.endswith(f"{table.name}.csv") or problem.file.endswith(f"[{table.name}]"):
            names = table.names
            return names.index(problem.column) if problem.column in names else len(names)
    return 0


def load_portfolio(path: str | Path, profile: str | Path | Profile | None = None) -> Portfolio:
    """Read a portfolio folder, workbook or database and return its typed tables.

    Parameters
    ----------
    path : str or Path
        A folder of ``<table>.csv`` files, one ``.xlsx`` workbook or a database URL.
    profile : str, Path or Profile, optional
        An import profile or the file holding one (see :mod:`pmo_lib.data.profile`).

    Returns
    -------
    Portfolio
        One typed DataFrame per table; warnings in ``portfolio.warnings``.

    Raises
    ------
    DataValidationError
        The data breaks the contract; ``.problems`` lists every problem.
    DataSourceError
        The source cannot be read at all.
    """
    portfolio, problems = check_portfolio(path, profile)
    if any(p.is_error for p in problems):
        raise DataValidationError(problems)
    return portfolio
