"""The board pack: one PDF of a finished run, printed by headless Chromium.

The pack holds a cover (portfolio, status date, contents), the portfolio
page, each program page and the first printed page of each project page,
with one bookmark per page and page numbers ("3 / 41") in the footer.

How it is made: the run's own pages (already offline, escaped and
script-free) are put one after another into a single HTML document with the
pages' stylesheet; inside each part the section headings become plain
styled blocks, so that the only headings, and hence the PDF's bookmarks
(Chromium's document outline), are the cover's and each part's title, plus
one "…, page N: Section" line at the top of each further page of a long
part (the pack pages those parts itself, ``_PAGINATE``).
Chromium lays the document out for print; a project part is then cut, by
DevTools, to the whole blocks that fit on its first page, and the document
is printed. WeasyPrint was measured as the alternative and not chosen: on
PRJ-003 it took 6.6 s for one page (Chromium: about 0.5 s in a warm browser)
and broke the pages' flex layout (header and tiles) over 7 pages instead of 3.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pmo_lib.files import write_bytes
from pmo_lib.formatting import escape, format_date, format_timestamp
from pmo_lib.rag import RAG_WORDS, normalize_rag
from pmo_lib.run.chromium import PAPER_SIZES_MM, Chromium
from pmo_lib.run.folder import RunFolder, RunFolderError

log = logging.getLogger("pmo_lib.run")

MARGINS_MM = (12.0, 11.0, 16.0, 11.0)
"""Top, right, bottom (room for the page number), left."""
PX_PER_MM = 96 / 25.4

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_MAIN = re.compile(r'<main class="pmo-report">(.*)</main>', re.S)
_OPENING = re.compile(r"<h([1-6])((?:\s[^>]*)?)>")
_CLOSING = re.compile(r"</h[1-6]\s*>")
_PACK_CSS = """
.pmo-pack-part { break-before: page; }
.pmo-pack-part:first-child { break-before: auto; }
.pmo-pack-part > h1.pmo-pack-title { font-size: 9pt; font-weight: 600; color: #57606a; margin: 0 0 4px;
  letter-spacing: 0.04em; border-bottom: 1px solid #d0d7de; padding-bottom: 2px; }
.pmo-pack-part .pmo-header__title { font-size: 1.5em; font-weight: 700; }
.pmo-pack-h { font-weight: 600; break-after: avoid; }
.pmo-pack-part > h2.pmo-pack-title, .pmo-pack-continued { break-before: page; font-size: 9pt; font-weight: 600; color: #57606a;
  margin: 0 0 4px; letter-spacing: 0.04em; border-bottom: 1px solid #d0d7de; padding-bottom: 2px; }
.pmo-pack-h2 { font-size: 1.2em; margin: 0.9em 0 0.25em; padding-bottom: 0.2em; border-bottom: 1px solid #d0d7de; }
.pmo-pack-h3 { font-size: 1.05em; margin: 0.8em 0 0.2em; }
.pmo-pack-cover { height: 250mm; display: flex; flex-direction: column; justify-content: center; }
.pmo-pack-cover h1 { font-size: 26pt; margin: 0 0 6pt; }
.pmo-pack-cover .pmo-pack-who { font-size: 12pt; color: #57606a; text-transform: uppercase; letter-spacing: 0.08em; }
.pmo-pack-cover .pmo-pack-when { font-size: 12pt; margin: 0 0 18pt; }
.pmo-pack-cover ol { font-size: 10pt; line-height: 1.6; padding-left: 1.4em; }
.pmo-pack-cover .pmo-pack-note { color: #57606a; font-size: 8.5pt; margin-top: 18pt; }
"""
_FIT_FIRST_PAGE = """(() => {
  const limit = %f;
  let cut = 0;
  for (const part of document.querySelectorAll('.pmo-pack-first-page')) {
    const top = part.getBoundingClientRect().top;
    let keep = true;
    for (const child of Array.from(part.children)) {
      if (keep && child.getBoundingClientRect().bottom - top > limit) keep = false;
      if (!keep) { child.remove(); cut += 1; }
    }
    // A section heading whose content went to the next page goes with it.
    while (part.lastElementChild && part.lastElementChild.classList.contains('pmo-md')) {
      part.lastElementChild.remove(); cut += 1;
    }
  }
  return cut;
})()"""


_PAGINATE = """(() => {
  const limit = %f;
  let added = 0;
  const heading = el => el.matches('.pmo-pack-h2') ? el : el.querySelector(':scope > .pmo-pack-h2, :scope > * > .pmo-pack-h2');
  const container = el => el.matches('.pmo-output, .pmo-gallery') && el.children.length > 0;
  for (const part of document.querySelectorAll('.pmo-pack-part:not(.pmo-pack-cover):not(.pmo-pack-first-page)')) {
    const title = part.querySelector(':scope > h1.pmo-pack-title').textContent;
    let top = part.getBoundingClientRect().top, page = 1, section = '', held = null;
    const newPage = (el) => {
      page += 1;
      const mark = document.createElement('h2');
      mark.className = 'pmo-pack-title pmo-pack-continued';
      mark.textContent = title + ', page ' + page + (section ? ': ' + section : '');
      el.before(mark);
      added += 1;
      top = mark.getBoundingClientRect().top;
    };
    const splitTable = (wrap) => {
      const table = wrap.querySelector('table');
      const rows = table && table.tBodies.length ? Array.from(table.tBodies[0].rows) : [];
      const at = rows.findIndex(r => r.getBoundingClientRect().bottom - top > limit);
      if (at <= 0) return null;
      const rest = wrap.cloneNode(false), copy = table.cloneNode(false), body = document.createElement('tbody');
      if (table.tHead) copy.appendChild(table.tHead.cloneNode(true));
      rows.slice(at).forEach(r => body.appendChild(r));
      copy.appendChild(body); rest.appendChild(copy); wrap.after(rest);
      return rest;
    };
    const place = (el) => {
      const named = heading(el);
      if (el.getBoundingClientRect().bottom - top <= limit) {
        if (named) section = named.textContent.trim();
        held = el.matches('.pmo-md, .pmo-pack-h2') ? el : null;
        return;
      }
      if (container(el) && el.firstElementChild.getBoundingClientRect().bottom - top <= limit) {
        for (const child of Array.from(el.children)) place(child);
        return;
      }
      if (el.matches('.pmo-table-wrap') && el.getBoundingClientRect().top - top < limit / 2) {
        const rest = splitTable(el);
        if (rest) { held = null; place(rest); return; }
      }
      const first = held || el;
      if (named && !held) section = named.textContent.trim();
      if (first.getBoundingClientRect().top > top + 1) newPage(first);
      held = null;
      if (el.getBoundingClientRect().bottom - top > limit && container(el)) {
        for (const child of Array.from(el.children)) place(child);
      } else {
        held = el.matches('.pmo-md, .pmo-pack-h2') ? el : null;
      }
    };
    for (const child of Array.from(part.children)) {
      if (!child.matches('h1.pmo-pack-title')) place(child);
    }
  }
  return added;
})()"""


@dataclass(frozen=True)
class PackPart:
    """One part of the pack: its bookmark title and the page it comes from."""

    title: str
    page: Path
    scope: str
    rag: str | None = None


def _read_page(path: Path) -> tuple[str, str]:
    """The stylesheet and the ``<main>`` content of a report page."""
    text = path.read_text(encoding="utf-8")
    style, main = _STYLE.search(text), _MAIN.search(text)
    if main is None:
        raise RunFolderError(f"{path}: not a report page of pmo-reports (no <main class=\"pmo-report\">)")
    return (style.group(1) if style else ""), main.group(1)


def _demote_headings(html: str) -> str:
    """The page's headings become styled blocks: the part's title is its only bookmark.

    Examples
    --------
    >>> _demote_headings('<h1 class="x" style="margin:0">A</h1><h2>B</h2>')
    '<div class="pmo-pack-h pmo-pack-h2 x" style="margin:0">A</div><div class="pmo-pack-h pmo-pack-h2">B</div>'
    """
    def opening(match: re.Match[str]) -> str:
        level, attributes = int(match.group(1)), match.group(2)
        ours = f"pmo-pack-h pmo-pack-h{min(max(level, 2), 3)}"
        if 'class="' in attributes:
            return "<div" + attributes.replace('class="', f'class="{ours} ', 1) + ">"
        return f'<div class="{ours}"{attributes}>'

    return _CLOSING.sub("</div>", _OPENING.sub(opening, html))


def select_parts(run: RunFolder, programs: Iterable[str] | None = None) -> list[PackPart]:
    """The pack's parts in order: portfolio, then each program followed by its projects.

    Parameters
    ----------
    run : RunFolder
    programs : iterable of str, optional
        Only these programs (by name, case-insensitive) and their projects; the
        portfolio always comes first.

    Raises
    ------
    RunFolderError
        When a named program is not in the run, or the run has no page to print.
    """
    ok = [r for r in run.reports if r.get("status") == "ok" and r.get("page")]
    wanted = None
    if programs:
        wanted = {p.strip().casefold() for p in programs if p.strip()}
        known = {r["subject"].casefold() for r in ok if r["scope"] == "program"}
        unknown = sorted(wanted - known)
        if unknown:
            raise RunFolderError(f"--programs: {', '.join(unknown)} not in the run "
                                 f"(its programs: {', '.join(sorted(r['subject'] for r in ok if r['scope'] == 'program'))})")
    metrics = run.metrics
    program_of = dict(zip(metrics["project_id"].astype(str), metrics["program"].astype(str)))
    rag_of = dict(zip(metrics["project_id"].astype(str), metrics["overall_rag"]))
    parts: list[PackPart] = []
    for r in ok:
        if r["scope"] == "portfolio":
            parts.append(PackPart(f"{r['title']}: {r['subject']}", run.file(r["page"]), "portfolio",
                                  run.manifest.get("portfolio_rag")))
    for program in [r for r in ok if r["scope"] == "program"]:
        if wanted is not None and program["subject"].casefold() not in wanted:
            continue
        parts.append(PackPart(f"Program: {program['subject']}", run.file(program["page"]), "program"))
        for project in ok:
            if project["scope"] == "project" and program_of.get(project["subject"]) == program["subject"]:
                parts.append(PackPart(f"{project['subject']}: {_project_name(metrics, project['subject'])}",
                                      run.file(project["page"]), "project", rag_of.get(project["subject"])))
    if not parts:
        raise RunFolderError(f"{run.path}: no report page to put in the board pack")
    return parts


def _project_name(metrics, project_id: str) -> str:
    rows = metrics.loc[metrics["project_id"].astype(str) == project_id, "name"]
    return str(rows.iloc[0]) if len(rows) else project_id


def pack_html(run: RunFolder, parts: list[PackPart]) -> str:
    """The single HTML document of the pack (cover, then every part), before the first-page cut."""
    style = ""
    bodies = []
    for number, part in enumerate(parts, 1):
        page_style, main = _read_page(part.page)
        style = style or page_style
        classes = "pmo-pack-part" + (" pmo-pack-first-page" if part.scope == "project" else "")
        bodies.append(f'<section class="{classes}" id="part-{number}">'
                      f'<h1 class="pmo-pack-title">{escape(part.title)}</h1>{_demote_headings(main)}</section>')
    contents = "".join(
        f"<li>{escape(p.title)}{' · ' + RAG_WORDS[normalize_rag(p.rag)] if p.rag is not None else ''}</li>"
        for p in parts)
    name = run.portfolio_name
    cover = (
        '<section class="pmo-pack-part pmo-pack-cover">'
        f'<div class="pmo-pack-who">{escape(name)}</div><h1>Board pack</h1>'
        f'<p class="pmo-pack-when">Status as of {escape(format_date(run.status_date))}</p>'
        f"<ol>{contents}</ol>"
        f'<p class="pmo-pack-note">The portfolio and program pages in full; one page per project '
        f"(its header, status and key figures). Generated {escape(format_timestamp(run.manifest.get('finished_at')))}"
        " by pmo-reports.</p></section>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">"
        f"<title>{escape(name)}: board pack {escape(format_date(run.status_date))}</title>"
        f"<style>{style}{_PACK_CSS}</style></head>"
        f'<body><main class="pmo-report">{cover}{"".join(bodies)}</main></body></html>'
    )


def _footer(run: RunFolder) -> str:
    text = f"{run.portfolio_name} · board pack · status as of {format_date(run.status_date)}"
    return ('<div style="font: 8px system-ui, sans-serif; color: #57606a; width: 100%; padding: 0 11mm; '
            f'display: flex; justify-content: space-between"><span>{escape(text)}</span>'
            '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>')


def board_pack(run_dir: str | Path, out: str | Path | None = None, *, programs: Iterable[str] | None = None,
               paper: str = "a4", chromium: Chromium | None = None) -> Path:
    """Print a finished run's board pack to one PDF; return its path.

    Parameters
    ----------
    run_dir : path
        A run folder written by ``pmo-report run``.
    out : path, optional
        Default: ``<run_dir>/board-pack.pdf``.
    programs : iterable of str, optional
        Only these programs and their projects.
    paper : {"a4", "letter"}
    chromium : Chromium, optional
        A browser to reuse; by default one is started and closed.

    Returns
    -------
    Path
        The PDF, written atomically.
    """
    if paper not in PAPER_SIZES_MM:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES_MM)}, not {paper!r}")
    run = RunFolder.open(run_dir)
    parts = select_parts(run, programs)
    out = Path(out) if out is not None else run.path / "board-pack.pdf"
    started = time.perf_counter()
    width_mm, height_mm = PAPER_SIZES_MM[paper]
    top, right, bottom, left = MARGINS_MM
    content_width = round((width_mm - right - left) * PX_PER_MM)
    content_height = (height_mm - top - bottom) * PX_PER_MM - 24  # a little room: rounding, footer
    owned = chromium is None
    browser = chromium or Chromium()
    try:
        with tempfile.TemporaryDirectory(prefix="pmo-pack-") as scratch:
            document = Path(scratch) / "pack.html"
            document.write_text(pack_html(run, parts), encoding="utf-8")
            browser.open(document.as_uri(), width=content_width, height=round(content_height))
            browser.send("Emulation.setEmulatedMedia", {"media": "print"})
            cut = browser.evaluate(_FIT_FIRST_PAGE % content_height)
            # one bookmark per page: a part longer than a page is paged here, each further page
            # opening with a "…, page 2: Section" line that Chromium's outline takes as a bookmark
            continued = browser.evaluate(_PAGINATE % (content_height * 0.97))
            pdf = browser.print_pdf(paper=paper, footer_html=_footer(run), outline=True, margins_mm=MARGINS_MM)
    finally:
        if owned:
            browser.close()
    write_bytes(out, pdf)
    log.info("board pack: %d parts, %d continued pages, %d blocks past the projects' first pages left out, "
             "%.1f KB, %.1fs: %s", len(parts), continued, cut, len(pdf) / 1024, time.perf_counter() - started, out)
    return out
