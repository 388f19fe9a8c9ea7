"""The in-memory portfolio: one typed DataFrame per table of the data contract."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pmo_lib.data.schema import TABLE_ORDER, TABLES, empty_frame_dtypes


def empty_table(name: str) -> pd.DataFrame:
    """Return an empty DataFrame with the columns and dtypes of table ``name``.

    Examples
    --------
    >>> frame = empty_table("risks")
    >>> list(frame.columns)[:4]
    ['project_id', 'risk_id', 'title', 'probability']
    >>> len(frame)
    0
    """
    dtypes = empty_frame_dtypes(name)
    frame = pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in TABLES[name].names})
    for col in TABLES[name].columns:
        if col.kind == "category":
            frame[col.name] = pd.Categorical([], categories=list(col.choices))
    return frame


@dataclass
class Portfolio:
    """A loaded portfolio.

    Every attribute named after a table holds that table as a DataFrame with
    the contract's columns (in contract order, extra columns after them) and
    dtypes (see :mod:`pmo_lib.data.schema`). Optional tables that were not supplied
    are empty frames with the right columns; ``supplied`` says which were.

    Attributes
    ----------
    source : str
        The folder or workbook the data came from.
    supplied : frozenset of str
        Names of the tables present in the source.
    warnings : list
        :class:`pmo_lib.problems.Problem` warnings found while loading.
    """

    projects: pd.DataFrame = field(default_factory=lambda: empty_table("projects"))
    tasks: pd.DataFrame = field(default_factory=lambda: empty_table("tasks"))
    costs: pd.DataFrame = field(default_factory=lambda: empty_table("costs"))
    risks: pd.DataFrame = field(default_factory=lambda: empty_table("risks"))
    issues: pd.DataFrame = field(default_factory=lambda: empty_table("issues"))
    resources: pd.DataFrame = field(default_factory=lambda: empty_table("resources"))
    assignments: pd.DataFrame = field(default_factory=lambda: empty_table("assignments"))
    changes: pd.DataFrame = field(default_factory=lambda: empty_table("changes"))
    status_updates: pd.DataFrame = field(default_factory=lambda: empty_table("status_updates"))
    demand: pd.DataFrame = field(default_factory=lambda: empty_table("demand"))
    source: str = ""
    supplied: frozenset[str] = frozenset()
    warnings: list = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        """Return the table called ``name``."""
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLE_ORDER)}")
        return getattr(self, name)

    def has(self, name: str) -> bool:
        """Whether table ``name`` was supplied (and so a report section can use it)."""
        return name in self.supplied

    def date_range(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The earliest and latest date in any table, or None when there is none."""
        found = [frame[column] for name in TABLE_ORDER for frame in [self.table(name)]
                 for column in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[column])]
        values = [v for series in found for v in (series.min(), series.max()) if pd.notna(v)]
        return (min(values), max(values)) if values else None

    def counts(self) -> dict[str, int]:
        """Number of rows per table."""
        return {name: len(self.table(name)) for name in TABLE_ORDER}
