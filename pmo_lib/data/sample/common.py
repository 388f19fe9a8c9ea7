"""Small vectorised helpers the sample generator shares: dates, frames, ids, picks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.data.schema import TABLES, empty_frame_dtypes


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _dates(days) -> np.ndarray:
    """Whole days since 1970-01-01 (NaN = missing) as ``datetime64[ns]``."""
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnan(days)
    out[ok] = days[ok].astype(np.int64).astype("datetime64[D]")
    return out


NOT_GENERATED = {"tasks": ("predecessors",)}
"""Optional contract columns the sample leaves out (its files stay as they were; the loader gives the default)."""


def _frame(table: str, data: dict) -> pd.DataFrame:
    """Build table ``table`` from columns, in contract order and loader dtypes."""
    spec = TABLES[table]
    names = [c for c in spec.names if c not in NOT_GENERATED.get(table, ())]
    assert sorted(data) == sorted(names), (table, sorted(set(data) ^ set(names)))
    dtypes = empty_frame_dtypes(table)
    columns = {}
    for col in (c for c in spec.columns if c.name in names):
        values = data[col.name]
        if col.kind == "category":
            columns[col.name] = pd.Categorical(values, categories=list(col.choices))
        elif col.kind == "date":
            columns[col.name] = pd.Series(_dates(values))
        else:
            columns[col.name] = pd.Series(values, dtype=dtypes[col.name])
    return pd.DataFrame(columns)


def _pick(rng: np.random.Generator, counts: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row ``i`` takes ``counts[i]`` distinct columns, likelier where ``weights[i]`` is larger."""
    keys = rng.exponential(size=weights.shape) / np.maximum(weights, 1e-9)
    order = np.argsort(keys, axis=1, kind="stable")
    take = np.arange(weights.shape[1]) < np.minimum(counts, weights.shape[1])[:, None]
    return np.nonzero(take)[0], order[take]


def _within(groups: np.ndarray) -> np.ndarray:
    """Position of each element inside its run of equal, contiguous ``groups``."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, groups[1:] != groups[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - first


def _ids(prefix: str, numbers: np.ndarray, width: int) -> list[str]:
    return [f"{prefix}{n:0{width}d}" for n in numbers]


def _round_to(values: np.ndarray, step: float) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) / step) * step + 0.0


def _workday(days: np.ndarray, *, later: bool) -> np.ndarray:
    """Move Saturdays and Sundays to the next Monday (``later``) or the previous Friday."""
    days = np.asarray(days, dtype=float)
    weekday = np.mod(days, 7)  # 0 Thursday, 1 Friday, 2 Saturday, 3 Sunday (1970-01-01 was a Thursday)
    shift = np.where(weekday == 2, 2, np.where(weekday == 3, 1, 0)) if later else \
        np.where(weekday == 2, -1, np.where(weekday == 3, -2, 0))
    return days + shift


def _rag(index: np.ndarray) -> np.ndarray:
    """0 green, 1 amber, 2 red from an SPI or CPI (undefined counts as green)."""
    return np.where(np.isnan(index) | (index >= 0.95), 0, np.where(index >= 0.85, 1, 2))


