"""Builders for small, typed test tables (as the loader would produce them)."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.data.schema import TABLES
from pmo_lib.data.tables import empty_table


def build_table(table_name: str, /, **columns: list) -> pd.DataFrame:
    """Return table ``table_name`` holding ``columns``; other columns get the loader's empty value."""
    template = empty_table(table_name)
    rows = len(next(iter(columns.values()))) if columns else 0
    data = {}
    for col in TABLES[table_name].columns:
        values = columns.get(col.name)
        if values is None:
            empty = "" if col.kind in ("id", "text") else col.default
            values = [empty] * rows
        if col.kind == "date":
            data[col.name] = pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ns]")
        elif col.kind == "category":
            data[col.name] = pd.Categorical(values, categories=list(col.choices))
        else:
            data[col.name] = pd.Series(values, dtype=template[col.name].dtype)
    unknown = set(columns) - set(data)
    assert not unknown, f"not columns of {table_name}: {unknown}"
    return pd.DataFrame(data)


@pytest.fixture
def table():
    """The :func:`build_table` builder."""
    return build_table
