"""The metrics table as a file: ``metrics.csv`` of a run, or CSV / JSON on standard output."""

from __future__ import annotations

import json
import math
from typing import TextIO

import pandas as pd


def metrics_records(table: pd.DataFrame) -> list[dict]:
    """The metrics table as JSON-ready records: dates ISO, undefined values None.

    Examples
    --------
    >>> import numpy as np
    >>> frame = pd.DataFrame({"spi": [0.5, np.nan], "d": pd.to_datetime(["2024-01-02", None])})
    >>> metrics_records(frame)
    [{'spi': 0.5, 'd': '2024-01-02'}, {'spi': None, 'd': None}]
    """
    records = []
    columns = list(table.columns)
    for row in table.itertuples(index=False, name=None):
        records.append({c: _plain(v) for c, v in zip(columns, row)})
    return records


def _plain(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def format_metrics(table: pd.DataFrame, *, fmt: str = "csv") -> str:
    """Render the metrics table as CSV (undefined = empty cell) or a JSON array.

    Numbers are printed with up to 10 significant digits in CSV; dates ISO.

    Examples
    --------
    >>> import numpy as np
    >>> print(format_metrics(pd.DataFrame({"a": ["P1"], "spi": [2 / 3], "cpi": [np.nan]})), end="")
    a,spi,cpi
    P1,0.6666666667,
    """
    if fmt == "json":
        return json.dumps(metrics_records(table), ensure_ascii=False, indent=1) + "\n"
    frame = table.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame.to_csv(index=False, float_format="%.10g", lineterminator="\n")


def write_metrics(table: pd.DataFrame, stream: TextIO, *, fmt: str = "csv") -> None:
    """Write the metrics table to an open text stream."""
    stream.write(format_metrics(table, fmt=fmt))
