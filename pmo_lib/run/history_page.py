"""The output root: one folder per status date, an index of the runs, pruning old ones.

::

    output/
      index.html          every run, newest first, with its portfolio RAG and links
      2026-11-20/         one run (index.html, portfolio.html, manifest.json, ...)
      2026-11-13/
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from pmo_lib.files import write_text
from pmo_lib.formatting import format_timestamp
from pmo_lib.reports.html import rag_badge
from pmo_lib.run.site import render


def run_date(folder: Path) -> dt.date | None:
    """The status date a run folder is named by (``output/2026-11-20``), or None.

    Examples
    --------
    >>> run_date(Path("output/2026-11-20")), run_date(Path("/tmp/latest"))
    (datetime.date(2026, 11, 20), None)
    """
    try:
        return dt.date.fromisoformat(folder.name)
    except ValueError:
        return None


def list_runs(root: Path) -> list[dict]:
    """The run folders under ``root`` (named by ISO date, holding a manifest), newest first."""
    runs = []
    if not root.is_dir():
        return runs
    for folder in root.iterdir():
        day = run_date(folder)
        if day is None:
            continue
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        runs.append({"date": day.isoformat(), "folder": folder.name, "manifest": manifest})
    return sorted(runs, key=lambda r: r["date"], reverse=True)


def render_history(runs: list[dict], *, name: str) -> str:
    """The output root's ``index.html``.

    Examples
    --------
    >>> html = render_history([{"date": "2026-11-20", "folder": "2026-11-20", "manifest": {
    ...     "portfolio_rag": "amber", "rag_counts": {"red": 1, "amber": 2, "green": 3},
    ...     "counts": {"ok": 9, "failed": 0}, "finished_at": "2026-11-20T18:00:00+00:00"}}], name="A & B")
    >>> "A &amp; B: report runs" in html, 'href="2026-11-20/index.html"' in html, ">AMBER<" in html
    (True, True, True)
    """
    rows = []
    for run in runs:
        m = run["manifest"]
        counts = m.get("rag_counts") or {}
        rows.append({"date": run["date"], "folder": run["folder"], "rag": m.get("portfolio_rag"),
                     "mix": " / ".join(str(counts.get(k, 0)) for k in ("red", "amber", "green")),
                     "ok": m.get("counts", {}).get("ok", 0), "failed": m.get("counts", {}).get("failed", 0),
                     "finished": format_timestamp(m.get("finished_at")) if m.get("finished_at") else ""})
    return render("history.html.j2", runs=rows, name=name, badge=rag_badge)


def write_history(root: Path, *, name: str) -> Path:
    """Rewrite ``root/index.html`` from the run folders it holds."""
    return write_text(root / "index.html", render_history(list_runs(root), name=name))


def prune_runs(root: Path, *, keep: int, protect: Path | None = None) -> list[str]:
    """Delete all but the ``keep`` newest run folders (never ``protect``); return what went."""
    removed = []
    for run in list_runs(root)[keep:]:
        folder = root / run["folder"]
        if protect is not None and folder.resolve() == protect.resolve():
            continue
        shutil.rmtree(folder)
        removed.append(run["folder"])
    return removed
