"""Tests for pmo_lib.reports.html: formatted, escaped HTML fragments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from IPython.core.formatters import DisplayFormatter

from pmo_lib.formatting import escape
from pmo_lib.reports.html import HtmlFragment, Tile, kpi_tiles, missing_table, note, rag_badge, report_header, section
from pmo_lib.reports.tables import table

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "{{7*7}}",
]


def soup_of(fragment: HtmlFragment) -> BeautifulSoup:
    return BeautifulSoup(fragment.html, "html.parser")


def assert_inert(soup: BeautifulSoup) -> None:
    """No element a hostile value could have created, and no event handler."""
    assert soup.find_all(["script", "img", "svg", "iframe", "object"]) == []
    for element in soup.find_all(True):
        assert not [a for a in element.attrs if a.lower().startswith("on")], element


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Apollo", "Line one\nline two", None],
            "bac": [1234567.891, -12500.0, np.nan],
            "cpi": [0.8921, np.inf, np.nan],
            "finish": pd.to_datetime(["2024-05-31", None, "2025-01-02"]),
            "done": [42.4, 100.0, 0.0],
            "slip": [12.4, -3.0, np.nan],
            "rag": ["red", "Green", None],
            "tasks": [1200, 3, 7],
            "hours": [1.5, 2.0, 3.25],
            "active": [True, False, True],
        }
    )


def cell_texts(fragment: HtmlFragment) -> list[list[str]]:
    rows = soup_of(fragment).select("tbody tr")
    return [[td.get_text() for td in row.find_all("td")] for row in rows]


def test_table_formats_each_kind_of_column(frame):
    result = table(
        frame, money=["bac"], ratios=["cpi"], percent=["done"], days=["slip"], rag=["rag"],
        currency="EUR",
    )
    assert cell_texts(result) == [
        ["Apollo", "€1.23M", "0.89", "2024-05-31", "42%", "+12 d", "RED", "1,200", "1.50", "yes"],
        ["Line oneline two", "-€12.5k", "n/a", "n/a", "100%", "-3 d", "GREEN", "3", "2.00", "no"],
        ["", "n/a", "n/a", "2025-01-02", "0%", "n/a", "N/A", "7", "3.25", "yes"],
    ]
    assert "Line one<br/>line two" in str(soup_of(result).find("tbody"))


def test_table_right_aligns_numbers_only(frame):
    soup = soup_of(table(frame, money=["bac"], ratios=["cpi"], rag=["rag"]))
    headers = soup.select("thead th")
    aligned = {th.get_text(): "num" in (th.get("class") or []) for th in headers}
    assert aligned == {
        "name": False, "bac": True, "cpi": True, "finish": False, "done": True,
        "slip": True, "rag": False, "tasks": True, "hours": True, "active": False,
    }
    first_row = soup.select("tbody tr")[0].find_all("td")
    assert "text-align:right" in first_row[1]["style"]
    assert first_row[0]["style"] == "text-align:left"  # inline, so JupyterLab's stylesheet cannot right-align it
    assert [th["style"] for th in headers if th.get_text() in ("name", "rag")] == ["text-align:left"] * 2


def test_table_rag_column_is_a_badge_with_the_word(frame):
    soup = soup_of(table(frame, rag=["rag"]))
    badges = soup.select("td span.pmo-rag")
    assert [b.get_text() for b in badges] == ["RED", "GREEN", "N/A"]
    assert badges[0]["class"] == ["pmo-rag", "pmo-rag--red"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_table_escapes_cells_headers_labels_and_caption(hostile):
    frame = pd.DataFrame({hostile: [hostile], "other": [hostile], "rag": [hostile]})
    result = table(frame, rag=["rag"], labels={"other": hostile}, caption=hostile)
    soup = soup_of(result)
    assert_inert(soup)
    assert [th.get_text() for th in soup.select("thead th")] == [hostile, hostile, "rag"]
    assert [td.get_text() for td in soup.select("tbody td")] == [hostile, hostile, "N/A"]
    assert soup.find("caption").get_text() == hostile
    assert "49" not in result.html


def test_table_of_an_empty_frame_shows_the_message():
    empty = pd.DataFrame({"title": pd.Series(dtype=str)})
    result = table(empty, caption="Open issues", empty_message="No open issues <yet>")
    soup = soup_of(result)
    assert soup.find("table") is None
    assert soup.select_one(".pmo-empty").get_text() == "No open issues <yet>"
    assert soup.select_one(".pmo-caption").get_text() == "Open issues"
    assert repr(result) == "No open issues <yet>"


def test_table_rejects_an_unknown_column(frame):
    with pytest.raises(ValueError, match="'spi' listed as ratio is not in the table"):
        table(frame, ratios=["spi"])


def test_table_does_not_modify_the_frame(frame):
    before = frame.copy()
    table(frame, money=["bac"], rag=["rag"])
    pd.testing.assert_frame_equal(frame, before)


def test_table_hides_the_index():
    frame = pd.DataFrame({"a": [1]}, index=["secret-index"])
    assert "secret-index" not in table(frame).html


@pytest.mark.parametrize(
    ("rag", "word"),
    [("green", "GREEN"), ("AMBER", "AMBER"), ("red", "RED"), ("grey", "N/A"), (None, "N/A")],
)
def test_rag_badge_carries_the_word(rag, word):
    badge = rag_badge(rag)
    span = soup_of(badge).find("span")
    assert span.get_text() == word
    assert repr(badge) == word
    assert "background:" in span["style"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_rag_badge_of_hostile_text_is_a_grey_badge(hostile):
    badge = rag_badge(hostile)
    assert_inert(soup_of(badge))
    assert soup_of(badge).get_text() == "N/A"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_kpi_tiles_escape_everything(hostile):
    tiles = kpi_tiles([Tile(label=hostile, value=hostile, sub=hostile, rag="red", trend="down")])
    soup = soup_of(tiles)
    assert_inert(soup)
    assert soup.select_one(".pmo-tile__label span").get_text() == hostile
    assert soup.select_one(".pmo-tile__value").get_text() == hostile
    assert soup.select_one(".pmo-tile__sub").get_text() == f"▼ {hostile}"


def test_kpi_tiles_layout_values_and_rag():
    tiles = kpi_tiles(
        [
            {"label": "CPI", "value": "0.89", "sub": "was 0.91", "trend": "down", "rag": "amber"},
            {"label": "Projects", "value": 12},
            {"label": "SPI", "value": 0.8765},
            {"label": "EAC", "value": float("nan")},
        ]
    )
    soup = soup_of(tiles)
    assert "flex-wrap:wrap" in soup.select_one(".pmo-tiles")["style"]
    values = [v.get_text() for v in soup.select(".pmo-tile__value")]
    assert values == ["0.89", "12", "0.88", "n/a"]
    first = soup.select(".pmo-tile")[0]
    assert "border-left:6px solid #c77c02" in first["style"]
    assert first.select_one(".pmo-rag").get_text() == "AMBER"
    assert soup.select(".pmo-tile")[1].select_one(".pmo-rag") is None


def test_report_header_escapes_and_shows_status_and_changes():
    hostile = HOSTILE[1]
    header = report_header(
        hostile,
        [f"Manager: {hostile}", "Sponsor: Board"],
        rag="red",
        dimensions={"schedule": "green", "cost": "red", "open_issues": "amber"},
        changes={"overall": "amber", "schedule": "amber", "cost": "red"},
    )
    soup = soup_of(header)
    assert_inert(soup)
    assert soup.find("h1").get_text() == hostile
    assert [p.get_text() for p in soup.select(".pmo-header__sub")] == [
        f"Manager: {hostile}", "Sponsor: Board"
    ]
    assert soup.select_one(".pmo-header__overall").get_text(" ", strip=True) == (
        "Overall RED ▼ was AMBER"
    )
    items = [li.get_text(" ", strip=True) for li in soup.select(".pmo-header__dimensions li")]
    assert items == ["Schedule GREEN ▲ was AMBER", "Cost RED", "Open issues AMBER"]


def test_report_header_without_status_has_no_status_block():
    soup = soup_of(report_header("Apollo"))
    assert soup.select_one(".pmo-header__status") is None


@pytest.mark.parametrize("hostile", HOSTILE)
def test_note_section_and_escape(hostile):
    for fragment in (note(hostile), note(hostile, kind="warning"), section(hostile, intro=hostile)):
        soup = soup_of(fragment)
        assert_inert(soup)
        assert hostile in soup.get_text()
    assert escape(hostile) == (
        hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#x27;")
    )


def test_missing_table_note_names_the_table_and_the_fix():
    text = soup_of(missing_table("risks")).get_text()
    assert text == (
        "No risk register supplied: add risks.csv (or a 'risks' sheet) "
        "to the portfolio data to fill this section."
    )
    assert soup_of(missing_table("issues")).get_text().startswith("No issue log supplied")


def test_fragments_display_as_html_in_ipython():
    data, _ = DisplayFormatter().format(table(pd.DataFrame({"a": [1]}), caption="Costs"))
    assert data["text/html"].startswith('<div class="pmo-table-wrap pmo-table-wrap--short"')
    assert data["text/plain"] == "Costs: table of 1 row"
