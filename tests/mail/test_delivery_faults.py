"""Exactly once where SMTP allows it, at most once and loud where it does not: a real server that misbehaves.

The aiosmtpd server on 127.0.0.1 (``tests/email_support.py``) drops the
connection or stalls, before or after the final dot of DATA; a blackhole
accepts TCP and never answers. Timeouts are a fraction of a second so the
suite stays fast.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from pmo_lib import files
from pmo_lib.mail.send import email_run
from pmo_lib.mail.smtp import MailConfigError, SmtpMailer, SmtpSettings
from tests.email_support import (  # noqa: F401 - pytest fixtures
    Blackhole,
    Handler,
    free_port,
    handler,
    make_run,
    server,
    write_distribution,
)

# short, yet long enough for a loaded test machine to answer a healthy command
pytestmark = pytest.mark.e2e  # a real SMTP server / the CLI end to end

FAST = {"PMO_SMTP_CONNECT_TIMEOUT": "0.3", "PMO_SMTP_TIMEOUT": "1.5"}
PMO_REPORT = Path(sys.executable).with_name("pmo-report")


def _message(n: int = 1) -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = f"Status {n}", "pmo@example.org", "a@example.org"
    message["Message-ID"] = f"<{n}@example.org>"
    message["X-PMO-Report"] = f"projects/P{n}"
    message.set_content("Status: GREEN")
    return message


def mailer(env: dict, sleeps: list | None = None) -> SmtpMailer:
    return SmtpMailer(SmtpSettings.from_env(env), sleep=(sleeps if sleeps is not None else []).append)


# --- the mailer ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fault", "says"), [
    ("drop", "connection closed by the server waiting for the server to acknowledge the message"),
    ("stall", "timed out after 1.5 s waiting for the server to acknowledge the message"),
])
def test_no_reply_after_the_final_dot_is_uncertain_and_never_retried(server, handler, fault, says):
    handler.data_faults = [fault]
    handler.stall_seconds = 3.0
    sleeps = []
    with mailer(server.environ(**FAST), sleeps) as m:
        delivery = m.send(_message(), ["a@example.org", "b@example.org"])
        after = m.send(_message(2), ["c@example.org"])  # the next message opens a new connection
    assert delivery.uncertain == ["a@example.org", "b@example.org"] and delivery.accepted == []
    assert delivery.error == says
    assert not delivery.ok and delivery.attempts == 1 and sleeps == []
    assert "refused" not in delivery.error
    assert after.ok
    assert handler.copies() == {"projects/P1": 1, "projects/P2": 1}  # the server has it once


@pytest.mark.parametrize(("fault", "says"), [
    ("drop", "connection closed by the server talking to 127.0.0.1"),
    ("stall", "timed out after 1.5 s talking to 127.0.0.1"),
])
def test_a_failure_before_the_end_of_data_is_retried_and_delivered_once(server, handler, fault, says):
    handler.rcpt_faults = [fault]
    handler.stall_seconds = 3.0
    sleeps = []
    with mailer(server.environ(**FAST), sleeps) as m:
        delivery = m.send(_message(), ["a@example.org"])
    assert delivery.ok and delivery.attempts == 2 and sleeps == [0.01]
    assert handler.copies() == {"projects/P1": 1}


def test_a_failure_before_data_that_lasts_says_what_happened(server, handler):
    handler.rcpt_faults = ["drop"] * 3
    with mailer(server.environ(**FAST)) as m:
        delivery = m.send(_message(), ["a@example.org"])
    assert not delivery.ok and delivery.attempts == 3 and delivery.uncertain == []
    assert delivery.refused["a@example.org"].startswith("connection closed by the server talking to 127.0.0.1:")
    assert handler.messages == []


def test_a_blackhole_times_out_quickly_and_the_next_messages_fail_at_once():
    with Blackhole() as hole:
        sleeps = []
        started = time.monotonic()
        with mailer(hole.environ(**FAST), sleeps) as m:
            first = m.send(_message(), ["a@example.org"])
            second = m.send(_message(2), ["b@example.org"])
        took = time.monotonic() - started
    reason = f"timed out after 0.3 s connecting to 127.0.0.1:{hole.port} and waiting for its greeting"
    assert first.refused == {"a@example.org": reason} and first.attempts == 3 and sleeps == [0.01, 0.02]
    assert second.error == f"not sent: the server did not answer ({reason})" and second.attempts == 1
    assert took < 3, took  # three tries of 0.3 s, not 3 x 30 s per message


def test_a_closed_port_is_refused_in_those_words():
    env = {"PMO_SMTP_HOST": "127.0.0.1", "PMO_SMTP_PORT": str(free_port()), "PMO_SMTP_SECURITY": "none",
           "PMO_MAIL_FROM": "pmo@example.org", "PMO_SMTP_RETRY_DELAY": "0"}
    with mailer(env) as m:
        delivery = m.send(_message(), ["a@example.org"])
    assert delivery.refused["a@example.org"].startswith("connection refused connecting to 127.0.0.1:")


def test_the_overall_deadline_stops_sending(server, handler):
    clock = [0.0]
    settings = SmtpSettings.from_env(server.environ(PMO_SMTP_DEADLINE="60"))
    with SmtpMailer(settings, sleep=lambda s: None, clock=lambda: clock[0]) as m:
        assert m.send(_message(), ["a@example.org"]).ok
        clock[0] = 61.0
        late = m.send(_message(2), ["b@example.org"])
    assert late.error == "not sent: the deadline of 60 s for this e-mail run passed" and late.uncertain == []
    assert handler.copies() == {"projects/P1": 1}


@pytest.mark.parametrize(("variable", "value"), [
    ("PMO_SMTP_TIMEOUT", "nan"), ("PMO_SMTP_TIMEOUT", "0"), ("PMO_SMTP_CONNECT_TIMEOUT", "-1"),
    ("PMO_SMTP_DEADLINE", "inf"), ("PMO_SMTP_DEADLINE", "soon"), ("PMO_SMTP_RETRY_DELAY", "-2"),
])
def test_timeouts_are_checked_seconds(variable, value):
    with pytest.raises(MailConfigError, match=f"^{variable}: '?{value}'? is not a number of seconds"):
        SmtpSettings.from_env({"PMO_SMTP_HOST": "h", "PMO_MAIL_FROM": "p@example.org", variable: value})


# --- pmo-report email -------------------------------------------------------------------------------------

@pytest.fixture
def run_dir(tmp_path):
    return make_run(tmp_path / "r")


@pytest.fixture
def lists(tmp_path):
    return write_distribution(tmp_path / "distribution.yaml")


def send(run_dir, lists, env, **options):
    lines = []
    code = email_run(run_dir, distribution=lists, environ=env, echo=lines.append, sleep=lambda s: None, **options)
    return code, lines


def sent_log(run_dir) -> dict:
    return {e["key"]: e for e in json.loads((run_dir / "email" / "sent.json").read_text())["messages"]}


def test_an_uncertain_delivery_is_listed_exit_1_and_sent_again_only_with_resend(run_dir, lists, server, handler):
    handler.data_faults = ["drop"]  # the first message: taken, then the connection is lost before its 250
    code, lines = send(run_dir, lists, server.environ(**FAST))
    assert code == 1
    assert lines[-1] == "5 sent, 0 failed, 1 uncertain"
    uncertain = [line for line in lines if line.startswith("UNCERTAIN")]
    assert len(uncertain) == 1 and uncertain[0].startswith(
        "UNCERTAIN portfolio/portfolio: pmo-office@example.com, board@example.com (")
    assert "connection closed by the server" in uncertain[0] and "--only portfolio/portfolio --resend" in uncertain[0]
    assert sent_log(run_dir)["portfolio/portfolio"]["state"] == "uncertain"
    assert handler.copies()["portfolio/portfolio"] == 1

    again_code, again = send(run_dir, lists, server.environ(**FAST))  # the next scheduled run
    assert again_code == 1 and again[-1] == "0 sent, 6 skipped, 0 failed, 1 uncertain"
    assert handler.copies()["portfolio/portfolio"] == 1  # not sent twice

    code, lines = send(run_dir, lists, server.environ(**FAST), only=["portfolio"], resend=True)
    assert code == 0 and lines[-1] == "1 sent, 0 failed"
    assert handler.copies()["portfolio/portfolio"] == 2  # sent again because the operator asked
    assert send(run_dir, lists, server.environ(**FAST))[0] == 0


def test_every_acknowledgement_slow_two_runs_deliver_each_report_once(run_dir, lists, server, handler):
    handler.data_faults = ["stall"] * 6
    handler.stall_seconds = 2.0
    first, lines = send(run_dir, lists, server.environ(**FAST))
    second, _ = send(run_dir, lists, server.environ(**FAST))
    assert (first, second) == (1, 1)
    assert lines[-1] == "0 sent, 0 failed, 6 uncertain"
    time.sleep(2.5)  # the server finishes its last stalled acknowledgement
    assert set(handler.copies().values()) == {1} and len(handler.copies()) == 6


def test_a_blackhole_fails_the_run_in_seconds_saying_timed_out(run_dir, lists):
    with Blackhole() as hole:
        started = time.monotonic()
        code, lines = send(run_dir, lists, hole.environ(**FAST))
        took = time.monotonic() - started
    assert code == 1 and lines[-1] == "0 sent, 6 failed", lines
    assert len(hole.held) == 3 and took < 20, took  # three tries for the first message; the others fail at once
    assert all("timed out after 0.3 s" in line or "did not answer" in line for line in lines[:-1]), lines
    assert not any("refused" in line for line in lines), lines
    assert {e["state"] for e in sent_log(run_dir).values()} == {"failed"}  # sent next time: nothing reached it


def test_timeouts_from_the_command_line_override_the_environment(run_dir, lists):
    with Blackhole() as hole:
        code, lines = send(run_dir, lists, hole.environ(), connect_timeout=0.2, only=["portfolio"])
    assert code == 1 and "timed out after 0.2 s connecting" in lines[0]
    code, lines = send(run_dir, lists, {}, timeout=float("nan"), dry_run=True)
    assert code == 2


def test_disk_full_part_way_exits_1_with_what_was_sent_and_the_rest_goes_next_time(run_dir, lists, server,
                                                                                      handler, monkeypatch):
    writes = []

    def fsync(fd):
        writes.append(fd)
        if len(writes) > 4:  # the sent log's first two messages (start, finish) fit; the third's start does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "os", type(os)("os_full"))
    files.os.__dict__.update({**vars(os), "fsync": fsync})
    code, lines = send(run_dir, lists, server.environ())
    monkeypatch.undo()
    assert code == 1
    assert [line.split(":")[0] for line in lines[:2]] == ["sent     portfolio/portfolio",
                                                          "sent     programs/digital-customer"]
    assert lines[2] == f"FAILED   cannot write in {run_dir / 'email'}: No space left on device; stopped, " \
                       "nothing more is sent"
    assert lines[-1] == "2 sent, 1 failed"
    assert len(handler.messages) == 2

    code, lines = send(run_dir, lists, server.environ())
    assert code == 0 and lines[-1] == "4 sent, 2 skipped, 0 failed"
    assert set(handler.copies().values()) == {1} and len(handler.copies()) == 6


@pytest.mark.e2e
def test_an_email_killed_while_sending_leaves_an_uncertain_delivery_never_sent_twice(run_dir, lists, server,
                                                                                        handler, tmp_path):
    handler.data_faults = ["stall"]
    handler.stall_seconds = 60
    env = {**os.environ, **server.environ(PMO_SMTP_TIMEOUT="120")}
    killed = subprocess.Popen([str(PMO_REPORT), "email", "--run", str(run_dir), "--distribution", str(lists),
                               "--only", "portfolio"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not handler.messages and time.monotonic() < deadline:  # the whole message is at the server
            time.sleep(0.05)
        assert handler.messages, killed.communicate(timeout=5)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
    finally:
        if killed.poll() is None:
            killed.kill()
    assert sent_log(run_dir)["portfolio/portfolio"]["state"] == "sending"  # what the kill left

    code, lines = send(run_dir, lists, server.environ(**FAST))
    assert code == 1
    assert lines[0] == ("warning  portfolio/portfolio: an earlier 'pmo-report email' was stopped while sending it "
                        "to pmo-office@example.com, board@example.com; it is now uncertain")
    assert lines[-1] == "5 sent, 1 skipped, 0 failed, 1 uncertain"
    assert handler.copies()["portfolio/portfolio"] == 1
    assert sent_log(run_dir)["portfolio/portfolio"]["state"] == "uncertain"


@pytest.mark.e2e
def test_sigterm_stops_email_with_exit_143_and_the_message_uncertain(run_dir, lists, server, handler):
    handler.data_faults = ["stall"]
    handler.stall_seconds = 60
    env = {**os.environ, **server.environ(PMO_SMTP_TIMEOUT="120")}
    stopped = subprocess.Popen([str(PMO_REPORT), "email", "--run", str(run_dir), "--distribution", str(lists)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not handler.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    stopped.send_signal(signal.SIGTERM)
    out, err = stopped.communicate(timeout=10)
    assert stopped.returncode == 128 + signal.SIGTERM
    assert "error: stopped by SIGTERM; a message being sent is recorded as uncertain" in err
    assert "Traceback" not in err
    code, lines = send(run_dir, lists, server.environ(**FAST))
    assert code == 1 and handler.copies()["portfolio/portfolio"] == 1
