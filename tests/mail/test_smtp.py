"""SMTP delivery against a real server on 127.0.0.1: STARTTLS, implicit TLS, AUTH, refusals, retries."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from pmo_lib.mail.sent_log import SentLog
from pmo_lib.mail.smtp import MailConfigError, SmtpMailer, SmtpSettings
from tests.email_support import PASSWORD, Handler, SmtpServer, free_port, handler, server  # noqa: F401 - pytest fixtures

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end


def _message(subject="Hello") -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "pmo@example.org", "a@example.org"
    message["Message-ID"] = "<1@example.org>"
    message.set_content("Status: GREEN")
    return message


def test_starttls_with_login_delivers(server, handler):
    settings = SmtpSettings.from_env(server.environ())
    assert settings.security == "starttls" and PASSWORD not in repr(settings)
    with SmtpMailer(settings) as mailer:
        delivery = mailer.send(_message(), ["a@example.org", "b@example.org"])
        second = mailer.send(_message("Again"), ["c@example.org"])
    assert delivery.ok and delivery.accepted == ["a@example.org", "b@example.org"] and delivery.attempts == 1
    assert second.ok
    assert [(rcpts, m["Subject"]) for rcpts, m, _ in handler.messages] == [
        (["a@example.org", "b@example.org"], "Hello"), (["c@example.org"], "Again")]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # the connection is TLS
def test_implicit_tls_delivers(tmp_path):
    handler = Handler()
    with SmtpServer(tmp_path, handler, security="ssl") as server:
        with SmtpMailer(SmtpSettings.from_env(server.environ())) as mailer:
            assert mailer.send(_message(), ["a@example.org"]).ok
    assert len(handler.messages) == 1


def test_an_untrusted_certificate_is_refused_without_retrying(server, handler):
    env = server.environ()
    del env["PMO_SMTP_CA_FILE"]
    sleeps = []
    with SmtpMailer(SmtpSettings.from_env(env), sleep=sleeps.append) as mailer:
        delivery = mailer.send(_message(), ["a@example.org"])
    assert not delivery.ok and "TLS failed" in delivery.error and sleeps == []
    assert handler.messages == []


def test_a_wrong_password_fails_every_message_without_retrying(server, handler):
    sleeps = []
    with SmtpMailer(SmtpSettings.from_env(server.environ(PMO_SMTP_PASSWORD="wrong")), sleep=sleeps.append) as m:
        first, second = m.send(_message(), ["a@example.org"]), m.send(_message(), ["b@example.org"])
    assert "login refused" in first.error and first.error == second.error and sleeps == []
    assert handler.messages == []


def test_a_refused_recipient_does_not_stop_the_others(server, handler):
    handler.refuse = {"gone@example.org"}
    with SmtpMailer(SmtpSettings.from_env(server.environ())) as mailer:
        delivery = mailer.send(_message(), ["a@example.org", "gone@example.org", "b@example.org"])
        only_bad = mailer.send(_message(), ["gone@example.org"])
    assert delivery.accepted == ["a@example.org", "b@example.org"] and not delivery.ok
    assert delivery.refused["gone@example.org"].startswith("550")
    assert only_bad.accepted == [] and "gone@example.org" in only_bad.refused
    assert [rcpts for rcpts, _, _ in handler.messages] == [["a@example.org", "b@example.org"]]


def test_a_transient_421_is_retried_with_backoff(server, handler):
    handler.transient_data_failures = 1
    sleeps = []
    with SmtpMailer(SmtpSettings.from_env(server.environ()), sleep=sleeps.append) as mailer:
        delivery = mailer.send(_message(), ["a@example.org"])
    assert delivery.ok and delivery.attempts == 2 and sleeps == [0.01]
    assert len(handler.messages) == 1


def test_retries_are_bounded(server, handler):
    handler.transient_data_failures = 5
    sleeps = []
    with SmtpMailer(SmtpSettings.from_env(server.environ()), sleep=sleeps.append) as mailer:
        delivery = mailer.send(_message(), ["a@example.org"])
    assert not delivery.ok and delivery.attempts == 3 and sleeps == [0.01, 0.02]
    assert delivery.refused["a@example.org"].startswith("421")


def test_a_server_that_is_down_is_retried_then_reported():
    env = {"PMO_SMTP_HOST": "127.0.0.1", "PMO_SMTP_PORT": str(free_port()), "PMO_SMTP_SECURITY": "none",
           "PMO_MAIL_FROM": "pmo@example.org", "PMO_SMTP_RETRY_DELAY": "0"}
    sleeps = []
    with SmtpMailer(SmtpSettings.from_env(env), sleep=sleeps.append) as mailer:
        delivery = mailer.send(_message(), ["a@example.org"])
    assert not delivery.ok and delivery.attempts == 3 and len(sleeps) == 2
    assert "connection" in delivery.refused["a@example.org"]


@pytest.mark.parametrize(("env", "message"), [
    ({}, "PMO_SMTP_HOST is not set"),
    ({"PMO_SMTP_HOST": "h"}, "PMO_MAIL_FROM is not set"),
    ({"PMO_SMTP_HOST": "h", "PMO_MAIL_FROM": "not an address"}, "PMO_MAIL_FROM: 'not an address'"),
    ({"PMO_SMTP_HOST": "h", "PMO_MAIL_FROM": "p@example.org", "PMO_SMTP_PORT": "smtp"}, "not a number"),
    ({"PMO_SMTP_HOST": "h", "PMO_MAIL_FROM": "p@example.org", "PMO_SMTP_PORT": "70000"}, "not a port number"),
    ({"PMO_SMTP_HOST": "smtp.example.org", "PMO_MAIL_FROM": "p@example.org", "PMO_SMTP_SECURITY": "none",
      "PMO_SMTP_USER": "u", "PMO_SMTP_PASSWORD": "pw"}, "password unencrypted"),
])
def test_settings_come_from_the_environment_and_are_checked(env, message):
    with pytest.raises(MailConfigError, match=message):
        SmtpSettings.from_env(env)


def test_default_ports_follow_the_security():
    base = {"PMO_SMTP_HOST": "h", "PMO_MAIL_FROM": "PMO <p@example.org>"}
    assert SmtpSettings.from_env({**base, "PMO_SMTP_SECURITY": "SSL"}).port == 465
    assert SmtpSettings.from_env({**base, "PMO_SMTP_SECURITY": "none"}).port == 25
    assert SmtpSettings.from_env(base).port == 587


def test_the_sent_log_survives_a_reload_and_marks_interrupted_sends(tmp_path):
    log = SentLog(tmp_path)
    log.start("projects/P1", "<1@x>", ["a@example.org", "b@example.org"], subject="S")
    log.finish("<1@x>", accepted=["a@example.org"], refused={"b@example.org": "550 no"})
    log.start("projects/P2", "<2@x>", ["c@example.org"], subject="S")  # interrupted: never finished
    again = SentLog(tmp_path)
    assert again.already("projects/P1", ["a@example.org", "b@example.org"]) == ["a@example.org"]
    assert again.already("projects/P2", ["c@example.org"]) == ["c@example.org"]
    assert [e["message_id"] for e in again.mark_interrupted()] == ["<2@x>"]
    assert [e["message_id"] for e in SentLog(tmp_path).uncertain("projects/P2")] == ["<2@x>"]
    (tmp_path / "email" / "sent.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(MailConfigError, match="nothing is sent until it is fixed"):
        SentLog(tmp_path)
