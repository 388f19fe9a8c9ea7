"""Links between the pages of a run: relative, so they work wherever the run folder is.

Page paths follow the run plan (``portfolio.html``, ``programs/<slug>.html``,
``projects/<id>.html``; the catalog's first enabled report of each scope).
Every link a page carries is an ``<a class="pmo-link">`` with a relative
``href``; mail rewrites them (:func:`resolve_links`) to absolute addresses
when the run parameter ``report_base_url`` says where run folders are
published, and to plain text otherwise, so a message never holds a dead link.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from pmo_lib.files import DEFAULT_FOLDERS, program_slugs
from pmo_lib.formatting import escape

LINK_CLASS = "pmo-link"
_LINK = re.compile(r'<a class="pmo-link" href="([^"]*)">(.*?)</a>', re.S)


class PageLinks:
    """Where each page of a run is, and the relative link from one page to another.

    Parameters
    ----------
    catalog : sequence of ReportEntry
        The run's report catalog (``params.reports``).
    programs : iterable of str
        Every program of the portfolio.
    existing : set of str, optional
        The pages the run produces; a page not among them gets no link
        (a run of some projects only). None: every page of the catalog.

    Examples
    --------
    >>> from pmo_lib.parameters import RunParameters
    >>> links = PageLinks(RunParameters().reports, ["Grid & Co"])
    >>> links.page("project", "P-1"), links.page("program", "Grid & Co"), links.page("portfolio")
    ('projects/P-1.html', 'programs/grid-co.html', 'portfolio.html')
    >>> links.href("projects/P-1.html", "program", "Grid & Co")
    '../programs/grid-co.html'
    >>> PageLinks(RunParameters().reports, ["Grid & Co"], existing={"portfolio.html"}).page("project", "P-1") is None
    True
    """

    def __init__(self, catalog, programs, existing=None):
        self.existing = None if existing is None else frozenset(existing)
        self.slugs = program_slugs(sorted({str(p) for p in programs}))
        self.entries = {}
        for entry in catalog:
            if entry.enabled and entry.scope not in self.entries:
                self.entries[entry.scope] = entry

    def page(self, scope: str, subject: str = "") -> str | None:
        """The page of ``subject`` in ``scope``, relative to the run folder; None when no report makes it."""
        entry = self.entries.get(scope)
        if entry is None:
            return None
        folder = DEFAULT_FOLDERS.get(entry.name, entry.name)
        if scope == "portfolio":
            page = f"{entry.name}.html"
        elif scope == "program":
            slug = self.slugs.get(str(subject))
            page = None if slug is None else f"{folder}/{slug}.html"
        else:
            page = f"{folder}/{subject}.html"
        return page if self.existing is None or page in self.existing else None

    def href(self, here: str | None, scope: str, subject: str = "") -> str | None:
        """The relative link from page ``here`` to the page of ``subject``."""
        target = self.page(scope, subject)
        if target is None or here is None:
            return None
        return quote(posixpath.relpath(target, posixpath.dirname(here) or "."))

    def anchor(self, here: str | None, scope: str, subject: str, text: str) -> str:
        """An escaped ``<a class="pmo-link">`` to the page of ``subject``, or the escaped text alone."""
        href = self.href(here, scope, subject)
        if href is None:
            return escape(text)
        return f'<a class="{LINK_CLASS}" href="{escape(href)}">{escape(text)}</a>'


def resolve_links(html: str, *, page: str, base_url: str = "", run_folder: str = "") -> str:
    """Links of a page made fit for mail: absolute under ``base_url``, or plain text without one.

    Examples
    --------
    >>> html = '<p><a class="pmo-link" href="../portfolio.html">Portfolio</a></p>'
    >>> resolve_links(html, page="projects/P-1.html")
    '<p>Portfolio</p>'
    >>> resolve_links(html, page="projects/P-1.html", base_url="https://pmo.example/runs/", run_folder="2026-11-20")
    '<p><a class="pmo-link" href="https://pmo.example/runs/2026-11-20/portfolio.html">Portfolio</a></p>'
    """
    base = str(base_url or "").strip()

    def one(match: re.Match) -> str:
        href, text = match.group(1), match.group(2)
        if not base:
            return text
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href.replace("&amp;", "&")))
        if target.startswith(".."):
            return text
        url = f"{base.rstrip('/')}/{quote(run_folder)}/{target}" if run_folder else f"{base.rstrip('/')}/{target}"
        return f'<a class="{LINK_CLASS}" href="{escape(url)}">{text}</a>'

    return _LINK.sub(one, html)
