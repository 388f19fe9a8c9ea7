"""Generate a fictional, realistic sample portfolio: Northwind Utilities.

The sample is what every report shows out of the box, what the tests run on
and, at larger sizes, what the benchmarks load. :func:`generate_portfolio`
returns one DataFrame per table of the data contract (:mod:`pmo_lib.data.schema`),
with the contract's columns and the dtypes the loader gives them;
:func:`write_portfolio` writes them as the CSV files a PMO would supply.

Every project carries a *story* fixed by its position in a cycle of 24 slots,
so the same project ids tell the same story whatever the seed (the seed only
moves the numbers). With the default 24 projects:

=========  ================  ==============================================
project    story             what a report should show
=========  ================  ==============================================
PRJ-003    watermelon        manager says green, SPI and CPI below 0.85
PRJ-005    closed            status closed, every task 100 %, costs final
PRJ-006    amber risk        an open risk scoring 15-16, mitigation on time
PRJ-008    late              SPI below 0.85; a risk scoring 20 and an open
                             critical issue (red)
PRJ-010    amber schedule    SPI between 0.85 and 0.95
PRJ-011    budget exceeded   task budgets sum above the approved budget
PRJ-013    over budget       CPI below 0.85; an open critical issue (red)
PRJ-015    finish warning    one task has actual_finish at < 100 %
PRJ-017    on hold           status on_hold, no work or spend for 5-7 weeks;
                             three risk mitigations overdue (red)
PRJ-019    amber issue       an open high issue, not yet due
PRJ-020    stale update      latest status update older than 30 days; a
                             critical issue opened since, overdue (red)
PRJ-022    not started       all tasks start after the status date
PRJ-023    amber cost        CPI between 0.85 and 0.95
others     healthy           SPI and CPI between 0.95 and about 1.06
=========  ================  ==============================================

The risk, issue and milestone RAGs follow the stories too: only the late,
over-budget and watermelon projects draw risks freely (scores of 20 and
more) and leave many actions overdue; elsewhere risks score at most 12 and
nearly every overdue risk mitigation or issue has been given a new date, so
the 24 projects read about 15 green, 4-5 amber and 5 red overall
(:class:`pmo_lib.analysis.core.PortfolioAnalysis`). Sound projects still turn
amber now and then by chance (a milestone slipping over two weeks, a rare
risk of 15-16 or open high issue), more often with other seeds.

Examples
--------
>>> import datetime
>>> tables = generate_portfolio(projects=2, seed=1, status_date=datetime.date(2026, 11, 20))
>>> list(tables) == list(TABLE_ORDER)
True
>>> tables["projects"]["program"].tolist()
['Digital Customer', 'Digital Customer']
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.data.sample.common import _frame
from pmo_lib.data.sample.plan import (
    _costs,
    _fit_progress,
    _plan_projects,
    _projects_table,
    _resources,
    _tasks,
    _tasks_table,
    _teams,
)
from pmo_lib.data.sample.registers import (
    _assignments,
    _changes,
    _demand,
    _issues,
    _risks,
    _status_updates,
)
from pmo_lib.data.schema import TABLE_ORDER
from pmo_lib.files import write_text


def _scale_for(projects: int) -> int:
    return int(min(max(round(projects / 125), 1), 8))


def generate_portfolio(
    *,
    projects: int = 24,
    seed: int = 7,
    status_date: datetime.date,
    tasks_per_project: tuple[int, int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate a fictional portfolio for the utility Northwind Utilities.

    The projects sit in four programs and each carries a story (healthy, late,
    over budget, watermelon, ...; see the module docstring) fixed by its
    position in a cycle of 24, so the default 24 projects hold one of each.
    Everything is drawn from ``numpy.random.default_rng(seed)`` in a fixed
    order: the same arguments always give the same tables.

    Sizes grow with a scale ``s = clip(round(projects / 125), 1, 8)``: 1 up to
    187 projects, 8 from 938. A project has between ``6 s`` and ``20 s`` tasks
    (6-20 by default, about 100 at 1,000 projects), ``1 + Poisson(1.5 + 5 (s - 1))``
    cost lines a week, a team of its manager and ``3 + 2 (s - 1)`` to
    ``6 + 3 (s - 1)`` others, and there are
    ``max(30, 1.25 * projects)`` resources and ``max(15, 0.625 * projects)``
    demand requests. 1,000 projects give about 100,000 tasks, a million cost
    lines and half a million assignment rows.

    Parameters
    ----------
    projects : int
        Number of projects (at least 1).
    seed : int
        Seed of the random generator.
    status_date : datetime.date
        The "today" of the data: costs, actuals and updates stop here (an
        ISO ``YYYY-MM-DD`` string is accepted too).
    tasks_per_project : tuple of int, optional
        ``(fewest, most)`` tasks per project, overriding the scale (at least 5).

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per table, in contract order, with the contract's columns
        (in order) and the dtypes of :func:`pmo_lib.data.schema.empty_frame_dtypes`.

    Raises
    ------
    ValueError
        ``projects`` is below 1 or ``tasks_per_project`` is not a range of at least 5.

    Examples
    --------
    >>> import datetime
    >>> tables = generate_portfolio(projects=3, seed=7, status_date=datetime.date(2026, 11, 20))
    >>> tables["projects"][["project_id", "status"]].to_string(index=False)
    'project_id status\\n   PRJ-001 active\\n   PRJ-002 active\\n   PRJ-003 active'
    >>> bool(tables["tasks"].groupby("project_id").size().between(6, 20).all())
    True
    >>> tables["costs"]["date"].max() <= pd.Timestamp("2026-11-20")
    True
    """
    if int(projects) < 1:
        raise ValueError(f"projects must be at least 1, not {projects}")
    projects = int(projects)
    scale = _scale_for(projects)
    low, high = tasks_per_project or (6 * scale, 20 * scale)
    if not 5 <= low <= high:
        raise ValueError(f"tasks_per_project must be (fewest, most) with 5 <= fewest <= most, not {(low, high)}")
    rng = np.random.default_rng(seed)
    today = int(pd.Timestamp(status_date).to_datetime64().astype("datetime64[D]").astype(np.int64))

    people = _resources(rng, max(30, round(1.25 * projects)))
    plan = _plan_projects(rng, projects, today, people)
    team = _teams(rng, plan, people, scale)
    work = _tasks(rng, plan, team, people, (low, high))
    _fit_progress(rng, plan, work, today)
    cost = _costs(rng, plan, work, today, scale)
    tables = {
        "projects": _projects_table(plan),
        "tasks": _tasks_table(plan, work),
        "costs": cost,
        "risks": _risks(rng, plan, team, people, today),
        "issues": _issues(rng, plan, team, people, today),
        "resources": _frame("resources", {
            "resource_id": people["id"], "name": people["name"], "role": people["role"],
            "capacity_hours_per_week": people["capacity"], "cost_rate": people["rate"],
        }),
        "assignments": _assignments(rng, plan, team, people, today),
        "changes": _changes(rng, plan, today),
        "status_updates": _status_updates(rng, plan, work, today),
        "demand": _demand(rng, projects, today),
    }
    return {name: tables[name] for name in TABLE_ORDER}


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _csv_column(values: pd.Series) -> pd.Series | np.ndarray:
    """One column as the text the CSV holds (missing values as empty cells)."""
    if pd.api.types.is_bool_dtype(values):
        return np.where(values.to_numpy(), "true", "false")
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.to_numpy().astype("datetime64[D]").astype(str)
        return np.where(values.isna().to_numpy(), "", text)
    if pd.api.types.is_float_dtype(values):
        number = np.round(values.to_numpy(dtype=float), 2) + 0.0  # + 0.0 turns -0.0 into 0.0
        text = number.astype(str)
        big = np.abs(np.nan_to_num(number)) >= 1e15  # numpy would switch to 1e+16 notation
        text[big] = [f"{x:.2f}" for x in number[big]]
        return np.where(np.isnan(number), "", text)
    return values.astype(object).where(values.notna(), "")


def write_portfolio(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as ``<table>.csv`` in ``out_dir``, atomically.

    Files are UTF-8 with a header row, comma separated, ``\\n`` line ends,
    fields quoted only where they hold a comma, quote or line break. Dates are
    ``YYYY-MM-DD``, booleans ``true``/``false``, numbers plain decimals rounded
    to 2 places (``1250.5``, never ``1.2505e+03``), missing values empty.
    Each file goes to a temporary file in ``out_dir`` first, then replaces the
    old one, so a reader never sees half a file. Other files in ``out_dir``
    are left alone.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Tables by name, as :func:`generate_portfolio` returns them.
    out_dir : str or pathlib.Path
        Folder to write (created if missing).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``tables``.

    Examples
    --------
    >>> import datetime, tempfile
    >>> tables = generate_portfolio(projects=1, seed=3, status_date=datetime.date(2026, 11, 20))
    >>> paths = write_portfolio(tables, tempfile.mkdtemp())
    >>> [p.name for p in paths][:3]
    ['projects.csv', 'tasks.csv', 'costs.csv']
    >>> paths[1].read_text(encoding="utf-8").splitlines()[0]
    'project_id,task_id,name,baseline_start,baseline_finish,percent_complete,budget,is_milestone,forecast_start,forecast_finish,actual_start,actual_finish,owner'
    """
    folder = Path(out_dir)
    written = []
    for name, frame in tables.items():
        text_frame = pd.DataFrame({column: _csv_column(frame[column]) for column in frame.columns},
                                  columns=list(frame.columns), dtype=object)
        text = text_frame.to_csv(index=False, lineterminator="\n")
        written.append(write_text(folder / f"{name}.csv", text))
    return written
