"""What a report view reads besides the analysis: the previous run's metrics, for trends.

The analysis itself comes from :func:`pmo_lib.analysis.handoff.load_analysis`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_previous_metrics(path: str) -> pd.DataFrame | None:
    """The metrics table of an earlier run, for trends; None when there is none."""
    if not path:
        return None
    file = Path(path)
    if not file.is_file():
        return None
    try:
        return pd.read_csv(file, dtype={"project_id": str, "program": str})
    except (OSError, ValueError, pd.errors.ParserError):
        return None
