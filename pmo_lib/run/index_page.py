"""The run's ``index.html``: every report with its RAG, the run's time and any failure.

Rendered with Jinja2 and autoescape on: every value from the data or the
manifest is text, never markup. The page is self-contained (inline CSS, no
scripts, no network).
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.formatting import format_date, format_timestamp
from pmo_lib.rag import WORST_FIRST
from pmo_lib.reports.html import rag_badge
from pmo_lib.run.site import render


def render_index(manifest: dict, table: pd.DataFrame, *, program_rags: dict | None = None,
                 portfolio_rag: str | None = None, project_names: dict | None = None) -> str:
    """Render the run's index page from its manifest and metrics table.

    Parameters
    ----------
    manifest : dict
        The run manifest (``reports``, ``counts``, ``status_date``...).
    table : pandas.DataFrame
        The metrics table (``project_id``, ``name``, ``program``, ``overall_rag``).
    program_rags, portfolio_rag : optional
        RAG of each program and of the portfolio, where computed.
    """
    by_project = dict(zip(table["project_id"], table["overall_rag"]))
    program_of = dict(zip(table["project_id"], table["program"]))
    names = project_names or dict(zip(table["project_id"], table["name"]))
    groups: dict[str, dict] = {}
    failures = []
    for r in manifest["reports"]:
        scope = r["scope"]
        if scope == "project":
            rag = by_project.get(r["subject"])
            label = f"{names.get(r['subject'], r['subject'])} ({r['subject']})"
        elif scope == "program":
            rag = (program_rags or {}).get(r["subject"])
            label = r["subject"]
        else:
            rag = portfolio_rag
            label = r["title"]
        group = groups.setdefault(r["report"], {"title": r["title"], "scope": scope, "rows": []})
        group["rows"].append({**r, "rag": rag, "label": label, "program": program_of.get(r["subject"], "")})
        if r["status"] != "ok":
            err = r.get("error") or {}
            where = f" in cell {err['cell']}" if err.get("cell") is not None else ""
            where += f" ({err['source']})" if err.get("source") else ""
            failures.append({"title": r["title"], "subject": label,
                             "reason": f"{err.get('type', 'Error')}{where}: {err.get('message', '')}".strip(),
                             "notebook": r.get("notebook")})
    counts = table["overall_rag"].value_counts() if len(table) else pd.Series(dtype=int)
    rag_counts = [(rag, int(counts.get(rag, 0))) for rag in WORST_FIRST if counts.get(rag, 0)]
    previous = manifest.get("previous_run") or ""
    return render("run_index.html.j2", m=manifest, groups=list(groups.values()), failures=failures, badge=rag_badge,
                  finished=format_timestamp(manifest.get("finished_at")),
                  status_date=format_date(manifest.get("status_date")),
                           rag_counts=rag_counts, previous_name=previous.rstrip("/").rsplit("/", 1)[-1])
