"""Results remembered per object while the object lives: work a run's pages share.

Many pages of one run ask the same question of the same object (every
project page needs the portfolio's decisions, or a table's rows grouped by
project); :func:`remember` computes the answer once per object and key, and
forgets it when the object is garbage-collected. A ``stamp`` (the table's
length, say) that differs from the one remembered computes the answer anew.

Examples
--------
>>> class Box: pass
>>> box, calls = Box(), []
>>> remember(box, "twice", lambda: calls.append(1) or 42), remember(box, "twice", lambda: calls.append(1) or 42)
(42, 42)
>>> len(calls)
1
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_remembered: dict[tuple[int, Hashable], tuple[weakref.ref, Any, Any]] = {}


def remember(owner: Any, key: Hashable, compute: Callable[[], T], *, stamp: Any = None) -> T:
    """``compute()``, computed once per live ``owner``, ``key`` and ``stamp``.

    Parameters
    ----------
    owner : object
        What the answer is about; it must support weak references (a
        DataFrame or a PortfolioAnalysis does) and must not change in ways
        ``stamp`` does not show.
    key : hashable
        Which answer (with its arguments).
    compute : callable
        Called with no arguments when the answer is not known.
    stamp : optional
        Compared with the remembered stamp; a different one computes anew.

    Returns
    -------
    The answer.
    """
    slot = (id(owner), key)
    with _lock:
        entry = _remembered.get(slot)
    if entry is not None and entry[0]() is owner and entry[1] == stamp:
        return entry[2]
    value = compute()

    def forget(ref, slot=slot):
        with _lock:
            if slot in _remembered and _remembered[slot][0] is ref:
                del _remembered[slot]

    with _lock:
        _remembered[slot] = (weakref.ref(owner, forget), stamp, value)
    return value
