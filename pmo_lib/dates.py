"""Status dates: parse what a person or a scheduler types.

Examples
--------
>>> parse_status_date("2026-11-20")
datetime.date(2026, 11, 20)
>>> parse_status_date("last-friday", today=datetime.date(2026, 11, 25))
datetime.date(2026, 11, 20)
>>> parse_status_date("last-friday", today=datetime.date(2026, 11, 20))
datetime.date(2026, 11, 13)
"""

from __future__ import annotations

import datetime

_FRIDAY = 4


def parse_status_date(text: str, *, today: datetime.date | None = None) -> datetime.date:
    """Turn ``YYYY-MM-DD``, ``today`` or ``last-friday`` into a date.

    ``last-friday`` is the most recent Friday strictly before today, so a
    weekly Friday-evening run that starts after midnight still reports the
    Friday just ended. ``today`` is only read here, at the command line: the
    library itself always takes the status date as an argument.

    Raises
    ------
    ValueError
        The text is none of the accepted forms.
    """
    value = str(text).strip().lower()
    current = today or datetime.date.today()
    if value == "today":
        return current
    if value in ("last-friday", "last_friday"):
        back = (current.weekday() - _FRIDAY) % 7 or 7
        return current - datetime.timedelta(days=back)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, 'today' or 'last-friday'") from None
