"""``pmo-report email`` end to end against a real SMTP server with STARTTLS and AUTH."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from pmo_lib.cli import main
from pmo_lib.mail.compose import BODY_LIMIT
from pmo_lib.mail.send import email_run
from tests.email_support import (  # noqa: F401 - pytest fixtures
    HOSTILE,
    PASSWORD,
    USER,
    cid_parts,
    handler,
    html_part,
    make_run,
    server,
    text_part,
    write_distribution,
)

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

OK_REPORTS = {"portfolio/portfolio", "programs/digital-customer", "programs/grid-modernisation",
              "projects/PRJ-001", "projects/PRJ-002"}


@pytest.fixture
def run_dir(tmp_path):
    return make_run(tmp_path / "r", failed=("PRJ-003",))


@pytest.fixture
def lists(tmp_path):
    return write_distribution(tmp_path / "distribution.yaml")


def _send(run_dir, lists, server, lines=None, **options):
    lines = [] if lines is None else lines
    code = email_run(run_dir, distribution=lists, environ=server.environ(), echo=lines.append,
                     sleep=lambda s: None, **options)
    return code, lines


def _no_secret_in(folder):
    for file in folder.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert PASSWORD.encode() not in data, file
            assert USER.encode() not in data, file


def test_every_ok_report_is_mailed_once_to_its_list(run_dir, lists, server, handler):
    code, lines = _send(run_dir, lists, server)
    assert code == 0, lines
    delivered = handler.by_report()
    assert set(delivered) == OK_REPORTS  # PRJ-003 failed in the run: not mailed
    rcpts, project = delivered["projects/PRJ-001"]
    assert rcpts == ["zoe.muller@example.org", "henrik.sorensen@example.org"]
    assert project["To"] == "zoe.muller@example.org" and project["Cc"] == "henrik.sorensen@example.org"
    assert project["Subject"] == "[PMO] Customer Portal Rebuild status 2026-11-20: GREEN"
    assert project["From"] == "PMO Office <pmo@example.org>"
    assert delivered["portfolio/portfolio"][0] == ["pmo-office@example.com", "board@example.com"]
    for key, (_, message) in delivered.items():
        html = html_part(message).get_content()
        assert len(html.encode("utf-8")) < BODY_LIMIT and "<script" not in html.lower()
        parts = cid_parts(message)
        cids = re.findall(r'src="cid:([^"]+)"', html)
        assert cids, key
        assert all(parts[c].get_content_type() == "image/png" for c in cids), key
        assert not re.search(r'src="(?!cid:)', html), key
    text = text_part(delivered["projects/PRJ-001"][1]).get_content()
    # money in the run's number format: compact by default (parameters/defaults.yaml number_format)
    assert "SPI              1.02" in text and "EAC              €599k" in text
    assert "skipped  projects/PRJ-003: the report failed in the run, so it is not mailed" in lines
    sent = json.loads((run_dir / "email" / "sent.json").read_text())["messages"]
    assert {m["key"] for m in sent} == OK_REPORTS
    assert all(m["state"] == "sent" and m["message_id"].startswith("<") and m["time"] for m in sent)
    _no_secret_in(run_dir)


def test_the_portfolio_mail_names_the_failed_report(run_dir, lists, server, handler):
    assert _send(run_dir, lists, server, only=["portfolio"])[0] == 0
    (_, message), = handler.by_report().values()
    assert "PRJ-003" in text_part(message).get_content()
    assert "failed in this run and were not mailed" in html_part(message).get_content()


def test_hostile_project_name_is_escaped_in_html_and_literal_in_text(run_dir, lists, server, handler):
    assert _send(run_dir, lists, server, only=["projects/PRJ-002"])[0] == 0
    (_, message), = handler.by_report().values()
    html = html_part(message).get_content()
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html.lower()
    assert "<img src=x" not in html and "onerror=alert" not in html.replace("&lt;img src=x onerror=alert", "")
    assert HOSTILE in text_part(message).get_content()
    assert HOSTILE in message["Subject"]  # a header is text, not markup


def test_a_second_send_is_a_no_op_and_resend_sends_again(run_dir, lists, server, handler):
    assert _send(run_dir, lists, server)[0] == 0
    first = len(handler.messages)
    code, lines = _send(run_dir, lists, server)
    assert code == 0 and len(handler.messages) == first
    assert "skipped  projects/PRJ-001: already sent (--resend to send again)" in lines
    code, _ = _send(run_dir, lists, server, resend=True, only=["projects/PRJ-001"])
    assert code == 0 and len(handler.messages) == first + 1
    sent = json.loads((run_dir / "email" / "sent.json").read_text())["messages"]
    assert [m["key"] for m in sent].count("projects/PRJ-001") == 2


def test_a_refused_recipient_does_not_stop_the_rest_and_the_exit_code_says_so(run_dir, lists, server, handler):
    handler.refuse = {"henrik.sorensen@example.org"}
    code, lines = _send(run_dir, lists, server)
    assert code == 1
    assert set(handler.by_report()) == OK_REPORTS - {"programs/digital-customer"}  # Henrik is its only recipient
    assert handler.by_report()["projects/PRJ-001"][0] == ["zoe.muller@example.org"]
    assert any(line.startswith("FAILED   projects/PRJ-001: henrik.sorensen@example.org refused: 550")
               for line in lines)
    delivered = len(handler.messages)
    code, _ = _send(run_dir, lists, server)  # the next run retries only the refused address
    assert code == 1 and len(handler.messages) == delivered
    handler.refuse = set()
    code, _ = _send(run_dir, lists, server)
    assert code == 0
    again = handler.messages[delivered:]
    assert sorted(r for rcpts, _, _ in again for r in rcpts) == ["henrik.sorensen@example.org"] * 3


def test_a_transient_421_is_retried(run_dir, lists, server, handler):
    handler.transient_data_failures = 2
    assert _send(run_dir, lists, server, only=["projects/PRJ-001"])[0] == 0
    assert len(handler.messages) == 1


def test_dry_run_writes_eml_files_and_sends_nothing(run_dir, lists, handler, server):
    lines = []
    code = email_run(run_dir, distribution=lists, dry_run=True, environ={}, echo=lines.append)
    assert code == 0 and handler.messages == []
    written = sorted(p.relative_to(run_dir / "email").as_posix() for p in (run_dir / "email").rglob("*.eml"))
    assert written == ["portfolio.eml", "programs/digital-customer.eml", "programs/grid-modernisation.eml",
                       "projects/PRJ-001.eml", "projects/PRJ-002.eml"]
    assert not (run_dir / "email" / "sent.json").exists()
    assert lines[-1].endswith("(dry run: nothing sent)")
    import email as email_lib
    import email.policy

    message = email_lib.message_from_bytes((run_dir / "email" / "projects" / "PRJ-001.eml").read_bytes(),
                                           policy=email.policy.default)
    assert message["To"] == "zoe.muller@example.org"
    _no_secret_in(run_dir)


def test_to_replaces_the_lists_and_does_not_count_as_the_real_send(run_dir, lists, server, handler):
    assert _send(run_dir, lists, server, to=["tester@example.net"], only=["projects/PRJ-001"])[0] == 0
    assert handler.messages[0][0] == ["tester@example.net"]
    assert _send(run_dir, lists, server, only=["projects/PRJ-001"])[0] == 0
    assert handler.messages[1][0] == ["zoe.muller@example.org", "henrik.sorensen@example.org"]


@pytest.mark.parametrize(("options", "message"), [
    ({"only": ["projects/PRJ-999"]}, "--only: no report matches 'projects/PRJ-999'"),
    ({"only": ["project/PRJ-01"]}, "did you mean 'projects/PRJ-001'?"),
    ({"to": ["not-an-address"]}, "--to: not an e-mail address: not-an-address"),
])
def test_bad_input_exits_2_and_sends_nothing(run_dir, lists, server, handler, capsys, options, message):
    assert _send(run_dir, lists, server, **options)[0] == 2
    assert message in capsys.readouterr().err and handler.messages == []


def test_missing_smtp_settings_or_addresses_exit_2(run_dir, lists, tmp_path, server, handler, capsys):
    assert email_run(run_dir, distribution=lists, environ={}, echo=lambda _: None) == 2
    assert "PMO_SMTP_HOST is not set" in capsys.readouterr().err
    people = {"Zoë Müller": "zoe.muller@example.org", "PMO Office": "pmo-office@example.com",
              "Henrik Sørensen": "henrik.sorensen@example.org"}
    partial = write_distribution(tmp_path / "partial.yaml", people=people,
                                 programs={"Digital Customer": {"to": ["Henrik Sørensen"]}})
    assert _send(run_dir, partial, server)[0] == 2
    err = capsys.readouterr().err
    assert "PRJ-002: the manager 'Aisha Bello' has no address under people" in err
    assert handler.messages == []
    assert email_run(tmp_path / "nowhere", environ=server.environ(), echo=lambda _: None) == 2


def test_only_selects_by_kind_and_id(run_dir, lists, server, handler):
    assert _send(run_dir, lists, server, only=["program/Grid Modernisation", "projects/PRJ-002"])[0] == 0
    assert set(handler.by_report()) == {"programs/grid-modernisation", "projects/PRJ-002"}


def test_the_command_is_registered_on_pmo_report(run_dir, lists, server, handler, monkeypatch):
    for name, value in server.environ().items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["email", "--run", str(run_dir), "--distribution", str(lists),
                                       "--only", "projects/PRJ-001"])
    assert result.exit_code == 0, result.output
    assert "sent     projects/PRJ-001: zoe.muller@example.org, henrik.sorensen@example.org" in result.output
    result = CliRunner().invoke(main, ["email", "--run", str(run_dir), "--distribution", str(lists),
                                       "--only", "projects/PRJ-001"])
    assert result.exit_code == 0 and "already sent" in result.output and len(handler.messages) == 1
    result = CliRunner().invoke(main, ["email", "--run", str(run_dir), "--only", "nothing/here"])
    assert result.exit_code == 2
    _no_secret_in(run_dir)
