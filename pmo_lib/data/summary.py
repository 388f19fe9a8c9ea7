"""Problems as a person can act on them: grouped by file, column and message, with a hint each.

A thousand bad dates in one column are one line: where, what, how many, the first rows, one
example value, and what to do. ``pmo-report validate --all`` prints every problem instead.

Examples
--------
>>> from pmo_lib.errors import Problem
>>> found = [Problem("tasks.csv", r, "baseline_start", "not a date in YYYY-MM-DD form", "05/01/2024")
...          for r in (4, 9, 12)]
>>> for line in summarize(found):
...     print(line)
tasks.csv:baseline_start: not a date in YYYY-MM-DD form: 3 rows (4, 9, 12), e.g. (05/01/2024)
  hint: write dates as 2026-11-20, or declare the form your file uses in a profile: dates: ["%d/%m/%Y"]
"""

from __future__ import annotations

from pmo_lib.errors import Problem

FIRST_ROWS = 5

# One hint per kind of problem, found by the start of its message.
HINTS: tuple[tuple[str, str], ...] = (
    ("not a date in YYYY-MM-DD form",
     'write dates as 2026-11-20, or declare the form your file uses in a profile: dates: ["%d/%m/%Y"]'),
    ("not a number: a decimal comma",
     'declare how numbers are written in a profile: csv: {decimal: ",", thousands: "."}'),
    ("not a number", "write a plain number such as 1250.50; currency symbols are read in money columns only"),
    ("a value is required", "fill in the cell (an export's blank or N/A is empty), or remove the row"),
    ("unknown project", "add the project to the projects table, or correct the project_id"),
    ("unknown resource", "add the resource to the resources table, or correct the resource_id"),
    ("duplicate key", "each key may appear once: remove the repeated row or give it its own id"),
    ("must be one of", "use one of the listed words (any case; 'On Hold' reads as on_hold)"),
    ("required column is missing", "rename the column in the file, or map it in a profile: columns: {...}"),
    ("not read: did you mean", "rename it, or name it in a profile (tables: {<table>: {file: ...}})"),
)


def hint_for(message: str) -> str | None:
    """The hint for a problem's message, if there is one.

    Examples
    --------
    >>> hint_for("duplicate key (project_id), first on row 2")
    'each key may appear once: remove the repeated row or give it its own id'
    """
    for start, hint in HINTS:
        if message.startswith(start):
            return hint
    return None


def _message_kind(message: str) -> str:
    """Messages that differ only in their detail (the first row of a duplicate) share a group."""
    return message.split(", first on", 1)[0]


def _shown(value: str) -> str:
    text = value.replace("\r", "\\r").replace("\n", "\\n")
    return (text if len(text) <= 80 else text[:77] + "...") or "empty"


def summarize(problems: list[Problem], *, every: bool = False) -> list[str]:
    """Lines to print for ``problems`` (in their order), warnings prefixed ``warning:``.

    Parameters
    ----------
    problems : list of Problem
        As :func:`pmo_lib.data.loading.check_portfolio` returns them.
    every : bool
        One line per problem (``--all``) instead of one group per file, column and message.
        A hint is printed under the first group of a file it applies to.
    """
    if every:
        return [("" if p.is_error else "warning: ") + str(p) for p in problems]
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        key = (problem.file, problem.column, _message_kind(problem.message), problem.severity)
        groups.setdefault(key, []).append(problem)
    lines, hinted = [], set()
    for (file, column, kind, severity), members in groups.items():
        prefix = "" if severity == "error" else "warning: "
        if len(members) == 1:
            lines.append(prefix + str(members[0]))
        else:
            rows = [str(p.row) for p in members if p.row is not None]
            shown = ", ".join(rows[:FIRST_ROWS]) + (", ..." if len(rows) > FIRST_ROWS else "")
            where = f"{file}:{column}" if column else file
            example = next((p for p in members if p.value is not None), None)
            sample = f", e.g. ({_shown(example.value)})" if example is not None else ""
            lines.append(f"{prefix}{where}: {kind}: {len(members):,} rows ({shown}){sample}")
        hint = hint_for(kind)
        if hint and severity == "error" and (file, hint) not in hinted:
            hinted.add((file, hint))
            lines.append(f"  hint: {hint}")
    return lines
