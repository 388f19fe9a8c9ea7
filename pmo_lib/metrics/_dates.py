"""Status-date handling shared by the metric modules (private).

The contract's rule: something dated on or before the status date has
happened, something dated after it has not. Days are calendar days.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

StatusDate = date | pd.Timestamp | str


def status_timestamp(value: StatusDate) -> pd.Timestamp:
    """Return the status date as a midnight, timezone-naive ``pd.Timestamp``.

    Parameters
    ----------
    value : datetime.date, pandas.Timestamp or str
        The status date; a string must be ISO ``YYYY-MM-DD``. A time of day
        is dropped.

    Returns
    -------
    pandas.Timestamp

    Raises
    ------
    ValueError
        If ``value`` is empty, missing or not a date.

    Examples
    --------
    >>> from datetime import date
    >>> status_timestamp(date(2026, 11, 20))
    Timestamp('2026-11-20 00:00:00')
    >>> status_timestamp("2026-11-20") == status_timestamp(pd.Timestamp("2026-11-20 15:30"))
    True
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"status_date must be a date such as 2026-11-20, got {value!r}") from error
    if pd.isna(stamp):
        raise ValueError(f"status_date must be a date such as 2026-11-20, got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize().as_unit("ns")


def whole_days(delta: pd.Series) -> pd.Series:
    """Return a timedelta Series as whole calendar days (``Int64``, ``<NA>`` where missing).

    Examples
    --------
    >>> start = pd.Series(pd.to_datetime(["2026-01-01", None]))
    >>> whole_days(pd.Timestamp("2026-01-31") - start).tolist()
    [30, <NA>]
    """
    return delta.dt.days.astype("Int64")


def happened(dates: pd.Series, status: pd.Timestamp) -> pd.Series:
    """Whether each date is on or before the status date (``False`` where missing).

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-02", None]))
    >>> happened(dates, pd.Timestamp("2026-01-01")).tolist()
    [True, False, False]
    """
    return dates.le(status)
