"""Red/amber/green/grey ratings from boolean conditions (private)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rag(*, red: pd.Series, amber: pd.Series, known: pd.Series) -> pd.Series:
    """Return ``grey`` where not ``known``, else ``red``, ``amber`` or ``green``, in that order.

    Examples
    --------
    >>> flags = pd.Series([True, False, False, False])
    >>> rag(red=flags, amber=pd.Series([True, True, False, True]),
    ...     known=pd.Series([True, True, True, False])).tolist()
    ['red', 'amber', 'green', 'grey']
    """
    values = np.select([~known, red, amber], ["grey", "red", "amber"], "green")
    return pd.Series(values, index=known.index, dtype="str")
