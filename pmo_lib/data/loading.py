"""Load a portfolio: read, validate everything, and return typed tables.

Examples
--------
>>> portfolio = load_portfolio("data/sample")  # doctest: +SKIP
>>> portfolio.tasks.dtypes["baseline_start"]  # doctest: +SKIP
dtype('<M8[ns]')
"""

from __future__ import annotations

from pathlib import Path

from pmo_lib.data.reading import read_tables
from pmo_lib.data.schema import TABLE_ORDER, TABLES
from pmo_lib.data.tables import Portfolio, empty_table
from pmo_lib.data.validation import check_references, check_warnings, parse_table
from pmo_lib.errors import DataValidationError, Problem


def check_portfolio(path: str | Path) -> tuple[Portfolio, list[Problem]]:
    """Read and validate a portfolio, returning it with every problem found.

    Unlike :func:`load_portfolio` this never raises for bad data: callers that
    want to print all problems (``pmo-report validate``) use it.

    Raises
    ------
    DataSourceError
        The source cannot be read at all (missing, not UTF-8, bad workbook).
    """
    raws, labels = read_tables(path)
    problems: list[Problem] = []
    frames = {}
    for name in TABLE_ORDER:
        if name not in raws:
            if TABLES[name].required:
                problems.append(Problem(labels[name], None, None, f"required table '{name}' is missing"))
            continue
        frame, found = parse_table(raws[name])
        frames[name] = frame
        problems.extend(found)
    problems.extend(check_references(frames, raws))
    if not any(p.is_error for p in problems):
        problems.extend(check_warnings(frames, raws))
    order = {name: i for i, name in enumerate(TABLE_ORDER)}
    label_order = {labels[name]: i for name, i in order.items()}
    problems.sort(key=lambda p: (label_order.get(p.file, -1), p.row or 0, _column_rank(p), p.message))
    tables = {name: frames.get(name, empty_table(name)) for name in TABLE_ORDER}
    portfolio = Portfolio(
        **tables,
        source=str(path),
        supplied=frozenset(raws),
        warnings=[p for p in problems if not p.is_error],
    )
    return portfolio, problems


def _column_rank(problem: Problem) -> int:
    for table in TABLES.values():
        if problem.file.endswith(f"{table.name}.csv") or problem.file.endswith(f"[{table.name}]"):
            names = table.names
            return names.index(problem.column) if problem.column in names else len(names)
    return 0


def load_portfolio(path: str | Path) -> Portfolio:
    """Read a portfolio folder or workbook and return its typed tables.

    Parameters
    ----------
    path : str or Path
        A folder of ``<table>.csv`` files or one ``.xlsx`` workbook.

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
    portfolio, problems = check_portfolio(path)
    if any(p.is_error for p in problems):
        raise DataValidationError(problems)
    return portfolio
