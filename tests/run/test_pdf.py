"""The board pack, read back from the PDF: pages, bookmarks, page numbers and text (poppler)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_lib.cli.main import main
from pmo_lib.run.chromium import find_chromium
from pmo_lib.run.pdf import _demote_headings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed (Debian package 'chromium')"),
    pytest.mark.skipif(shutil.which("pdftohtml") is None, reason="poppler-utils is not installed"),
]

def read_pdf(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    """The text of every page and the bookmarks as (page, title)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", str(path)], capture_output=True,
                         text=True, check=True).stdout
    outline = xml[xml.find("<outline>"):xml.rfind("</outline>")]  # nested outlines: continued pages
    bookmarks = [(int(page), title.replace("&amp;", "&"))
                 for page, title in re.findall(r'<item page="(\d+)">([^<]*)</item>', outline)]
    pages = text.split("\f")[:count]
    assert len(pages) == count
    return pages, bookmarks


@pytest.fixture(scope="module")
def run_dir(sample_pack_run):
    """`pmo-report run --pdf` of two projects of one program (with the portfolio and the program)."""
    return sample_pack_run


def test_run_pdf_writes_a_pack_with_one_bookmark_per_page_and_numbered_pages(run_dir):
    pages, bookmarks = read_pdf(run_dir / "board-pack.pdf")
    assert [page for page, _ in bookmarks] == list(range(1, len(pages) + 1))  # one bookmark per page
    parts = [title for _, title in bookmarks if ", page " not in title]
    assert parts == [
        "Board pack", "Portfolio overview: Northwind Utilities", "Program: Digital Customer",
        "PRJ-001: Customer Portal Rebuild", "PRJ-003: Contact Centre Cloud Migration"]
    continued = [(page, title) for page, title in bookmarks if ", page " in title]
    assert continued, "the portfolio page is longer than one printed page"
    for page, title in continued:
        part, _, rest = title.partition(", page ")
        number, _, section = rest.partition(": ")
        assert part in parts and int(number) >= 2, title
        assert title.replace("&amp;", "&") in " ".join(pages[page - 1].split())  # printed at the page's top
        if section:
            assert section in pages[page - 1], title
    assert [t for _, t in bookmarks][-2:] == parts[-2:]  # each project: exactly one page
    for number, text in enumerate(pages, 1):
        assert f"{number} / {len(pages)}" in text  # page numbers in every footer
        assert "Northwind Utilities · board pack · status as of 2026-11-20" in text
    cover = pages[0]
    assert "Board pack" in cover and "Status as of 2026-11-20" in cover
    assert "PRJ-003: Contact Centre Cloud Migration · RED" in cover
    project = pages[-1]
    for top in ("Contact Centre Cloud Migration", "Status update of 2026-11-20", "Key figures", "€172k"):
        assert top in project
    assert "PMO standards" not in project  # the rest of the project page is left out


def test_pdf_command_keeps_only_the_named_programs(run_dir, tmp_path):
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(main, ["pdf", "--run", str(run_dir), "--out", str(out),
                                       "--programs", "digital customer", "--paper", "letter"])
    assert result.exit_code == 0, result.output
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "612 x 792 pts (letter)" in info
    pages, bookmarks = read_pdf(out)
    assert [page for page, _ in bookmarks] == list(range(1, len(pages) + 1))  # on Letter too
    assert [t for _, t in bookmarks if ", page " not in t][2:] == [
        "Program: Digital Customer", "PRJ-001: Customer Portal Rebuild", "PRJ-003: Contact Centre Cloud Migration"]


def test_an_unknown_program_is_refused_and_nothing_is_written(run_dir, tmp_path):
    out = tmp_path / "pack.pdf"
    result = CliRunner().invoke(main, ["pdf", "--run", str(run_dir), "--out", str(out), "--programs", "Nope"])
    assert result.exit_code == 2
    assert "--programs: nope not in the run (its programs: Digital Customer)" in result.output
    assert not out.exists()


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["pdf", "--run", str(tmp_path)])
    assert result.exit_code == 2
    assert "board pack not written" in result.output


def test_page_headings_become_blocks_so_only_part_titles_are_bookmarks():
    assert _demote_headings('<h2 class="pmo-section">Risks &lt;top&gt;</h2>') == (
        '<div class="pmo-pack-h pmo-pack-h2 pmo-section">Risks &lt;top&gt;</div>')
