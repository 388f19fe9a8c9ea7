"""Writing files: atomically, so a reader never sees a half-written file.

Every file pmo-reports produces goes through :func:`write_text` or
:func:`write_bytes`: the content goes to a temporary file in the same folder,
is flushed to disk, then replaces the target with ``os.replace``. A run
killed part-way leaves the previous version of each file intact.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import TextIO

import pandas as pd


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "sub" / "a.txt"
    >>> write_bytes(target, b"hello").read_bytes()
    b'hello'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically and return the path."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, value) -> Path:
    """Write ``value`` as indented JSON atomically (NaN becomes null)."""
    return write_text(path, json.dumps(_json_safe(value), indent=2, ensure_ascii=False) + "\n")


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


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
