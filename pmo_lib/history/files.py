"""A history carried in a data folder: ``history/`` with the snapshot tables as CSV.

A portfolio folder may hold a ``history/`` folder of earlier periods (the
sample does: ``pmo-report sample`` writes it): ``projects.csv``,
``milestones.csv``, ``risks.csv`` and ``rollups.csv``, each the snapshot table
of docs/history.md with a leading ``status_date`` column. A run shows those
periods in its trends where the store has none of its own for that date;
they are not copied into the store.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmo_lib.errors import HistoryError
from pmo_lib.files import write_text
from pmo_lib.history.schema import BOOL_COLUMNS, TEXT_COLUMNS
from pmo_lib.history.series import FRAMES, TrendHistory, normalise

HISTORY_FOLDER = "history"


def write_history_files(history: TrendHistory, folder: Path) -> list[Path]:
    """Write the four snapshot tables of ``history`` as CSV files in ``folder`` (atomically, each)."""
    written = []
    for name in FRAMES:
        frame = getattr(history, name).copy()
        text = _format(frame)
        written.append(write_text(Path(folder) / f"{name}.csv", text))
    return written


def _format(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, float_format="%.10g", lineterminator="\n")


def read_history_files(folder: Path, *, key: str) -> TrendHistory | None:
    """The history in ``folder`` (None when the folder is absent).

    Raises
    ------
    HistoryError
        A file cannot be read; the message names it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None
    parts = {}
    for name in FRAMES:
        file = folder / f"{name}.csv"
        if not file.is_file():
            continue
        try:
            frame = pd.read_csv(file, dtype=dict.fromkeys(TEXT_COLUMNS | {"task_id", "risk_id", "title", "level"},
                                                          str),
                                keep_default_na=False, na_values=[""])
        except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
            raise HistoryError(f"{file}: cannot be read ({str(exc).splitlines()[0]})") from None
        if "status_date" not in frame:
            raise HistoryError(f"{file}: has no status_date column")
        for column in BOOL_COLUMNS & set(frame.columns):
            frame[column] = frame[column].astype("boolean")
        parts[name] = normalise(frame, name)
    return TrendHistory(key, **parts)
