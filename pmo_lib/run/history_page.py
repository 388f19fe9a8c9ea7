"""The output root: one folder per status date, an index of the runs, pruning old ones.

::

    output/
      index.html          every run, newest first, with its portfolio RAG and links
      2026-11-20/         one run (index.html, portfolio.html, manifest.json, ...)
      2026-11-13/

An output root is meant for one portfolio. When it holds runs of others
(:mod:`pmo_lib.run.identity`), the page a run writes lists only its own
portfolio's runs and says how many others it left out, and ``--keep`` prunes
only the run's own portfolio's runs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path

from pmo_lib.files import write_text
from pmo_lib.formatting import format_timestamp
from pmo_lib.reports.html import rag_badge
from pmo_lib.run.identity import PortfolioIdentity, is_same_run, run_name
from pmo_lib.run.site import render
from pmo_lib.run.transaction import is_ours

log = logging.getLogger("pmo_lib.run")
GENERATOR = '<meta name="generator" content="pmo-reports run history">'


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


def list_runs(root: Path, *, portfolio: PortfolioIdentity | None = None,
              others: list[dict] | None = None) -> list[dict]:
    """The run folders under ``root`` (named by ISO date, holding a manifest), newest first.

    A symlinked run folder and a folder whose ``manifest.json`` cannot be read
    as a JSON object are skipped with a warning. With ``portfolio``, only that
    portfolio's runs are listed; the others go into ``others`` when given.
    """
    runs = []
    if not root.is_dir():
        return runs
    for folder in root.iterdir():
        day = run_date(folder)
        if day is None:
            continue
        if folder.is_symlink():
            log.warning("skipped %s: a symlink, not a run folder pmo-report wrote", folder)
            continue
        file = folder / "manifest.json"
        if not file.is_file():
            continue
        try:
            manifest = json.loads(file.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            log.warning("skipped %s: cannot be read (%s)", file, exc)
            continue
        if not isinstance(manifest, dict):
            log.warning("skipped %s: not a run manifest (a JSON object)", file)
            continue
        run = {"date": day.isoformat(), "folder": folder.name, "manifest": manifest}
        if is_same_run(portfolio, folder, manifest):
            runs.append(run)
        elif others is not None:
            others.append(run)
    return sorted(runs, key=lambda r: r["date"], reverse=True)


def render_history(runs: list[dict], *, name: str, others: list[dict] | None = None) -> str:
    """The output root's ``index.html``: ``runs`` listed, ``others`` (runs of other portfolios) only counted.

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
        counts = m.get("rag_counts") if isinstance(m.get("rag_counts"), dict) else {}
        totals = m.get("counts") if isinstance(m.get("counts"), dict) else {}
        rows.append({"date": run["date"], "folder": run["folder"], "rag": m.get("portfolio_rag"),
                     "mix": " / ".join(str(counts.get(k, 0)) for k in ("red", "amber", "green")),
                     "ok": totals.get("ok", 0), "failed": totals.get("failed", 0),
                     "finished": format_timestamp(m.get("finished_at")) if m.get("finished_at") else ""})
    other_names = sorted({_other_name(run_name(run["manifest"]), name) for run in others or []})
    return render("history.html.j2", runs=rows, name=name, badge=rag_badge, others=len(others or []),
                  other_names=other_names)


def _other_name(other: str | None, name: str) -> str:
    if other is None:
        return "unnamed"
    return f"another '{other}'" if other == name else f"'{other}'"


def is_history_page(path: Path) -> bool:
    """Whether ``path`` is absent or a history page pmo-reports wrote (so it may be replaced).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> is_history_page(folder / "index.html")
    True
    >>> _ = (folder / "index.html").write_text("<h1>Our team site</h1>")
    >>> is_history_page(folder / "index.html")
    False
    """
    if not path.exists() and not path.is_symlink():
        return True
    if path.is_symlink() or not path.is_file():
        return False
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False
    # GENERATOR since runs are transactions; the title of the pages written before
    return GENERATOR in head or (head.startswith("<!DOCTYPE html>") and ": report runs</title>" in head)


def write_history(root: Path, *, name: str, portfolio: PortfolioIdentity | None = None) -> Path | None:
    """Rewrite ``root/index.html`` from the run folders it holds (``portfolio``'s only, when given).

    None if that file is not ours.
    """
    target = root / "index.html"
    if not is_history_page(target):
        return None
    others: list[dict] = []
    runs = list_runs(root, portfolio=portfolio, others=others)
    if others:
        log.warning("%s holds %d run(s) of other portfolios, not listed on its history page: give each "
                    "portfolio its own output root", root, len(others))
    return write_text(target, render_history(runs, name=name, others=others))


def prune_runs(root: Path, *, keep: int, protect: Path | None = None,
               portfolio: PortfolioIdentity | None = None) -> list[str]:
    """Delete all but the ``keep`` newest run folders (never ``protect``); return what went.

    Only folders pmo-reports built (with its marker, not symlinks) are deleted or counted;
    with ``portfolio``, only that portfolio's runs.
    """
    removed = []
    ours = [run for run in list_runs(root, portfolio=portfolio) if is_ours(root / run["folder"])]
    for run in ours[keep:]:
        folder = root / run["folder"]
        if protect is not None and folder.resolve() == protect.resolve():
            continue
        shutil.rmtree(folder)
        removed.append(run["folder"])
    return removed
