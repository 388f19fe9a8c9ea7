"""Export an executed report notebook to one self-contained, offline HTML page.

The page is rendered by nbconvert with the ``pmo`` template folder
(``pmo_lib/report_templates/pmo``), based on nbconvert's ``base`` template, so
it carries no JupyterLab CSS, no MathJax and no script. It shows markdown
cells and cell outputs in order; code, prompts, the papermill ``parameters``
and ``injected-parameters`` cells, stream output and error output are left
out. The runner records its own facts in ``nb.metadata["pmo"]`` (``title``,
``portfolio_name``, ``status_date``, ``generated_at``), which become the
page title, header and footer.

Outputs from pmo_lib are escaped at their source. As a second line of
defence the finished page is cleaned of active content (``<script>``,
frames, event-handler attributes, ``javascript:`` links), and its
Content-Security-Policy forbids scripts and any remote resource. Charts the
project rendered itself skip the cleaner's parse when they are provably
inert (:mod:`pmo_lib.run._svg_mask`).

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Status")])
>>> nb.metadata["pmo"] = {"title": "Weekly status", "portfolio_name": "Digital"}
>>> page = export_html(nb)
>>> "<title>Weekly status</title>" in page, "<script" in page
(True, False)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from traitlets.config import Config

from pmo_lib.run._svg_mask import mask_charts

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "report_templates"
TEMPLATE_NAME = "pmo"
DISPLAY_PRIORITY = ["text/html", "image/svg+xml", "image/png", "text/markdown", "text/plain"]
"""Output types the page shows, best first; anything else (JavaScript, widgets,
Vega-Lite JSON) is never rendered."""

_ACTIVE_ELEMENTS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet",
                    "base", "link")
_URL_ATTRIBUTES = ("href", "src", "xlink:href", "action", "formaction", "data", "srcdoc")
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class _PageExporter(HTMLExporter):
    """nbconvert's HTML exporter without its final BeautifulSoup pass, validating the notebook once.

    ``HTMLExporter.from_notebook_node`` re-parses the whole page to add image
    alt text and ``tabindex`` on input/output wrappers; these pages have no
    ``<img>`` without alt and no such wrappers, and :func:`strip_active_content`
    parses the page anyway. Skipping that pass halves the export time.

    nbconvert also validates the notebook against its schema after each of
    its dozen preprocessors, disabled ones included: a third of the export's
    time. The enabled ones (tag and pattern removal, magics highlighting)
    only drop cells or outputs or mark a cell's language, which keeps a
    valid notebook valid; the notebook is validated once, before them, with
    the same check and the same error.
    """

    def _validate_preprocessor(self, nbc, preprocessor):
        """Validated once in :meth:`from_notebook_node` instead."""

    def from_notebook_node(self, nb, resources=None, **kw):
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        nbformat.validate(nb, relax_add_props=True)
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    """The process's one exporter (building it loads the templates)."""
    config = Config()
    config.NbConvertBase.display_data_priority = DISPLAY_PRIORITY
    return _PageExporter(
        config=config,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )


def strip_active_content(page: str) -> str:
    """Remove scripts, frames, event handlers and script URLs from an HTML page.

    ``<meta>`` elements survive only inside ``<head>`` (a ``<meta refresh>``
    in an output could otherwise redirect the reader).

    The page's charts (the ``<svg>`` of each ``<figure class="pmo-chart">``)
    are most of its markup. Each one that is inert by construction (see
    :mod:`pmo_lib.run._svg_mask`) is set aside before BeautifulSoup parses the
    page and put back written exactly as BeautifulSoup would have written it;
    anything else, including an SVG that only looks like a chart, goes
    through the BeautifulSoup pass.

    Examples
    --------
    >>> strip_active_content('<p onclick="x()">hi<script>alert(1)</script></p>')
    '<p>hi</p>'
    >>> strip_active_content('<a href=" javascript:alert(1)">x</a>')
    '<a>x</a>'
    """
    masked, restore = mask_charts(page)
    return restore(strip_with_soup(masked))


def strip_with_soup(page: str) -> str:
    """:func:`strip_active_content`'s BeautifulSoup pass over the whole page, nothing set aside.

    Examples
    --------
    >>> strip_with_soup('<svg viewBox="0 0 1 1"><rect width="1"/></svg>')
    '<svg viewbox="0 0 1 1"><rect width="1"></rect></svg>'
    """
    soup = BeautifulSoup(page, "html.parser")
    for element in soup.find_all(_ACTIVE_ELEMENTS):
        element.decompose()
    for element in soup.find_all("meta"):
        if element.find_parent("head") is None:
            element.decompose()
    for element in soup.find_all(True):
        for name in list(element.attrs):
            lowered = name.lower()
            value = element.attrs[name]
            value = " ".join(value) if isinstance(value, list) else str(value)
            compact = "".join(value.split()).lower()
            if lowered.startswith("on") or (
                lowered in _URL_ATTRIBUTES and compact.startswith(_BAD_SCHEMES)
            ):
                del element.attrs[name]
    return str(soup)


def export_html(
    notebook: nbformat.NotebookNode, *, resources: dict[str, Any] | None = None
) -> str:
    """Render an executed report notebook as one offline HTML page.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook (nbformat 4). It is not modified.
    resources : dict, optional
        Passed to nbconvert (not modified); ``{"metadata": {"name": ...}}``
        gives the page title when ``nb.metadata["pmo"]["title"]`` is missing
        (default "PMO report").

    Returns
    -------
    str
        The page, starting with ``<!DOCTYPE html>``.
    """
    resources = dict(resources or {})
    metadata = dict(resources.get("metadata") or {})
    metadata.setdefault("name", "PMO report")
    resources["metadata"] = metadata
    page, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return strip_active_content(page)
