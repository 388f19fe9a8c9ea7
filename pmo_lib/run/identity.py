"""Which portfolio a run is of, so that runs of different portfolios in one output root stay apart.

A portfolio is known by its name (``portfolio_name`` of the parameters) and
its projects (the ids in its data). Two runs are of the same portfolio when
their names are equal and at least half of this run's projects are in the
other run (:func:`pmo_lib.history.store.project_share`, the rule the history
store uses for its series): a portfolio may gain and lose projects from week
to week and stay itself, but two portfolios that share a name (the sample's
default name left on another portfolio's data, or two teams both called
"Portfolio") are kept apart.

A run records its identity in ``manifest.json``::

    "portfolio": {"name": "Acme Grid", "projects": 24, "fingerprint": "3f1c…"}

the fingerprint being SHA-256 over the sorted project ids. The ids of an
earlier run come from its ``metrics.csv`` (one row per project of the whole
portfolio), so runs written before the manifest carried the identity are
told apart too.

Examples
--------
>>> ours = PortfolioIdentity("Acme", frozenset({"P1", "P2"}))
>>> ours.to_manifest()["fingerprint"][:12], ours.to_manifest()["projects"]
('40b32a51bef0', 2)
>>> ours.is_same({"portfolio_name": "Acme"}, frozenset({"P1", "P2", "P3"}))
True
>>> ours.is_same({"portfolio_name": "Acme"}, frozenset({"Q1", "Q2"}))
False
>>> ours.is_same({"portfolio_name": "Other"}, frozenset({"P1", "P2"}))
False
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmo_lib.errors import PmoError
from pmo_lib.history.store import SAME_PORTFOLIO_SHARE, project_share


class OtherPortfolioError(PmoError):
    """The run folder asked for holds a run of another portfolio."""


def projects_fingerprint(project_ids: Iterable[str]) -> str:
    """SHA-256 over the sorted, distinct project ids (each ended by a NUL byte).

    Examples
    --------
    >>> projects_fingerprint(["P2", "P1", "P1"]) == projects_fingerprint(["P1", "P2"])
    True
    """
    digest = hashlib.sha256()
    for pid in sorted(set(map(str, project_ids))):
        digest.update(pid.encode() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class PortfolioIdentity:
    """A portfolio's name and project ids (see the module docstring)."""

    name: str
    project_ids: frozenset[str] = field(repr=False)

    @classmethod
    def of(cls, name: str, project_ids: Iterable) -> PortfolioIdentity:
        """The identity of portfolio ``name`` holding these projects."""
        return cls(str(name), frozenset(map(str, project_ids)))

    @property
    def fingerprint(self) -> str:
        return projects_fingerprint(self.project_ids)

    def to_manifest(self) -> dict:
        """What ``manifest.json`` records under ``portfolio``."""
        return {"name": self.name, "projects": len(self.project_ids), "fingerprint": self.fingerprint}

    def is_same(self, manifest: dict | None, project_ids: frozenset[str] | None) -> bool:
        """Whether the run with this manifest and these project ids is of this portfolio.

        A run without a readable manifest is judged by its projects alone; one
        without readable project ids (no ``metrics.csv``) by its name alone.
        """
        name = run_name(manifest)
        if name is not None and name != self.name:
            return False
        recorded = (manifest or {}).get("portfolio")
        if isinstance(recorded, dict) and recorded.get("fingerprint") == self.fingerprint:
            return True
        if project_ids is None:
            return name is not None
        return project_share(set(self.project_ids), set(project_ids)) >= SAME_PORTFOLIO_SHARE

    def describe_other(self, manifest: dict | None, project_ids: frozenset[str] | None) -> str:
        """Why a run is of another portfolio, in words (for warnings and errors)."""
        name = run_name(manifest)
        if name is not None and name != self.name:
            return f"portfolio {name!r}"
        shared = len(self.project_ids & project_ids) if project_ids is not None else 0
        return (f"another portfolio also named {self.name!r} ({shared} of this run's "
                f"{len(self.project_ids)} projects in it)")


def run_name(manifest: dict | None) -> str | None:
    """The portfolio name a run's manifest records, or None."""
    if not isinstance(manifest, dict):
        return None
    name = manifest.get("portfolio_name")
    recorded = manifest.get("portfolio")
    if name is None and isinstance(recorded, dict):
        name = recorded.get("name")
    return None if name is None else str(name)


def read_manifest(folder: Path) -> dict | None:
    """``manifest.json`` of a run folder as a dict, or None when absent or unreadable."""
    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def read_project_ids(folder: Path) -> frozenset[str] | None:
    """The project ids in a run's ``metrics.csv``, or None when it is absent or unreadable."""
    file = Path(folder) / "metrics.csv"
    if not file.is_file() or file.is_symlink():
        return None
    try:
        frame = pd.read_csv(file, usecols=["project_id"], dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    return frozenset(frame["project_id"])


def is_same_run(identity: PortfolioIdentity | None, folder: Path, manifest: dict | None = None) -> bool:
    """Whether the run in ``folder`` is of ``identity`` (always True when ``identity`` is None)."""
    if identity is None:
        return True
    manifest = read_manifest(folder) if manifest is None else manifest
    recorded = (manifest or {}).get("portfolio")
    if (isinstance(recorded, dict) and recorded.get("fingerprint") == identity.fingerprint
            and run_name(manifest) == identity.name):
        return True  # the common case, without reading metrics.csv
    return identity.is_same(manifest, read_project_ids(folder))


def check_same_portfolio(out_dir: Path, identity: PortfolioIdentity, *, force: bool = False) -> None:
    """Refuse to replace a run folder that holds a run of another portfolio (unless ``force``).

    Raises
    ------
    OtherPortfolioError
        ``out_dir`` holds another portfolio's run; nothing was written.
    """
    if force or not (out_dir / "manifest.json").is_file():
        return
    manifest = read_manifest(out_dir)
    ids = read_project_ids(out_dir)
    if manifest is None and ids is None:
        return
    if not identity.is_same(manifest, ids):
        raise OtherPortfolioError(
            f"{out_dir} holds a run of {identity.describe_other(manifest, ids)}, not of {identity.name!r}: "
            "give each portfolio its own output root (--out OTHER_ROOT/<status date>), or --force to replace it")
