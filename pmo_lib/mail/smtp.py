"""Send messages over SMTP, with retries, and remember what was sent so nothing goes twice.

SMTP is configured from the environment only, never from parameter files or
notebooks:

========================  ==========================================================
``PMO_SMTP_HOST``         server name (required to send)
``PMO_SMTP_PORT``         default 587 (``starttls``), 465 (``ssl``), 25 (``none``)
``PMO_SMTP_USER``         login; no login when unset
``PMO_SMTP_PASSWORD``     password of the login
``PMO_SMTP_SECURITY``     ``starttls`` (default), ``ssl`` or ``none``
``PMO_MAIL_FROM``         the From address, e.g. ``PMO <pmo@example.org>`` (required)
``PMO_SMTP_CA_FILE``      optional: a CA bundle to trust (a company CA, a test server)
``PMO_SMTP_RETRY_DELAY``  optional: seconds before the first retry (default 2)
========================  ==========================================================

Transient failures (4xx replies, a dropped or refused connection) are retried
with exponential backoff, three tries in all. A refused recipient does not stop
the others, and a failed message does not stop the next one.

:class:`SentLog` keeps ``DIR/email/sent.json``: for every message its id,
recipients, time and report key. A recipient who already received a report of
the run is not sent it again (``resend=True`` to override). The entry is written
*before* the message is handed to the server (state ``sending``) and completed
after, so a crash in between leaves a record: such a message is not resent
automatically (at most once), and the CLI says so.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from pmo_lib.errors import PmoError

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TRIES = 3


class MailConfigError(PmoError):
    """SMTP settings in the environment are missing or wrong."""


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server. The password is never shown in ``repr``.

    Examples
    --------
    >>> s = SmtpSettings.from_env({"PMO_SMTP_HOST": "smtp.example.org", "PMO_MAIL_FROM": "pmo@example.org",
    ...                            "PMO_SMTP_USER": "pmo", "PMO_SMTP_PASSWORD": "s3cret"})
    >>> s.port, s.security, "s3cret" in repr(s)
    (587, 'starttls', False)
    >>> SmtpSettings.from_env({"PMO_SMTP_HOST": "h", "PMO_MAIL_FROM": "pmo@example.org",
    ...                        "PMO_SMTP_SECURITY": "tls"})
    Traceback (most recent call last):
    ...
    pmo_lib.mail.smtp.MailConfigError: PMO_SMTP_SECURITY: 'tls' is not one of starttls, ssl, none
    """

    host: str
    sender: str
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    retry_delay: float = 2.0
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ=None, *, require_host: bool = True) -> SmtpSettings:
        """Read the ``PMO_SMTP_*`` and ``PMO_MAIL_FROM`` variables.

        Raises
        ------
        MailConfigError
            Naming the variable that is missing or wrong.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        security = (get("PMO_SMTP_SECURITY") or "starttls").lower()
        if security not in SECURITY:
            raise MailConfigError(f"PMO_SMTP_SECURITY: {security!r} is not one of {', '.join(SECURITY)}")
        host = get("PMO_SMTP_HOST")
        if host is None and require_host:
            raise MailConfigError("PMO_SMTP_HOST is not set: export the SMTP server's name "
                                  "(and PMO_SMTP_PORT, PMO_SMTP_USER, PMO_SMTP_PASSWORD, PMO_MAIL_FROM)")
        sender = get("PMO_MAIL_FROM")
        if sender is None:
            if require_host:
                raise MailConfigError("PMO_MAIL_FROM is not set: export the From address, "
                                      "e.g. 'PMO <pmo@example.org>'")
            sender = "pmo-reports@localhost.invalid"
        from pmo_lib.mail.recipients import is_address

        if not is_address(parseaddr(sender)[1]) and require_host:
            raise MailConfigError(f"PMO_MAIL_FROM: {sender!r} is not an e-mail address")
        try:
            port = int(get("PMO_SMTP_PORT") or DEFAULT_PORTS[security])
            delay = float(get("PMO_SMTP_RETRY_DELAY") or 2.0)
        except ValueError as exc:
            raise MailConfigError(f"PMO_SMTP_PORT / PMO_SMTP_RETRY_DELAY: not a number ({exc})") from None
        if not 0 < port < 65536:
            raise MailConfigError(f"PMO_SMTP_PORT: {port} is not a port number")
        user, password = get("PMO_SMTP_USER"), env.get("PMO_SMTP_PASSWORD") or None
        if user and security == "none" and host not in ("localhost", "127.0.0.1", "::1"):
            raise MailConfigError("PMO_SMTP_SECURITY=none with PMO_SMTP_USER would send the password "
                                  "unencrypted: use starttls or ssl")
        return cls(host=host or "", sender=sender, port=port, security=security, user=user, password=password,
                   ca_file=get("PMO_SMTP_CA_FILE"), retry_delay=max(0.0, delay))


@dataclass
class Delivery:
    """What happened to one message: addresses accepted, addresses refused with the server's reply."""

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.accepted) and not self.refused and self.error is None


def _transient(code: int | None) -> bool:
    return code is not None and 400 <= code < 500


def _reply(code, message) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


class SmtpMailer:
    """One SMTP connection, opened on first use and reopened after a failure.

    Use as a context manager; :meth:`send` never raises for a delivery
    problem, it returns a :class:`Delivery`.
    """

    def __init__(self, settings: SmtpSettings, *, tries: int = TRIES, sleep=time.sleep):
        self.settings = settings
        self.tries = max(1, tries)
        self._sleep = sleep
        self._smtp: smtplib.SMTP | None = None
        self._fatal: str | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage, recipients: list[str]) -> Delivery:
        """Send ``message`` to the envelope ``recipients``; retry what failed transiently."""
        result = Delivery()
        pending = list(recipients)
        for attempt in range(1, self.tries + 1):
            result.attempts = attempt
            if self._fatal:
                result.error = self._fatal
                break
            transient: dict[str, str] = {}
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                refused = self._smtp.send_message(message, from_addr=parseaddr(self.settings.sender)[1],
                                                  to_addrs=pending)
                result.accepted += [a for a in pending if a not in refused]
                for address, (code, text) in refused.items():
                    (transient if _transient(code) else result.refused)[address] = _reply(code, text)
            except smtplib.SMTPRecipientsRefused as exc:
                for address, (code, text) in exc.recipients.items():
                    (transient if _transient(code) else result.refused)[address] = _reply(code, text)
            except smtplib.SMTPAuthenticationError as exc:
                self._drop()
                self._fatal = f"login refused by the server: {_reply(exc.smtp_code, exc.smtp_error)}"
                result.error = self._fatal
                break
            except smtplib.SMTPResponseException as exc:  # sender refused, data refused, 421 ...
                self._drop()
                reply = _reply(exc.smtp_code, exc.smtp_error)
                if _transient(exc.smtp_code):
                    transient = dict.fromkeys(pending, reply)
                else:
                    result.error = f"message refused: {reply}"
                    break
            except smtplib.SMTPNotSupportedError as exc:  # e.g. no AUTH offered: settings, not luck
                self._drop()
                self._fatal = f"{self.settings.host}:{self.settings.port}: {exc}"
                result.error = self._fatal
                break
            except ssl.SSLError as exc:
                self._drop()
                self._fatal = f"TLS failed with {self.settings.host}:{self.settings.port}: {exc}"
                result.error = self._fatal
                break
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                self._drop()
                transient = dict.fromkeys(pending, f"connection: {exc}")
            if not transient:
                result.error = None
                break
            pending = list(transient)
            if attempt == self.tries:
                result.refused.update(transient)
                break
            self._sleep(self.settings.retry_delay * 2 ** (attempt - 1))
        if result.error is None and not result.accepted and not result.refused:
            result.error = "not sent"
        return result
