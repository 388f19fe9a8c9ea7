"""The run's ``index.html``: every report with its RAG, the run's time and any failure.

Rendered with Jinja2 and autoescape on: every value from the data or the
manifest is text, never markup. The page is self-contained (inline CSS, no
scripts, no network).
"""

from __future__ import annotations

import jinja2
import pandas as pd

from pmo_lib.rag import WORST_FIRST
from pmo_lib.reports.html import rag_badge

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{{ m.portfolio_name }} — status reports {{ m.status_date }}</title>
<style>
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2933;margin:0;background:#f5f7fa}
main{max-width:1100px;margin:0 auto;padding:24px 28px;background:#fff;min-height:100vh}
header{border-bottom:3px solid #1f4e79;padding-bottom:12px;margin-bottom:18px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:26px 0 8px;color:#1f4e79}
.meta{color:#52606d;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px}
th{background:#1f4e79;color:#fff;text-align:left;padding:7px 10px;font-weight:600}
td{padding:6px 10px;border-bottom:1px solid #e4e7eb;vertical-align:top}
tr:nth-child(even) td{background:#f8fafc}
a{color:#1f4e79}
.failed{background:#fdecea!important}.error{color:#c62828;font-size:13px;white-space:pre-wrap}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:10px 0}
.tile{border:1px solid #e4e7eb;border-radius:8px;padding:10px 16px;min-width:120px}
.tile b{display:block;font-size:22px}
@media print{body{background:#fff}main{padding:0}a{color:#000;text-decoration:none}}
</style>
</head>
<body><main>
<header>
<h1>{{ m.portfolio_name }}: status reports</h1>
<div class="meta">Status date {{ m.status_date }} · generated {{ m.finished_at }} ·
{{ m.counts.ok }} report{{ 's' if m.counts.ok != 1 }} produced{% if m.counts.failed %},
<strong>{{ m.counts.failed }} failed</strong>{% endif %}</div>
</header>
<div class="summary">
{% for rag, n in rag_counts %}<div class="tile"><b>{{ n }}</b>{{ badge(rag) }} projects</div>{% endfor %}
</div>
{% if failures %}
<h2>Failed reports</h2>
<table><thead><tr><th>Report</th><th>Reason</th></tr></thead><tbody>
{% for r in failures %}<tr class="failed"><td>{{ r.title }}: {{ r.subject }}</td>
<td class="error">{{ r.reason }}{% if r.notebook %} (executed notebook kept at {{ r.notebook }}){% endif %}</td></tr>{% endfor %}
</tbody></table>
{% endif %}
{% for group in groups %}
<h2>{{ group.title }}</h2>
<table><thead><tr><th>Report</th>{% if group.scope == 'project' %}<th>Program</th>{% endif %}<th>RAG</th><th>Status</th><th>Seconds</th></tr></thead><tbody>
{% for r in group.rows %}<tr{% if r.status != 'ok' %} class="failed"{% endif %}>
<td>{% if r.page %}<a href="{{ r.page }}">{{ r.label }}</a>{% else %}{{ r.label }}{% endif %}</td>
{% if group.scope == 'project' %}<td>{{ r.program }}</td>{% endif %}
<td>{{ badge(r.rag) }}</td><td>{{ 'ok' if r.status == 'ok' else 'FAILED' }}</td><td>{{ '%.1f'|format(r.seconds) }}</td></tr>
{% endfor %}</tbody></table>
{% endfor %}
<p class="meta">Data fingerprint {{ m.data.fingerprint[:16] }} · metrics in <a href="metrics.csv">metrics.csv</a> ·
run record in <a href="manifest.json">manifest.json</a>{% if m.previous_run %} · compared with the run of {{ previous_name }}{% endif %}</p>
</main></body></html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


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
    template = _ENV.from_string(_TEMPLATE)
    return template.render(m=manifest, groups=list(groups.values()), failures=failures, badge=rag_badge,
                           rag_counts=rag_counts, previous_name=previous.rstrip("/").rsplit("/", 1)[-1])
