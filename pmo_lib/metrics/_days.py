"""Whole-day numbers and the undefined-safe ratio that the EVM, earned-schedule and finance metrics share."""

from __future__ import annotations

import numpy as np
import pandas as pd

LAST_DAY = (pd.Timestamp.max.normalize() - pd.Timestamp(0)).days


def day_numbers(values) -> np.ndarray:
    """Return dates as whole days since 1970-01-01, float64 with NaN for NaT.

    Examples
    --------
    >>> day_numbers(pd.Series(pd.to_datetime(["1970-01-11", None]))).tolist()
    [10.0, nan]
    """
    dates = np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]")
    out = dates.astype("int64").astype("float64")
    out[np.isnat(dates)] = np.nan
    return out


def dates_from_days(values) -> np.ndarray:
    """Return ``datetime64[ns]`` dates from day numbers (NaT for NaN or out of range).

    Examples
    --------
    >>> dates_from_days(np.array([10.0, np.nan])).astype(str).tolist()
    ['1970-01-11T00:00:00.000000000', 'NaT']
    """
    days = np.asarray(values, dtype="float64")
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(days) & (np.abs(days) <= LAST_DAY)
    out[ok] = days[ok].astype("int64").astype("datetime64[D]").astype("datetime64[ns]")
    return out


def ratio(numerator, denominator):
    """Divide, giving NaN wherever the denominator is 0 or NaN (or the quotient overflows).

    Examples
    --------
    >>> ratio(pd.Series([1.0, 1.0, 0.0, 1.0]), pd.Series([2.0, 0.0, 0.0, 1e-310])).tolist()
    [0.5, nan, nan, nan]
    """
    with np.errstate(all="ignore"):
        quotient = numerator / np.where(denominator == 0, np.nan, denominator)
        return quotient + np.where(np.isfinite(quotient), 0.0, np.nan)  # never inf; -0.0 becomes 0.0
