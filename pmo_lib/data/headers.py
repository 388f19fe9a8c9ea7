"""Header matching: the names people's exports give a column, and the contract's name for it.

A header matches a contract column when both are equal after dropping case, spaces and
punctuation (``Project ID``, ``project-id`` and ``PROJECT_ID`` are ``project_id``), or when it
is one of the usual export names listed in :data:`ALIASES` (MS Project's ``% Complete``,
``Baseline Start``, ``Task Name``, ...). Nothing is guessed: a header that two columns could
claim, or two headers that claim one column, stay as they are and the loader says so.

Examples
--------
>>> normalize("% Complete")
'complete'
>>> match_headers(["Project ID", "Task Name", "% Complete", "Baseline Cost", "Notes"], "tasks")[0]
{'Project ID': 'project_id', 'Task Name': 'name', '% Complete': 'percent_complete', 'Baseline Cost': 'budget'}
"""

from __future__ import annotations

import difflib
import re

from pmo_lib.data.schema import TABLE_ORDER, TABLES
from pmo_lib.errors import Problem

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# Usual export names per table, written as people write them; compared after normalize().
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "projects": {
        "project_id": ("Project", "Project No", "Project Number", "Project Code", "Project Key"),
        "name": ("Project Name", "Project Title", "Title"),
        "program": ("Programme", "Program Name", "Programme Name", "Portfolio Group"),
        "manager": ("Project Manager", "PM", "Owner", "Project Owner"),
        "sponsor": ("Project Sponsor", "Executive Sponsor"),
        "budget": ("Approved Budget", "Budget Approved", "Project Budget"),
        "status": ("Project Status", "State"),
    },
    "tasks": {
        "project_id": ("Project", "Project Code", "Project Number"),
        "task_id": ("ID", "Unique ID", "Task", "Task No", "Task Number", "WBS", "Activity ID"),
        "name": ("Task Name", "Task", "Activity Name", "Title"),
        "baseline_start": ("Baseline Start Date", "Planned Start", "BL Start", "Baseline1 Start"),
        "baseline_finish": ("Baseline Finish Date", "Baseline End", "Planned Finish", "Planned End",
                            "BL Finish", "Baseline1 Finish"),
        "percent_complete": ("% Complete", "Percent Complete", "Pct Complete", "Complete", "Progress",
                             "Activity % Complete"),
        "budget": ("Baseline Cost", "Budgeted Cost", "Budget Cost", "BAC", "Planned Cost", "Baseline1 Cost"),
        "is_milestone": ("Milestone",),
        "forecast_start": ("Start", "Start Date", "Forecast Start Date"),
        "forecast_finish": ("Finish", "Finish Date", "End", "End Date", "Forecast Finish Date", "Forecast End"),
        "actual_start": ("Actual Start Date",),
        "actual_finish": ("Actual Finish Date", "Actual End", "Actual End Date"),
        "owner": ("Resource Names", "Resource Name", "Assigned To", "Task Owner"),
    },
    "costs": {
        "date": ("Posting Date", "Cost Date", "Transaction Date", "Invoice Date", "Period"),
        "amount": ("Cost", "Actual Cost", "Value", "Amount Spent", "Actual"),
        "category": ("Cost Category", "Cost Type", "Type"),
    },
    "risks": {"risk_id": ("Risk", "Risk No", "ID"), "title": ("Risk Title", "Risk", "Description"),
              "probability": ("Likelihood",), "raised_date": ("Date Raised", "Raised")},
    "issues": {"issue_id": ("Issue", "Issue No", "ID"), "title": ("Issue Title", "Description"),
               "opened_date": ("Date Opened", "Opened", "Raised Date", "Date Raised")},
    "resources": {"resource_id": ("Resource", "ID"), "name": ("Resource Name",),
                  "capacity_hours_per_week": ("Capacity", "Hours per Week", "Weekly Capacity"),
                  "cost_rate": ("Rate", "Standard Rate", "Hourly Rate")},
    "assignments": {"week_start": ("Week", "Week Commencing", "Week Beginning"),
                    "planned_hours": ("Planned", "Work", "Planned Work"),
                    "actual_hours": ("Actual", "Actual Work")},
    "changes": {"change_id": ("Change", "Change No", "CR", "ID"), "title": ("Change Title", "Description")},
    "status_updates": {"status_date": ("Date", "Report Date"), "manager_rag": ("RAG", "Overall RAG")},
    "demand": {"request_id": ("Request", "Request No", "ID"), "title": ("Request Title",)},
}

# Names a file or sheet may have beside the table's own: "Task_Table1" is MS Project's task sheet.
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "projects": ("project list", "project register", "project"),
    "tasks": ("task table", "task table1", "task_table1", "schedule", "activities", "task"),
    "costs": ("actuals", "cost", "actual costs"),
    "risks": ("risk register", "risk log", "risk"),
    "issues": ("issue log", "issue register", "issue"),
    "resources": ("resource sheet", "resource table", "resource table1", "resource"),
    "assignments": ("assignment table", "assignment table1", "assignment", "allocations"),
    "changes": ("change log", "change register", "change requests", "change"),
    "status_updates": ("status reports", "status update", "updates"),
    "demand": ("pipeline", "requests", "demand pipeline"),
}


def normalize(name: str) -> str:
    """A header without case, spaces or punctuation.

    Examples
    --------
    >>> normalize("Baseline-Start ") == normalize("baseline_start")
    True
    """
    return _NOT_ALNUM.sub("", str(name).lower())


def _targets(table: str) -> dict[str, str]:
    """Normalised name -> contract column, own names first; an alias two columns claim is dropped."""
    names = {normalize(c): c for c in TABLES[table].names}
    claimed: dict[str, set[str]] = {}
    for column, aliases in ALIASES.get(table, {}).items():
        for alias in aliases:
            claimed.setdefault(normalize(alias), set()).add(column)
    for alias, columns in claimed.items():
        if alias not in names and len(columns) == 1:
            names[alias] = next(iter(columns))
    return names


_TARGETS = {name: _targets(name) for name in TABLE_ORDER}


def match_headers(headers: list[str], table: str, *, label: str = "") -> tuple[dict[str, str], list[Problem]]:
    """Which header feeds which contract column.

    A header equal to a contract name wins over an alias; two headers claiming one column
    leave both unmatched and give one problem (never a silent choice).

    Returns
    -------
    renames : dict
        Header as written -> contract column, for the headers that are not already the name.
    problems : list of Problem
        One per column two headers claim.

    Examples
    --------
    >>> renames, problems = match_headers(["Start", "Start Date"], "tasks", label="t.csv")
    >>> renames, [str(p) for p in problems]
    ({}, ["t.csv:1:forecast_start: the columns 'Start', 'Start Date' all look like forecast_start: name one of them in a profile"])
    """
    targets = _TARGETS[table]
    exact = {h for h in headers if h in TABLES[table].names}
    claims: dict[str, list[str]] = {}
    for header in headers:
        if header in exact:
            continue
        column = targets.get(normalize(header))
        if column is not None and column not in exact:
            claims.setdefault(column, []).append(header)
    renames, problems = {}, []
    for column, claimants in claims.items():
        if len(claimants) == 1:
            renames[claimants[0]] = column
        else:
            listed = ", ".join(f"'{h}'" for h in claimants)
            problems.append(Problem(label, 1, column, f"the columns {listed} all look like {column}: "
                                                      "name one of them in a profile"))
    return renames, problems


def nearest_column(missing: str, headers: list[str]) -> str | None:
    """The header that most resembles a missing contract column, if any is close.

    Examples
    --------
    >>> nearest_column("baseline_finish", ["Task", "Basline Finish", "Cost"])
    'Basline Finish'
    """
    by_norm = {normalize(h): h for h in headers}
    close = difflib.get_close_matches(normalize(missing), list(by_norm), n=1, cutoff=0.6)
    return by_norm[close[0]] if close else None


def table_for_name(stem: str) -> str | None:
    """The table a file or sheet called ``stem`` holds, by its name or a usual alias.

    Examples
    --------
    >>> table_for_name("Task_Table1"), table_for_name(" Risks "), table_for_name("status-updates")
    (None, 'risks', 'status_updates')
    """
    key = normalize(stem)
    for table in TABLE_ORDER:
        if key == normalize(table):
            return table
    return None


def suggest_table(stem: str) -> str | None:
    """The table an unused file or sheet most resembles (by name or usual alias), for a warning.

    Examples
    --------
    >>> suggest_table("Risk Register"), suggest_table("Task_Table1"), suggest_table("Summary")
    ('risks', 'tasks', None)
    """
    key = normalize(stem)
    names = {normalize(t): t for t in TABLE_ORDER}
    for table, aliases in TABLE_ALIASES.items():
        names.update({normalize(a): table for a in aliases})
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


def find_header_row(top: list[list[str]], table: str) -> int | None:
    """The 1-based row among ``top`` (the first rows) that holds the headers, when it is not the first.

    Only said when the first row names fewer than two contract columns and a later row names
    at least two more: a title or a blank line above the headers.

    Examples
    --------
    >>> find_header_row([["Project list, November"], [], ["Project ID", "Project Name", "PM"]], "projects")
    3
    >>> find_header_row([["project_id", "name"], ["P1", "A"]], "projects") is None
    True
    """
    targets = _TARGETS[table]
    counts = [len({targets[k] for k in (normalize(c) for c in row) if k in targets}) for row in top]
    if not counts or counts[0] >= 2:
        return None
    best = max(range(len(counts)), key=lambda i: counts[i])
    return best + 1 if counts[best] >= counts[0] + 2 else None
