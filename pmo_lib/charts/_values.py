"""A chart's data frame as Vega-Lite inline values: Altair's conversion, done column by column.

Altair turns a pandas frame into ``{"values": [records]}`` by copying the
frame, converting each column in place (``astype(object)`` and ``where``)
and calling ``to_dict(orient="records")``: about 5 ms even for a frame of a
few rows, and a project page converts some twenty frames.
:func:`to_values` gives the very same records from one Python list per
column. It handles the column types the chart builders make (text, numbers,
booleans, dates, categories, and object columns of plain values with no
gaps); for anything else (time deltas, nested arrays, gaps in object
columns, column names that are not text, a hierarchical index) it hands
the frame to Altair, which converts it or raises its own error.
``tests/charts/test_values.py`` checks the two agree on every type handled here.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"day": pd.to_datetime(["2026-01-05", None]), "value": [1.5, float("nan")],
...                       "name": ["A", None], "count": [1, 2]})
>>> to_values(frame)["values"]
[{'day': '2026-01-05T00:00:00', 'value': 1.5, 'name': 'A', 'count': 1}, {'day': '', 'value': None, 'name': None, 'count': 2}]
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

_NULLABLE = frozenset({"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
                       "Float32", "Float64", "boolean", "string", "str", "category"})
_PLAIN = (str, int, float, bool)


def _column(series: pd.Series) -> list[Any] | None:
    """The column's values as Altair writes them, or None when Altair must convert it."""
    dtype = series.dtype
    name = str(dtype)
    if name in _NULLABLE:
        values = series.astype(object).tolist()
        return [None if value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value
                for value in values]
    if name.startswith("datetime"):
        return ["" if value is pd.NaT else value.isoformat() for value in series.tolist()]
    if not isinstance(dtype, np.dtype):
        return None
    if dtype.kind in "biu":  # booleans and integers (not time deltas, which Altair refuses)
        return series.tolist()
    if dtype.kind == "f":
        return [value if math.isfinite(value) else None for value in series.tolist()]
    if dtype.kind == "O":
        # Plain values only, and no missing ones: Altair's handling of gaps in object columns
        # depends on the other values (pandas 3 turns some into NaN): it converts those itself.
        values = series.tolist()
        plain = all(isinstance(value, _PLAIN) and not (isinstance(value, float) and math.isnan(value))
                    for value in values)
        return values if plain else None
    return None


def to_values(data) -> dict[str, Any]:
    """``{"values": records}`` of a data frame, exactly as Altair's default data transformer gives it.

    Parameters
    ----------
    data : DataFrame or anything Altair accepts as chart data
        A frame with text column names and a flat index is converted here;
        anything else goes to Altair's own transformer, with no row limit
        (a report draws all of its data).

    Returns
    -------
    dict
    """
    if isinstance(data, pd.DataFrame) and not isinstance(data.index, pd.MultiIndex) and not isinstance(
            data.columns, (pd.MultiIndex, pd.RangeIndex)) and data.columns.is_unique and all(
            isinstance(c, str) for c in data.columns):
        columns = {}
        for name in data.columns:
            values = _column(data[name])
            if values is None:
                break
            columns[name] = values
        else:
            names = list(columns)
            return {"values": [dict(zip(names, row)) for row in zip(*columns.values())]
                    if names else [{} for _ in range(len(data))]}
    return alt.data.default_data_transformer(data, max_rows=None)
