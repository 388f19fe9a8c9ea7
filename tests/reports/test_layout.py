"""The pages as a reader meets them: on a 390 px phone, at 1400 px, and printed on A4 and Letter.

A run of the sample for PRJ-003 (portfolio, its program, the project and the
index) is opened in real headless Chromium (:class:`pmo_lib.run.chromium.Chromium`);
the printed PDFs are read back with poppler's ``pdfinfo`` and ``pdftotext``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pmo_lib.parameters import PROJECT_ROOT
from pmo_lib.run.chromium import Chromium, find_chromium

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed (Debian package 'chromium')"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]

PAGES = ["index.html", "portfolio.html", "programs/digital-customer.html", "projects/PRJ-003.html"]

# Measured in the page by DevTools (the pages themselves run no script).
WIDEST = "document.documentElement.scrollWidth"
SMALLEST_CHART_TEXT = """(() => {
  let smallest = 1e9;
  for (const svg of document.querySelectorAll('figure.pmo-chart svg')) {
    const drawn = parseFloat(svg.getAttribute('width')) || svg.viewBox.baseVal.width;
    const scale = svg.getBoundingClientRect().width / drawn;
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
    }
  }
  return smallest;
})()"""
BROKEN_VALUES = """Array.from(document.querySelectorAll('.pmo-nowrap, td.num, .pmo-rag')).filter(e => {
  const range = document.createRange();
  range.selectNodeContents(e);
  return new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top))).size > 1;
}).map(e => e.textContent)"""
WIDE_TABLES = """Array.from(document.querySelectorAll('.pmo-table-wrap'))
  .filter(w => w.scrollWidth > w.clientWidth + 1)
  .map(w => [w.querySelector('table tr > *:first-child') ?
             getComputedStyle(w.querySelector('table tr > *:first-child')).position : '',
             w.getBoundingClientRect().right <= document.documentElement.clientWidth + 0.5])"""


@pytest.fixture(scope="module")
def sample_run(sample_pack_run):
    return sample_pack_run


@pytest.fixture(scope="module")
def browser():
    with Chromium() as chromium:
        yield chromium


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:count]
    assert len(pages) == count
    return pages


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("width", [390, 1400])
def test_no_page_scrolls_sideways(browser, sample_run, page, width):
    browser.open((sample_run / page).as_uri(), width=width)
    assert browser.evaluate(WIDEST) <= width


@pytest.mark.parametrize("page", PAGES[1:])
def test_on_a_phone_chart_text_stays_legible_and_values_do_not_break(browser, sample_run, page):
    browser.open((sample_run / page).as_uri(), width=390)
    assert browser.evaluate(SMALLEST_CHART_TEXT) >= 10
    assert browser.evaluate(BROKEN_VALUES) == []


def test_a_wide_table_scrolls_in_its_own_box_with_its_first_column_fixed(browser, sample_run):
    browser.open((sample_run / "portfolio.html").as_uri(), width=390)
    wide = browser.evaluate(WIDE_TABLES)
    assert wide, "the projects table is wider than a phone"
    assert all(position == "sticky" and inside for position, inside in wide), wide
    browser.open((sample_run / "portfolio.html").as_uri(), width=1400)
    assert browser.evaluate(WIDE_TABLES) == []  # at 1400 px every table fits: nothing cut at the right


@pytest.mark.parametrize(("paper", "most"), [("a4", 3), ("letter", 4)])
def test_the_project_page_prints_on_three_a4_pages_with_its_top_on_the_first(browser, sample_run, paper, most,
                                                                             tmp_path):
    browser.open((sample_run / "projects/PRJ-003.html").as_uri())
    pages = pdf_pages(browser.print_pdf(paper=paper, outline=False), tmp_path)
    assert len(pages) <= most
    first = pages[0]
    for top in ("Contact Centre Cloud Migration", "Summary", "Decisions needed", "Status update of 2026-11-20",
                "Key figures", "forecast finish"):
        assert top.lower() in first.lower(), top


def test_headings_are_never_left_at_the_foot_of_a_printed_page(browser, sample_run, tmp_path):
    headings = {"Key figures", "Progress against plan", "Milestones", "Risks", "Open issues",
                "Change requests", "Resources", "PMO standards", "Headline figures", "Projects",
                "Status at a glance", "Budget by program", "Top risks", "Demand pipeline"}
    for page in PAGES[1:]:
        browser.open((sample_run / page).as_uri())
        for number, text in enumerate(pdf_pages(browser.print_pdf(paper="a4", outline=False), tmp_path), 1):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            tail = lines[-2:] if lines else []
            assert not headings.intersection(tail), (page, number, tail)


def test_a_long_printed_table_repeats_its_header_and_never_splits_a_row(browser, tmp_path):
    import pandas as pd

    from pmo_lib.reports.tables import table

    css = (PROJECT_ROOT / "pmo_lib" / "report_templates" / "pmo" / "report.css").read_text(encoding="utf-8")
    frame = pd.DataFrame({"risk": [f"Risk number {i} with a long name that wraps over two lines of the cell"
                                   for i in range(120)],
                          "owner": ["Aisha Bello"] * 120, "due": pd.date_range("2026-01-01", periods=120)})
    page = tmp_path / "long.html"
    page.write_text(f'<!DOCTYPE html><html><head><style>{css}</style></head><body><main class="pmo-report">'
                    f'<div class="pmo-output">{table(frame, dates=["due"]).html}</div></main></body></html>',
                    encoding="utf-8")
    browser.open(page.as_uri())
    pages = pdf_pages(browser.print_pdf(paper="a4", outline=False), tmp_path)
    assert len(pages) >= 3
    for text in pages:
        lines = [line.split() for line in text.splitlines() if line.strip()]
        assert lines[0] == ["risk", "owner", "due"]  # the header on every page
        assert lines[1][:2] == ["Risk", "number"]  # a page starts with a whole row, not a row's tail
