"""Secrets: SMTP credentials come from the environment only and are never written or shown anywhere.

A real run with e-mail (``pmo-report run --email``) authenticates against a
local SMTP server that requires a login; then a dry run and a send with a
wrong password follow. No output file (pages, executed notebooks, manifest,
metrics, run history, ``.eml`` files, the sent log), no message the server
received, and nothing on standard output or error holds the password or the
login, in clear or in base64. Parameter and distribution files refuse SMTP
keys, and every parameter handed to papermill is a JSON-native value.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pmo_lib.errors import ParameterError
from pmo_lib.mail.recipients import DistributionError, parse_distribution
from pmo_lib.parameters import load_parameters, parse_parameters
from pmo_lib.run.suite import plan_run
from tests.conftest import SAMPLE, expected_reports
from tests.fixtures.hostile import STATUS_DATE, write_hostile_portfolio

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

PMO_REPORT = Path(sys.executable).with_name("pmo-report")
USER = "pmo-mailer-Q7W"
PASSWORD = "s3cr3t-Pa55-XYZ"
WRONG = "wr0ng-Pa55-XYZ"


def encodings(secret: str) -> list[bytes]:
    """The secret as it could appear: clear, base64 (SMTP AUTH) alone or in an AUTH PLAIN string."""
    raw = secret.encode()
    forms = [raw, base64.b64encode(raw), base64.b64encode(f"\0{USER}\0{secret}".encode())]
    return [f for f in forms if f] + [raw.decode().encode("utf-16-le")]


SECRETS = [form for secret in (PASSWORD, WRONG, USER) for form in encodings(secret)]


def leaks(data: bytes) -> list[bytes]:
    return [secret for secret in SECRETS if secret in data]


class _Mailbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def smtp():
    """An SMTP server on 127.0.0.1 that requires a login and knows one user."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server, session, envelope, mechanism, auth_data):
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        return AuthResult(success=good, handled=False)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


def environment(port: int, password: str = PASSWORD) -> dict:
    return {**os.environ, "PMO_SMTP_HOST": "127.0.0.1", "PMO_SMTP_PORT": str(port), "PMO_SMTP_SECURITY": "none",
            "PMO_SMTP_USER": USER, "PMO_SMTP_PASSWORD": password, "PMO_MAIL_FROM": "PMO <pmo@example.org>",
            "PMO_SMTP_RETRY_DELAY": "0"}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_credentials_never_reach_a_file_a_log_or_a_message(tmp_path, smtp):
    assert leaks(f"x{PASSWORD}x".encode()) and leaks(base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()))
    port, mailbox = smtp
    out = tmp_path / "output" / "2026-11-20"
    streams: list[tuple[str, bytes]] = []

    def pmo_report(*args, password=PASSWORD):
        done = subprocess.run([str(PMO_REPORT), *map(str, args)], env=environment(port, password),
                              capture_output=True, timeout=600)
        streams.extend([(f"{args[0]} stdout", done.stdout), (f"{args[0]} stderr", done.stderr)])
        return done

    sent = pmo_report("run", "--data", SAMPLE, "--status-date", "2026-11-20", "--out", out, "--projects",
                      "PRJ-001", "--workers", "2", "--log-format", "json", "--email")
    assert sent.returncode == 0, sent.stderr.decode()
    mails = expected_reports(projects=1, programs=1)  # one per catalog report (portfolio, program, project)
    assert len(mailbox.messages) == mails  # the login worked
    dry = pmo_report("email", "--run", out, "--dry-run", "--resend")
    assert dry.returncode == 0, dry.stderr.decode()
    refused = pmo_report("email", "--run", out, "--resend", "--only", "portfolio", password=WRONG)
    assert refused.returncode == 1 and b"login refused by the server" in refused.stdout
    assert len(mailbox.messages) == mails

    files = sorted(p for p in (tmp_path / "output").rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert {".html", ".ipynb", ".json", ".csv", ".eml"} <= kinds
    assert (out / "email" / "sent.json").is_file() and (out / "manifest.json").is_file()
    for path in files:
        assert not leaks(path.read_bytes()), path
    for name, data in streams:
        assert not leaks(data), name
    for message in mailbox.messages:
        assert not leaks(message)


def test_secrets_cannot_be_put_in_parameter_or_distribution_files():
    with pytest.raises(ParameterError, match="unknown key 'smtp_password'"):
        parse_parameters({"smtp_password": PASSWORD})
    with pytest.raises(DistributionError, match="unknown key 'smtp'"):
        parse_distribution({"smtp": {"password": PASSWORD}})
    dumped = json.dumps(load_parameters().model_dump(mode="json")).lower()
    assert "password" not in dumped and "smtp" not in dumped  # what the manifest records


def walk(value, where="parameters"):
    """Every leaf of a parameter value, which must be JSON-native."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), where
            yield from walk(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, f"{where}[{i}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), (where, type(value))
        yield where, value


@pytest.mark.parametrize("portfolio", ["sample", "hostile"])
def test_papermill_parameters_are_json_native_and_hold_no_secret(tmp_path, monkeypatch, portfolio):
    monkeypatch.setenv("PMO_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("PMO_SMTP_USER", USER)
    data = SAMPLE if portfolio == "sample" else write_hostile_portfolio(tmp_path / "data")
    params = tmp_path / "params.yaml"
    params.write_text("portfolio_name: Northwind\n", encoding="utf-8")
    plan = plan_run(data=data, status_date=dt.date.fromisoformat("2026-11-20") if portfolio == "sample"
                    else STATUS_DATE, out_dir=tmp_path / "output" / "2026-11-20", params=load_parameters(params))
    assert len(plan.jobs) > 3
    for job in plan.jobs:
        leaves = dict(walk(job.parameters))
        assert json.loads(json.dumps(job.parameters)) == job.parameters
        assert {"data_path", "status_date", "params_file", "previous_metrics"} <= {k.split(".")[1] for k in leaves}
    assert not leaks(json.dumps(plan.describe(), ensure_ascii=False).encode())
    assert not (tmp_path / "output").exists()
