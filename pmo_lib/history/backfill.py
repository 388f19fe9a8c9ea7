"""``pmo-report history import``: backfill the store from run folders written before it existed.

Every folder directly under the output root that holds a ``manifest.json``
and a ``metrics.csv`` becomes one snapshot: its projects' metrics, and the
program and portfolio roll-ups recomputed from them with the run's own RAG
thresholds. Milestones and risks are not in a run folder, so imported periods
have none. All folders are read and checked before anything is written, and
all snapshots are written in one transaction.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pmo_lib.errors import HistoryError
from pmo_lib.history.schema import DATE_COLUMNS, TEXT_COLUMNS
from pmo_lib.history.snapshot import Snapshot, snapshot_from_metrics
from pmo_lib.metrics.status import RagThresholds


def _thresholds(parameters: dict) -> RagThresholds:
    bands = (parameters or {}).get("rag_thresholds") or {}
    spi, cpi = bands.get("spi") or {}, bands.get("cpi") or {}
    defaults = RagThresholds()
    return RagThresholds(spi_green=float(spi.get("green", defaults.spi_green)),
                         spi_amber=float(spi.get("amber", defaults.spi_amber)),
                         cpi_green=float(cpi.get("green", defaults.cpi_green)),
                         cpi_amber=float(cpi.get("amber", defaults.cpi_amber)))


def read_run_folder(folder: Path) -> Snapshot:
    """The snapshot of one finished run folder (manifest and metrics table).

    Raises
    ------
    HistoryError
        The manifest or metrics table cannot be read; the message names the file.
    """
    manifest_file, metrics_file = folder / "manifest.json", folder / "metrics.csv"
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        status_date = pd.Timestamp(manifest["status_date"]).date()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise HistoryError(f"{manifest_file}: not a readable run manifest with a status_date "
                           f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    try:
        text = dict.fromkeys(TEXT_COLUMNS, str)
        metrics = pd.read_csv(metrics_file, dtype=text, keep_default_na=False, na_values=[""])
        for column in DATE_COLUMNS & set(metrics.columns):
            metrics[column] = pd.to_datetime(metrics[column], errors="raise", format="ISO8601")
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise HistoryError(f"{metrics_file}: cannot be read as a metrics table "
                           f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    missing = {"project_id", "bac", "pv", "ev", "ac", "overall_rag"} - set(metrics.columns)
    if missing:
        raise HistoryError(f"{metrics_file}: not a metrics table (no column {', '.join(sorted(missing))})")
    return snapshot_from_metrics(metrics, portfolio_name=str(manifest.get("portfolio_name") or "Portfolio"),
                                 status_date=status_date, thresholds=_thresholds(manifest.get("parameters")),
                                 source=str(folder),
                                 data_fingerprint=(manifest.get("data") or {}).get("fingerprint"))


def run_folders(root: Path) -> list[Path]:
    """The finished run folders directly under ``root`` (a manifest and a metrics table), by name."""
    if not root.is_dir():
        raise HistoryError(f"{root}: no such output folder")
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and (p / "manifest.json").is_file() and (p / "metrics.csv").is_file())


def read_output_root(root: Path) -> list[Snapshot]:
    """Every run folder's snapshot, oldest status date first (all read before any is written)."""
    snapshots = [read_run_folder(folder) for folder in run_folders(root)]
    return sorted(snapshots, key=lambda s: s.status_date)
