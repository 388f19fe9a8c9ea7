"""`pmo-report run --email`: the run mails its reports through the environment's SMTP server."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from pmo_lib.cli import main
from tests.conftest import SAMPLE, expected_reports
from tests.email_support import PASSWORD, cid_parts, handler, html_part, server  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end


def test_run_then_mail_every_report_once(tmp_path, server, handler, monkeypatch):
    for name, value in server.environ().items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "2026-11-20"
    args = ["run", "--data", str(SAMPLE), "--status-date", "2026-11-20", "--out", str(out),
            "--projects", "PRJ-008", "--workers", "1", "--email"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    messages = [m for _, m, _ in handler.messages]
    subjects = sorted(m["Subject"] for m in messages)
    mails = expected_reports(projects=1, programs=1)  # 3 for the built-in catalog: portfolio, Grid Modernisation, PRJ-008
    assert len(subjects) == mails
    assert any("Substation Automation Phase 2" in s and "RED" in s.upper() for s in subjects), subjects
    project = next(m for m in messages if "Substation" in m["Subject"])
    html = html_part(project).get_content()
    shown = set(re.findall(r'src="cid:([^"]+)"', html))  # every chart of the page, trend pack included
    assert len(cid_parts(project)) == len(shown) >= 4 and shown == set(cid_parts(project))
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and len(handler.messages) == mails  # exactly once per run folder
    for file in out.rglob("*"):
        assert not file.is_file() or PASSWORD.encode() not in file.read_bytes(), file
