"""One project's rows of a portfolio-wide table, through an index built once per table.

A project page takes its project's rows from tables that hold every
project: tasks, costs, assignments, risks, the history's snapshots. Comparing
the whole ``project_id`` column with the project's id costs time in
proportion to the portfolio, on every page, so a run's pages together cost
the square of the portfolio's size (a million cost lines at 1,000 projects).
:func:`rows_of` groups a table's rows by project once, remembers the row
positions while the table lives, and takes each project's rows by position:
the same rows, in the same order, with the same index labels and column
types as the comparison gives.

The index is kept for the table object and its length; the report views
treat an analysis's tables as read-only, which is what makes this safe.

Examples
--------
>>> import pandas as pd
>>> tasks = pd.DataFrame({"project_id": ["P1", "P2", "P1", None], "hours": [1, 2, 3, 4]})
>>> rows_of(tasks, "P1")
  project_id  hours
0         P1      1
2         P1      3
>>> rows_of(tasks, "P9").empty
True
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from pmo_lib.reports.memo import remember


def rows_of(frame: pd.DataFrame, value: Hashable, column: str = "project_id") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` equals ``value``: ``frame[frame[column] == value]``.

    Parameters
    ----------
    frame : DataFrame
        A table the caller does not change while it uses this.
    value : hashable
        A project id (or a value of ``column``); missing values match nothing.
    column : str, default "project_id"

    Returns
    -------
    DataFrame
    """
    index = remember(frame, ("rows_of", column),
                     lambda: frame.groupby(column, sort=False, observed=True, dropna=True).indices,
                     stamp=len(frame))
    positions = index.get(value)
    return frame.iloc[positions if positions is not None else np.empty(0, dtype=np.intp)]
