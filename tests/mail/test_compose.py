"""The e-mail rendering of each report kind: mail-client-safe HTML, cid PNGs, plain text, size limit."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from bs4 import BeautifulSoup

from pmo_lib.mail import compose
from pmo_lib.mail.compose import BODY_LIMIT, build_message, render_report_email
from pmo_lib.mail.mail_html import clean_style, mail_fragment
from pmo_lib.run.folder import RunFolder
from tests.email_support import HOSTILE, HOSTILE_IMG, cid_parts, html_part, make_run, text_part


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return RunFolder.open(make_run(tmp_path_factory.mktemp("render"), failed=("PRJ-003",)))


def _entry(run, key):
    return next(r for r in run.reports if r["key"] == key)


def _assert_mail_safe(mail):
    soup = BeautifulSoup(mail.html, "html.parser")
    assert mail.html_bytes < BODY_LIMIT
    assert soup.find("script") is None and "<script" not in mail.html.lower()
    assert soup.find("svg") is None
    assert not soup.find_all(attrs={"onerror": True}) and "javascript:" not in mail.html
    for style in soup.find_all("style"):  # only @media rules stay in <head>; the rest is inlined
        assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", style.text).strip() == ""
    for element in soup.find_all(style=True):
        assert "flex" not in element["style"] and "grid" not in element["style"]
        assert "url(" not in element["style"]
    cids = {i.cid for i in mail.images}
    for img in soup.find_all("img"):
        assert img["src"].startswith("cid:") and img["src"][4:] in cids
        assert img.get("alt")
    assert soup.find(class_="pmo-mail-container") is not None


@pytest.mark.parametrize("key", ["projects/PRJ-001", "programs/digital-customer", "portfolio/portfolio"])
def test_every_report_kind_renders_mail_safe_html(run, key):
    mail = render_report_email(run, _entry(run, key))
    _assert_mail_safe(mail)
    assert mail.images, "the chart became an inline PNG"
    assert all(i.data.startswith(b"\x89PNG") for i in mail.images)
    assert not mail.trimmed and not mail.attachments


def test_project_mail_shows_tiles_as_a_table_row_and_css_inlined(run):
    mail = render_report_email(run, _entry(run, "projects/PRJ-001"))
    soup = BeautifulSoup(mail.html, "html.parser")
    tiles = soup.find("table", class_="pmo-mail-tiles") or soup.find_all("td", class_="pmo-mail-tile")
    assert tiles
    cells = soup.find_all("td", class_="pmo-mail-tile")
    assert len([c for c in cells if c.get_text(strip=True)]) == 5
    assert soup.find("h2")["style"]  # stylesheet inlined onto the heading
    assert "Change the parameters" not in mail.html  # the notebook's own instructions are left out
    assert soup.find("h1").get_text() == "Customer Portal Rebuild"


def test_project_text_part_has_the_key_figures(run):
    text = render_report_email(run, _entry(run, "projects/PRJ-001")).text
    for expected in ("Customer Portal Rebuild", "GREEN", "SPI              1.02", "CPI              1.05",
                     "EAC              €599k", "Forecast finish  2027-07-21"):
        assert expected in text


def test_program_text_part_lists_each_project_with_its_rag(run):
    text = render_report_email(run, _entry(run, "programs/digital-customer")).text
    assert re.search(r"RED\s+PRJ-002", text) and re.search(r"GREEN\s+PRJ-001", text)
    assert "PRJ-003" not in text  # another program


def test_hostile_names_are_escaped_in_html_and_literal_in_text(run):
    for key in ("programs/digital-customer", "portfolio/portfolio"):
        mail = render_report_email(run, _entry(run, key))
        assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
        assert "<img src=x" not in mail.html and "&lt;img src=x onerror=alert(1)&gt;" in mail.html
        assert HOSTILE in mail.text and HOSTILE_IMG in mail.text
    mail = render_report_email(run, _entry(run, "projects/PRJ-002"))
    _assert_mail_safe(mail)
    assert mail.fields["project"].startswith("Mobile </script>")


def test_failed_report_is_named_in_the_portfolio_mail(run):
    mail = render_report_email(run, _entry(run, "portfolio/portfolio"))
    assert "1 report(s) failed" in mail.text and "PRJ-003" in mail.text and "KeyError" in mail.text
    assert "1 report(s) failed in this run and were not mailed" in mail.html


def test_a_report_too_long_for_a_mail_keeps_its_head_and_attaches_the_page(tmp_path):
    run = RunFolder.open(make_run(tmp_path, big=("PRJ-001",)))
    mail = render_report_email(run, _entry(run, "projects/PRJ-001"))
    assert mail.trimmed and mail.html_bytes < BODY_LIMIT
    assert "shows the head of the report only" in mail.html and "PRJ-001.html" in mail.html
    assert "Issue number 399" not in mail.html and ">Milestones</h2>" in mail.html
    assert [a.filename for a in mail.attachments] == ["PRJ-001.html"]
    _assert_mail_safe(mail)


def test_a_message_over_its_scope_budget_is_cut_until_the_whole_message_fits(run, monkeypatch):
    """The budget counts the PNGs too: a body within BODY_LIMIT whose charts weigh too much is cut."""
    full = render_report_email(run, _entry(run, "projects/PRJ-001"))
    whole = len(build_message(full, sender="pmo@example.org", to=["a@example.org"], subject="s").as_bytes())
    assert not full.trimmed and full.images
    budget = whole - 2_000
    monkeypatch.setitem(compose.MESSAGE_LIMITS, "project", budget)
    mail = render_report_email(run, _entry(run, "projects/PRJ-001"))
    message = build_message(mail, sender="pmo@example.org", to=["a@example.org"], subject="s").as_bytes()
    assert mail.trimmed and len(mail.images) < len(full.images)
    assert len(message) <= budget
    assert "shows the head of the report only" in mail.html
    _assert_mail_safe(mail)


def test_attach_page_attaches_the_full_web_page(run):
    mail = render_report_email(run, _entry(run, "programs/grid-modernisation"), attach_page=True)
    assert [a.filename for a in mail.attachments] == ["grid-modernisation.html"]
    assert "attached (grid-modernisation.html)" in mail.text


def test_message_structure_and_every_cid_resolves(run):
    mail = render_report_email(run, _entry(run, "projects/PRJ-001"), attach_page=True)
    message = build_message(mail, sender="PMO <pmo@example.org>", to=["a@example.org"], cc=["b@example.org"],
                            subject="[PMO] Customer\nPortal: GREEN")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed["Subject"] == "[PMO] Customer Portal: GREEN" and parsed["Cc"] == "b@example.org"
    assert parsed["Message-ID"].endswith("@example.org>")
    related = html_part(parsed)
    assert [p.get_content_type() for p in parsed.walk()][:3] == ["multipart/mixed", "multipart/alternative",
                                                                 "text/plain"]
    html = related.get_content()
    parts = cid_parts(parsed)
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert cids and all(parts[c].get_content_type() == "image/png" for c in cids)
    assert "SPI" in text_part(parsed).get_content()
    assert any(p.get_filename() == "PRJ-001.html" for p in parsed.iter_attachments())


def test_markdown_headings_cannot_bring_remote_images_or_script(tmp_path):
    import nbformat

    run_dir = make_run(tmp_path)
    run = RunFolder.open(run_dir)
    entry = _entry(run, "projects/PRJ-001")
    notebook = nbformat.read(run_dir / entry["notebook"], as_version=4)
    notebook.cells.insert(6, nbformat.v4.new_markdown_cell(
        "## Note ![x](https://tracker.example/p.gif) [a](javascript:alert(1)) <script>alert(1)</script>"))
    nbformat.write(notebook, run_dir / entry["notebook"])
    mail = render_report_email(run, entry)
    _assert_mail_safe(mail)
    assert "tracker.example" not in mail.html and "javascript:" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html


def test_mail_fragment_drops_remote_and_data_images():
    html = ('<p><img src="https://tracker.example/p.gif"><img src="data:image/png;base64,AAAA">'
            '<span style="background:url(https://x/y.png);color:red">x</span></p>')
    out = mail_fragment(html).html
    assert "<img" not in out and "url(" not in out and "color:red" in out
    assert clean_style("display:inline-flex;padding:1px") == "padding:1px"


def test_page_links_become_published_addresses_or_plain_text(tmp_path):
    import json

    import nbformat

    folder = make_run(tmp_path)
    path = folder / "notebooks" / "projects" / "PRJ-001.ipynb"
    book = nbformat.read(str(path), as_version=4)
    link = '<nav><a class="pmo-link" href="../programs/digital-customer.html">Digital Customer program</a></nav>'
    header = next(c for c in book.cells if c.cell_type == "code" and c.outputs)
    header.outputs[0]["data"]["text/html"] += link
    nbformat.write(book, str(path))
    entry = _entry(RunFolder.open(folder), "projects/PRJ-001")

    plain = BeautifulSoup(render_report_email(RunFolder.open(folder), entry).html, "html.parser")
    assert "Digital Customer program" in plain.get_text(" ")
    assert not [a for a in plain.find_all("a") if "digital-customer" in (a.get("href") or "")]  # no dead link

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["parameters"]["report_base_url"] = "https://pmo.example.org/runs/"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    published = BeautifulSoup(render_report_email(RunFolder.open(folder), entry).html, "html.parser")
    hrefs = [a["href"] for a in published.find_all("a") if a.get("href")]
    assert f"https://pmo.example.org/runs/{folder.name}/programs/digital-customer.html" in hrefs


def _with_parameters(run_dir, **parameters):
    import json

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"].update(parameters)
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return RunFolder.open(run_dir)


def test_report_base_url_links_the_published_page_instead_of_attaching_it(tmp_path):
    run = _with_parameters(make_run(tmp_path, big=("PRJ-001",)), report_base_url="https://pmo.example.org/out/")
    mail = render_report_email(run, _entry(run, "projects/PRJ-001"))
    url = "https://pmo.example.org/out/run/projects/PRJ-001.html"
    assert f'href="{url}"' in mail.html and "Open the full report" in mail.html
    assert f"The full report: {url}" in mail.text
    assert mail.trimmed and mail.attachments == ()  # the link replaces the attachment


def test_without_a_base_url_no_message_names_a_path_of_the_run_folder(run):
    for entry in run.reports:
        if entry["status"] != "ok":
            continue
        mail = render_report_email(run, entry)
        assert "run folder" not in mail.text and str(entry["page"]) not in mail.text
        assert "run folder" not in mail.html


def test_a_page_too_heavy_for_the_message_is_not_attached_and_the_mail_says_where_it_is(tmp_path):
    run_dir = make_run(tmp_path, big=("PRJ-001",))
    (run_dir / "projects" / "PRJ-001.html").write_text("<p>" + "x" * 300_000 + "</p>", encoding="utf-8")
    run = RunFolder.open(run_dir)
    mail = render_report_email(run, _entry(run, "projects/PRJ-001"))
    assert mail.trimmed and mail.attachments == ()
    assert "the full report is on the run's web pages" in mail.html.replace("&#x27;", "'")
    assert "The full report is on the run's web pages." in mail.text
    size = len(build_message(mail, sender="pmo@example.org", to=["a@example.org"], subject="s").as_bytes())
    assert size <= 250_000


def test_chart_pngs_are_palette_images_a_fraction_of_the_full_colour_size():
    import io

    import altair as alt
    import pandas as pd
    import vl_convert
    from PIL import Image

    from pmo_lib.charts.render import chart_svg
    from pmo_lib.mail.mail_html import PNG_COLOURS, svg_to_image

    frame = pd.DataFrame({"x": range(40), "y": [v * v for v in range(40)], "s": ["a", "b"] * 20})
    svg = chart_svg(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q", color="s:N").properties(width=600))
    width = float(re.search(r'width="([0-9.]+)"', svg).group(1))
    image, shown, _ = svg_to_image(svg, width, 300)
    with Image.open(io.BytesIO(image.data)) as picture:
        assert picture.mode == "P" and len(picture.getcolors(256)) <= PNG_COLOURS
        assert picture.width == 2 * shown
    full = vl_convert.svg_to_png(svg, scale=2.0)
    assert len(image.data) < 0.6 * len(full)


def test_a_chart_svg_goes_to_the_png_renderer_as_written_and_marks_cannot_be_forged():
    import altair as alt
    import pandas as pd

    from pmo_lib.charts.render import show_chart
    from pmo_lib.mail import mail_html

    figure = show_chart(alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 1]})).mark_line().encode(
        x="x:Q", y="y:Q").properties(width=300, title="Trend <b>"), caption="Cost & time").html
    svg = re.search(r"<svg\b.*?</svg>", figure, re.S).group(0)
    emptied, kept = mail_html._set_aside_svgs(figure)
    assert list(kept.values()) == [svg] and "<path" not in emptied and 'aria-label="Trend &lt;b&gt;"' in emptied
    rendered = []
    real = mail_html.svg_to_image
    mail_html.svg_to_image = lambda markup, *a, **k: rendered.append(markup) or real(markup, *a, **k)
    try:
        fragment = mail_fragment(figure)
        forged = mail_fragment('<p>x</p><svg data-pmo-svg="0-0" width="20" height="10"><rect width="5" height="5"/>'
                               '</svg>')
    finally:
        mail_html.svg_to_image = real
    assert rendered[0] == svg  # the renderer got the chart's own markup, not BeautifulSoup's rewrite of it
    assert 'alt="Trend &lt;b&gt;"' in fragment.html and "Cost &amp; time" in fragment.html
    assert rendered[1].startswith("<svg") and "<rect" in rendered[1]  # a made-up mark is just an SVG: drawn as is
    assert len(forged.images) == 1 and "data-pmo-svg" not in forged.html


def test_an_svg_holding_another_is_left_whole_to_beautifulsoup():
    from pmo_lib.mail import mail_html

    nested = '<svg width="20" height="10"><svg width="5" height="5"><rect width="5" height="5"/></svg></svg>'
    emptied, kept = mail_html._set_aside_svgs(nested)
    assert kept == {} and emptied == nested
    assert len(mail_fragment(nested).images) == 1
