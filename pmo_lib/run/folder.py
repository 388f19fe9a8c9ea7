"""Read a finished run folder: its manifest, metrics table, executed notebooks and people.

``pmo-report run`` writes the folder; this module only reads it, for the
steps that come after a run (e-mail distribution). Every path taken from the
manifest is checked to stay inside the run folder.

Examples
--------
>>> run = RunFolder.open("output/2026-11-20")  # doctest: +SKIP
>>> [r["key"] for r in run.reports][:2]  # doctest: +SKIP
['portfolio/portfolio', 'programs/corporate-systems']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from pmo_lib.errors import PmoError


class RunFolderError(PmoError):
    """The run folder is missing, incomplete or its manifest cannot be read."""


@dataclass(frozen=True)
class RunFolder:
    """A finished run folder and its manifest.

    Attributes
    ----------
    path : Path
        The run folder (``output/2026-11-20``).
    manifest : dict
        ``manifest.json`` as written by the runner.
    """

    path: Path
    manifest: dict

    @classmethod
    def open(cls, path: str | Path) -> RunFolder:
        """Read ``manifest.json`` of a run folder.

        Raises
        ------
        RunFolderError
            The folder or its manifest is missing or not valid JSON.
        """
        folder = Path(path).resolve()
        file = folder / "manifest.json"
        if not file.is_file():
            raise RunFolderError(f"{folder}: not a run folder (no manifest.json); give the --out folder of "
                                 "'pmo-report run'")
        try:
            manifest = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RunFolderError(f"{file}: cannot be read ({exc})") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("reports"), list):
            raise RunFolderError(f"{file}: has no 'reports' list; was the run finished?")
        return cls(folder, manifest)

    @property
    def reports(self) -> list[dict]:
        """The manifest's report entries, in run order."""
        return list(self.manifest["reports"])

    @property
    def status_date(self) -> str:
        return str(self.manifest.get("status_date") or "")

    @property
    def portfolio_name(self) -> str:
        return str(self.manifest.get("portfolio_name") or "Portfolio")

    @property
    def currency(self) -> str:
        return str((self.manifest.get("parameters") or {}).get("currency") or "EUR")

    def file(self, relative: str | None) -> Path | None:
        """A file of the run named in the manifest, or None if unnamed or outside the folder."""
        if not relative:
            return None
        target = (self.path / relative).resolve()
        return target if target.is_relative_to(self.path) else None

    def notebook(self, entry: dict):
        """The executed notebook of a report entry (``nbformat`` node).

        Raises
        ------
        RunFolderError
            When the notebook is missing or unreadable.
        """
        import nbformat

        file = self.file(entry.get("notebook"))
        if file is None or not file.is_file():
            raise RunFolderError(f"{entry.get('key')}: executed notebook {entry.get('notebook')!r} not found "
                                 f"in {self.path}")
        try:
            return nbformat.read(file, as_version=4)
        except Exception as exc:
            raise RunFolderError(f"{file}: cannot be read as a notebook ({exc})") from None

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """``metrics.csv``: one row per project, ids and names as text (empty table if absent)."""
        file = self.path / "metrics.csv"
        if not file.is_file():
            return pd.DataFrame(columns=["project_id", "name", "program"])
        return pd.read_csv(file, dtype={"project_id": str, "name": str, "program": str},
                           keep_default_na=False, na_values=[""])

    def metrics_row(self, project_id: str) -> pd.Series | None:
        """The metrics row of one project, or None."""
        rows = self.metrics[self.metrics["project_id"] == project_id]
        return None if rows.empty else rows.iloc[0]

    @cached_property
    def people(self) -> pd.DataFrame:
        """``project_id, manager, sponsor`` from the run's data (the ``projects`` table).

        Raises
        ------
        RunFolderError
            When the run's data can no longer be read.
        """
        from pmo_lib.data.reading import read_tables

        source = (self.manifest.get("data") or {}).get("path")
        if not source:
            raise RunFolderError(f"{self.path / 'manifest.json'}: names no data path, so the projects' "
                                 "managers and sponsors are unknown")
        try:
            tables, _ = read_tables(source)
        except PmoError as exc:
            raise RunFolderError(f"the run's data cannot be read for managers and sponsors: {exc}") from None
        if "projects" not in tables:
            raise RunFolderError(f"{source}: has no projects table (managers and sponsors)")
        frame = tables["projects"].frame
        columns = [c for c in ("project_id", "manager", "sponsor") if c in frame.columns]
        return frame[columns].copy()
