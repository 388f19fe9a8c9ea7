"""The one Jinja environment of the site pages: a run's ``index.html`` and the output root's history.

The templates live in ``pmo_lib/report_templates/site/`` (a shared ``base.html.j2``,
``site.css`` and one template per page). Autoescape is on and undefined
names are errors, so every value from the data or a manifest is shown as
text and a typo in a template fails loudly.

Examples
--------
>>> "&lt;b&gt;" in render("history.html.j2", runs=[], name="<b>", badge=str)
True
"""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates" / "site"

ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render(template: str, **context) -> str:
    """Render one site template with ``context``."""
    return ENV.get_template(template).render(**context)
