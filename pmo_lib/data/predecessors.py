"""The ``predecessors`` column of the tasks table: links to other tasks of the same project.

A cell lists the task's predecessors, separated by ``;`` (or ``,``, as MS Project
writes them)::

    T-002FS+2d;T-005SS

each link being a ``task_id`` of the same project, then optionally its type
(``FS`` finish-to-start, the default; ``SS``, ``FF``, ``SF``; in capitals), then optionally a
lag or lead: a signed number and a unit, ``h`` (hours), ``d`` (working days),
``w`` (weeks), ``mo`` (months), ``y`` (years) or ``%`` (of the predecessor's
duration), each optionally prefixed ``e`` for elapsed time (``+3ed``: three
calendar days). The long forms MS Project shows (``+2 days``, ``-1 wk``,
``+4 hrs``, ``+3 edays``) are read too. When a whole link is itself a task id
of the project (a task called ``CLASS``), it is that task, finish-to-start.

The checks (:func:`check_predecessors`): every link names a task of the same
project (what is not a type and lag is read as part of the task id, so a
misspelt link is an unknown task), and not the task itself. An error names the file,
row and column, as every other data error does.

Examples
--------
>>> [(l.task_id, l.type, l.lag) for l in parse_predecessors("T-002FS+2d; T-005SS")]
[('T-002', 'FS', 2.0), ('T-005', 'SS', 0.0)]
>>> parse_predecessors("7FF-1.5 edays")[0]
Link(task_id='7', type='FF', lag=-1.5, unit='ed')
>>> parse_predecessors("3FS+2")  # a lag needs its unit: this is read as a task called '3FS+2'
[Link(task_id='3FS+2', type='FS', lag=0.0, unit='d')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmo_lib.data.raw import RawTable
from pmo_lib.errors import Problem

COLUMN = "predecessors"
LINK_TYPES = ("FS", "SS", "FF", "SF")
FORM = "links look like T-002FS+2d;T-005SS: a task id of the project, FS/SS/FF/SF, a lag such as +2d, -4h, +50%"
_UNITS = {"h": ("h", "hr", "hrs", "hour", "hours"), "d": ("d", "day", "days", "dy", "dys"),
          "w": ("w", "wk", "wks", "week", "weeks"), "mo": ("mo", "mon", "mons", "month", "months"),
          "y": ("y", "yr", "yrs", "year", "years"), "%": ("%",)}
_UNIT_OF = {spelling: unit for unit, spellings in _UNITS.items() for spelling in spellings}
_UNIT_PATTERN = "|".join(sorted((re.escape(s) for s in _UNIT_OF), key=len, reverse=True))
LINK = re.compile(rf"^(?P<task>.+?)(?P<type>FS|SS|FF|SF)?"
                  rf"(?:(?P<lag>[+-]\d+(?:\.\d+)?)\s*(?P<unit>(?i:e?(?:{_UNIT_PATTERN}))))?$")
"""One link: the type in capitals (a task called ``Class`` is not ``Cla`` start-to-start), units in any case."""
_SEPARATOR = r"[;,]"


@dataclass(frozen=True)
class Link:
    """One predecessor link: the predecessor's ``task_id``, the type, the lag and its unit."""

    task_id: str
    type: str = "FS"
    lag: float = 0.0
    unit: str = "d"


def _link(match: re.Match) -> Link:
    unit = (match["unit"] or "d").lower()
    elapsed = unit.startswith("e") and unit[1:] in _UNIT_OF
    unit = ("e" if elapsed else "") + _UNIT_OF[unit[1:] if elapsed else unit]
    return Link(match["task"].strip(), (match["type"] or "FS").upper(), float(match["lag"] or 0), unit)


def parse_predecessors(text: str, *, task_ids: frozenset[str] = frozenset()) -> list[Link]:
    """The links of one cell (an empty cell has none); a link equal to one of ``task_ids`` is that task."""
    links = []
    for item in re.split(_SEPARATOR, str(text)):
        item = item.strip()
        if not item:
            continue
        if item in task_ids:
            links.append(Link(item))
            continue
        links.append(_link(LINK.match(item)))
    return links


def format_link(task_id: str, kind: str = "FS", lag: float = 0.0, unit: str = "d") -> str:
    """One link in the contract's form: the type always, the lag only when it is not zero.

    Examples
    --------
    >>> format_link("T-002", "FS", 2, "d"), format_link("5", "SS"), format_link("9", "FF", -0.5, "ew")
    ('T-002FS+2d', '5SS', '9FF-0.5ew')
    """
    return f"{task_id}{kind}" + (f"{lag:+.10g}{unit}" if lag else "")


def check_predecessors(tasks: pd.DataFrame, raw: RawTable) -> list[Problem]:
    """Every link of the tasks table to a task of the same project, not to itself.

    Vectorised: the cells are split and matched as one column of links.

    Examples
    --------
    >>> import numpy as np
    >>> tasks = pd.DataFrame({"project_id": ["P1", "P1", "P2"], "task_id": ["T1", "T2", "T1"],
    ...                       "predecessors": ["", "T1FS+2d;T9", "T1;T2SS"]})
    >>> raw = RawTable("tasks", "tasks.csv", tasks, np.array([2, 3, 4]), [])
    >>> for problem in check_predecessors(tasks, raw):
    ...     print(str(problem).split(" (links")[0])
    tasks.csv:3:predecessors: unknown predecessor task 'T9': not a task of project P1
    tasks.csv:4:predecessors: a task cannot be its own predecessor (T1)
    tasks.csv:4:predecessors: unknown predecessor task 'T2': not a task of project P2
    """
    if COLUMN not in tasks.columns or tasks.empty:
        return []
    cells = tasks[COLUMN].astype(str)
    filled = cells.str.strip() != ""
    if not filled.any():
        return []
    items = cells[filled].str.split(_SEPARATOR).explode().str.strip()
    items = items[items != ""]
    pos = items.index.to_numpy()
    project = tasks["project_id"].astype(str).to_numpy()[pos]
    own = tasks["task_id"].astype(str).to_numpy()[pos]
    known = pd.MultiIndex.from_arrays([tasks["project_id"].astype(str), tasks["task_id"].astype(str)])
    exact = pd.MultiIndex.from_arrays([project, items.to_numpy()]).isin(known)
    parts = items.str.extract(LINK)
    named = np.where(exact, items.to_numpy(), parts["task"].str.strip().to_numpy()).astype(str)
    found = pd.MultiIndex.from_arrays([project, named]).isin(known)
    itself = named == own
    unknown = ~found & ~itself
    problems = []
    shown = items.to_numpy()
    for i in np.flatnonzero(unknown | itself):
        where = str(raw.keys[pos[i]]) if raw.keys is not None else int(raw.rows[pos[i]])
        if itself[i]:
            message = "a task cannot be its own predecessor"
        else:
            message = f"unknown predecessor task {str(named[i])!r}: not a task of project {project[i]} ({FORM})"
        problems.append(Problem(raw.label, where, COLUMN, message, str(shown[i])))
    return problems
