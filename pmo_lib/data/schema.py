"""The data contract: every table, its columns, their types and their rules.

This module is the single source of truth for what a portfolio folder holds
(``docs/data.md``). The loader reads it to
parse and validate, the sample generator to write, and the docs to explain.

Column kinds and the pandas dtype each becomes after loading:

========  ==============================  =========================================
kind      dtype after loading             accepted text
========  ==============================  =========================================
id        ``str``                         ``^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$``
text      ``str`` (missing -> ``""``)     anything
date      ``datetime64[ns]`` (``NaT``)    ``YYYY-MM-DD``
number    ``float64`` (``NaN``)           a plain decimal: ``1250``, ``-80.5``
integer   ``Int64`` (nullable)            a whole number: ``3``
bool      ``bool`` (missing -> default)   ``true/false``, ``yes/no``, ``1/0``
category  ``category`` (fixed set)        one of the allowed words, any case
========  ==============================  =========================================

Examples
--------
>>> TABLES["tasks"].column("percent_complete").maximum
100
>>> [c.name for c in TABLES["costs"].columns if c.required]
['project_id', 'date', 'amount']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PROJECT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
UNASSIGNED_PROGRAM = "Unassigned"
REQUIRED_TABLES = ("projects", "tasks", "costs")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
        Header name in the file.
    kind : str
        One of ``id``, ``text``, ``date``, ``number``, ``integer``, ``bool``,
        ``category``.
    required : bool
        The column must be present in the file and every row must hold a value
        (text columns listed in ``may_be_empty`` excepted).
    minimum, maximum : float, optional
        Inclusive bounds for numbers.
    exclusive_minimum : bool
        The minimum itself is not allowed (``> 0`` rather than ``>= 0``).
    choices : tuple of str, optional
        The allowed values of a category column, in their natural order.
    default : object, optional
        Value used where an optional column is absent or a cell is empty.
    may_be_empty : bool
        A required column whose cells may be blank (``projects.program``).
    """

    name: str
    kind: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] | None = None
    default: object = None
    may_be_empty: bool = False


@dataclass(frozen=True)
class Table:
    """One table of the portfolio: its columns, key and references."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    date_order: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Column names in contract order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> bool:
        """Whether a portfolio must supply this table."""
        return self.name in REQUIRED_TABLES


def _id(name: str) -> Column:
    return Column(name, "id", required=True)


def _text(name: str, required: bool = False) -> Column:
    return Column(name, "text", required=required)


def _date(name: str, required: bool = False) -> Column:
    return Column(name, "date", required=required)


def _scale(name: str, required: bool = True) -> Column:
    return Column(name, "integer", required=required, minimum=1, maximum=5)


def _category(name: str, choices: tuple[str, ...], required: bool = True, default=None) -> Column:
    return Column(name, "category", required=required, choices=choices, default=default)


PROJECT_STATUSES = ("active", "on_hold", "closed", "cancelled")
OPEN_CLOSED = ("open", "closed")
ISSUE_PRIORITIES = ("low", "medium", "high", "critical")
CHANGE_STATUSES = ("proposed", "approved", "rejected", "implemented")
RAG_VALUES = ("green", "amber", "red")
DEMAND_STATUSES = ("submitted", "approved", "rejected", "deferred")

_PROJECT_REF = {"project_id": "projects"}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "projects",
            (
                _id("project_id"),
                _text("name", True),
                Column("program", "text", required=True, may_be_empty=True),
                _text("manager", True),
                _text("sponsor"),
                _text("phase"),
                _category("status", PROJECT_STATUSES, required=False, default="active"),
                Column("budget", "number", minimum=0),
                _scale("priority", required=False),
                _text("description"),
            ),
            key=("project_id",),
        ),
        Table(
            "tasks",
            (
                _id("project_id"),
                _text("task_id", True),
                _text("name", True),
                _date("baseline_start", True),
                _date("baseline_finish", True),
                Column("percent_complete", "number", required=True, minimum=0, maximum=100),
                Column("budget", "number", required=True, minimum=0),
                Column("is_milestone", "bool", default=False),
                _date("forecast_start"),
                _date("forecast_finish"),
                _date("actual_start"),
                _date("actual_finish"),
                _text("owner"),
                _text("predecessors"),  # links such as T-002FS+2d;T-005SS (pmo_lib.data.predecessors)
            ),
            key=("project_id", "task_id"),
            references=_PROJECT_REF,
            date_order=(
                ("baseline_start", "baseline_finish"),
                ("actual_start", "actual_finish"),
            ),
        ),
        Table(
            "costs",
            (
                _id("project_id"),
                _date("date", True),
                Column("amount", "number", required=True),
                _text("category"),
                _text("description"),
            ),
            references=_PROJECT_REF,
        ),
        Table(
            "risks",
            (
                _id("project_id"),
                _text("risk_id", True),
                _text("title", True),
                _scale("probability"),
                _scale("impact"),
                _category("status", OPEN_CLOSED),
                _text("owner"),
                _text("mitigation"),
                _date("raised_date"),
                _date("due_date"),
                Column("cost_impact", "number", minimum=0),
            ),
            key=("project_id", "risk_id"),
            references=_PROJECT_REF,
        ),
        Table(
            "issues",
            (
                _id("project_id"),
                _text("issue_id", True),
                _text("title", True),
                _category("priority", ISSUE_PRIORITIES),
                _category("status", OPEN_CLOSED),
                _date("opened_date", True),
                _text("owner"),
                _date("closed_date"),
                _date("due_date"),
            ),
            key=("project_id", "issue_id"),
            references=_PROJECT_REF,
            date_order=(("opened_date", "closed_date"),),
        ),
        Table(
            "resources",
            (
                _text("resource_id", True),
                _text("name", True),
                _text("role", True),
                Column(
                    "capacity_hours_per_week",
                    "number",
                    required=True,
                    minimum=0,
                    exclusive_minimum=True,
                ),
                Column("cost_rate", "number", minimum=0),
            ),
            key=("resource_id",),
        ),
        Table(
            "assignments",
            (
                _id("project_id"),
                _text("resource_id", True),
                _date("week_start", True),
                Column("planned_hours", "number", required=True, minimum=0),
                Column("actual_hours", "number", minimum=0),
            ),
            references={"project_id": "projects", "resource_id": "resources"},
        ),
        Table(
            "changes",
            (
                _id("project_id"),
                _text("change_id", True),
                _text("title", True),
                _category("status", CHANGE_STATUSES),
                Column("cost_impact", "number", required=True),
                Column("schedule_impact_days", "integer", required=True),
                _date("raised_date", True),
                _date("decided_date"),
            ),
            key=("project_id", "change_id"),
            references=_PROJECT_REF,
            date_order=(("raised_date", "decided_date"),),
        ),
        Table(
            "status_updates",
            (
                _id("project_id"),
                _date("status_date", True),
                _text("summary", True),
                _text("achievements"),
                _text("next_steps"),
                _category("manager_rag", RAG_VALUES, required=False),
                _text("decisions_needed"),
            ),
            key=("project_id", "status_date"),
            references=_PROJECT_REF,
        ),
        Table(
            "demand",
            (
                _text("request_id", True),
                _text("title", True),
                _text("sponsor", True),
                Column("estimated_cost", "number", required=True, minimum=0),
                Column("expected_benefit", "number", required=True),
                _scale("strategic_alignment"),
                _scale("risk_level"),
                _category("status", DEMAND_STATUSES),
                _date("submitted_date", True),
                _text("description"),
            ),
            key=("request_id",),
        ),
    )
}

TABLE_ORDER = tuple(TABLES)


def empty_frame_dtypes(table: str) -> dict[str, str]:
    """Return the pandas dtype of every column of ``table`` after loading.

    Examples
    --------
    >>> empty_frame_dtypes("costs")["amount"]
    'float64'
    """
    kinds = {
        "id": "str",
        "text": "str",
        "date": "datetime64[ns]",
        "number": "float64",
        "integer": "Int64",
        "bool": "bool",
        "category": "category",
    }
    return {c.name: kinds[c.kind] for c in TABLES[table].columns}
