"""The sample's messages as a recipient gets them: weight, palette PNGs, content, a 390 px phone.

`pmo-report email --dry-run` writes the .eml files of a real run of the
sample (PRJ-001, PRJ-003, their program and the portfolio); they are read
back with the standard library and the HTML part is opened in headless
Chromium at 390 px with its images inlined.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io

import pytest
from click.testing import CliRunner
from PIL import Image

from pmo_lib.cli.main import main
from pmo_lib.mail.mail_html import MAIL_WIDTH, PNG_COLOURS
from pmo_lib.run.chromium import Chromium, find_chromium

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed (Debian package 'chromium')"),
]
LIMITS = {"projects/PRJ-003.eml": 250_000, "projects/PRJ-001.eml": 250_000,
          "programs/digital-customer.eml": 400_000, "portfolio.eml": 400_000}


@pytest.fixture(scope="module")
def messages(sample_pack_run):
    result = CliRunner().invoke(main, ["email", "--run", str(sample_pack_run), "--dry-run"])
    assert result.exit_code == 0, result.output
    folder = sample_pack_run / "email"
    return {name: (folder / name).read_bytes() for name in LIMITS}


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


@pytest.mark.parametrize("name", list(LIMITS))
def test_every_message_stays_under_its_weight_with_palette_pngs_for_the_mail_column(messages, name):
    data = messages[name]
    assert len(data) <= LIMITS[name], f"{name}: {len(data):,} bytes"
    pngs = [part for part in parse(data).walk() if part.get_content_type() == "image/png"]
    assert pngs or name.startswith("portfolio")
    for part in pngs:
        with Image.open(io.BytesIO(part.get_payload(decode=True))) as picture:
            assert picture.mode == "P" and len(picture.getcolors(256)) <= PNG_COLOURS
            assert picture.width <= 2 * MAIL_WIDTH  # 2x the mail column at most


def test_the_portfolio_mail_carries_the_watermelons_and_no_unreachable_path(messages):
    message = parse(messages["portfolio.eml"])
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Watermelon projects" in html and "Headline figures" in html
    for part in (html, text):
        assert "run folder" not in part and "projects/PRJ-" not in part


def test_project_text_part_names_no_path_and_uses_the_run_number_format(messages):
    text = parse(messages["projects/PRJ-003.eml"]).get_body(("plain",)).get_content()
    assert "EAC              €218k (budget at completion €172k)" in text
    assert "run folder" not in text and ".html" not in text


@pytest.mark.parametrize("name", ["projects/PRJ-003.eml", "portfolio.eml"])
def test_a_message_fits_a_390_px_phone_without_scrolling_sideways(messages, name, tmp_path):
    message = parse(messages[name])
    html = message.get_body(("html",)).get_content()
    for part in message.walk():
        if part.get_content_type() == "image/png":
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(f"cid:{part['Content-ID'].strip('<>')}", f"data:image/png;base64,{data}")
    page = tmp_path / "mail.html"
    page.write_text(html, encoding="utf-8")
    with Chromium() as browser:
        browser.open(page.as_uri(), width=390)
        assert browser.evaluate("document.documentElement.scrollWidth") <= 390
        assert browser.evaluate("document.querySelectorAll('img').length") == html.count("<img")
