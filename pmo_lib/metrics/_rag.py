"""Red/amber/green/grey ratings from boolean conditions (private)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rag(*, red: pd.Series, amber: pd.Series, known: pd.Series) -> pd.Series:
    """Return ``grey`` where not ``known``, else ``red``, ``amber`` or ``green``, in that order.

    Examples
    --------
    >>> flags = pd.Series([True, False, False, False])
    >>> rag(red=flags, amber=pd.Series([True, True, False, True]),
    ...     known=pd.Series([True, True, True, False])).tolist()
    ['red', 'amber', 'green', 'grey']
    """
    values = np.select([~known, red, amber], ["grey", "red", "amber"], "green")
    return pd.Series(values, index=known.index, dtype="str")


def per_project(projects: pd.DataFrame, summary: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    """Return ``summary`` (indexed by ``project_id``) with one row per project in ``projects``.

    Rows are sorted by project; a project missing from ``summary`` gets 0 in
    the ``counts`` columns (made ``int64``) and a missing value elsewhere.

    Examples
    --------
    >>> summary = pd.DataFrame({"open": [2], "worst": [9.0]}, index=pd.Index(["P2"], name="project_id"))
    >>> per_project(pd.DataFrame({"project_id": ["P2", "P1"]}), summary, ["open"]).reset_index()
      project_id  open  worst
    0         P1     0    NaN
    1         P2     2    9.0
    """
    ids = pd.Index(projects["project_id"].sort_values().unique(), name="project_id")
    out = summary.reindex(ids).fillna(dict.fromkeys(counts, 0))
    return out.astype(dict.fromkeys(counts, "int64"))
