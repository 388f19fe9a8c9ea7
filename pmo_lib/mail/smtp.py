"""Send messages over SMTP: exactly once where SMTP allows it, at most once and loudly where it does not.

SMTP is configured from the environment only, never from parameter files or
notebooks:

=============================  =====================================================================
``PMO_SMTP_HOST``              server name (required to send)
``PMO_SMTP_PORT``              default 587 (``starttls``), 465 (``ssl``), 25 (``none``)
``PMO_SMTP_USER``              login; no login when unset
``PMO_SMTP_PASSWORD``          password of the login
``PMO_SMTP_SECURITY``          ``starttls`` (default), ``ssl`` or ``none``
``PMO_MAIL_FROM``              the From address, e.g. ``PMO <pmo@example.org>`` (required)
``PMO_SMTP_CA_FILE``           optional: a CA bundle to trust (a company CA, a test server)
``PMO_SMTP_RETRY_DELAY``       optional: seconds before the first retry (default 2; then 4, ...)
``PMO_SMTP_CONNECT_TIMEOUT``   optional: seconds to connect and get the server's greeting (default 10)
``PMO_SMTP_TIMEOUT``           optional: seconds to wait for the reply to each command (default 30)
``PMO_SMTP_DEADLINE``          optional: seconds all the messages of one ``email`` may take (default 900)
=============================  =====================================================================

The guarantee, by where a failure happens:

* **before the end of DATA** (connecting, TLS hand-shake, MAIL, RCPT, DATA, or while the
  message is being sent): the server cannot have accepted the message, so it is retried
  with exponential backoff, three tries in all (a 4xx reply, a dropped connection, a
  timeout). A 5xx reply is final. A 4xx reply to the final dot is retried too: the
  server said it did not take the message.
* **after the final dot, without a reply** (the connection closed, or no ``250`` within
  the timeout): the server may have accepted the message. The delivery is ``uncertain``:
  never retried automatically (:class:`Delivery.uncertain`).

A server that cannot be reached for one message (every try failed to connect or to
greet) is not tried again for the next messages of the same ``email``; they fail at once.
Messages say what happened: "timed out", "connection closed", "connection refused".
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
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
    connect_timeout: float = 10.0
    timeout: float = 30.0
    deadline: float = 900.0

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
        except ValueError as exc:
            raise MailConfigError(f"PMO_SMTP_PORT: not a number ({exc})") from None
        delay = _seconds(get, "PMO_SMTP_RETRY_DELAY", 2.0, minimum=0.0)
        times = {"connect_timeout": _seconds(get, "PMO_SMTP_CONNECT_TIMEOUT", 10.0),
                 "timeout": _seconds(get, "PMO_SMTP_TIMEOUT", 30.0),
                 "deadline": _seconds(get, "PMO_SMTP_DEADLINE", 900.0)}
        if not 0 < port < 65536:
            raise MailConfigError(f"PMO_SMTP_PORT: {port} is not a port number")
        user, password = get("PMO_SMTP_USER"), env.get("PMO_SMTP_PASSWORD") or None
        if user and security == "none" and host not in ("localhost", "127.0.0.1", "::1"):
            raise MailConfigError("PMO_SMTP_SECURITY=none with PMO_SMTP_USER would send the password "
                                  "unencrypted: use starttls or ssl")
        return cls(host=host or "", sender=sender, port=port, security=security, user=user, password=password,
                   ca_file=get("PMO_SMTP_CA_FILE"), retry_delay=delay, **times)

    def with_times(self, **seconds: float | None) -> SmtpSettings:
        """These settings with some of ``connect_timeout``, ``timeout``, ``deadline`` replaced (None: kept).

        Raises
        ------
        MailConfigError
            For a value that is not a positive number of seconds.
        """
        chosen = {}
        for name, value in seconds.items():
            if value is not None:
                chosen[name] = _check_seconds(f"--{name.replace('_', '-')}", value)
        return dataclasses.replace(self, **chosen)


MAX_SECONDS = 86_400.0


def _check_seconds(name: str, value: float, *, minimum: float = 0.001, shown: str | None = None) -> float:
    if not math.isfinite(value) or not minimum <= value <= MAX_SECONDS:
        raise MailConfigError(f"{name}: {shown or repr(value)} is not a number of seconds from {minimum:g} "
                              f"to {MAX_SECONDS:g}")
    return float(value)


def _seconds(get, name: str, default: float, *, minimum: float = 0.001) -> float:
    text = get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise MailConfigError(f"{name}: {text!r} is not a number of seconds") from None
    return _check_seconds(name, value, minimum=minimum, shown=repr(text))


@dataclass
class Delivery:
    """What happened to one message.

    Attributes
    ----------
    accepted : list of str
        Addresses the server acknowledged with ``250`` after the message.
    refused : dict
        Address to the server's reply (or what failed) for addresses it did not take.
    uncertain : list of str
        Addresses of a message whose final dot got no reply (connection closed, timed
        out): the server may have delivered it. Never retried automatically.
    error : str or None
        Why the message as a whole failed or is uncertain.
    """

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    uncertain: list[str] = field(default_factory=list)
    error: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.accepted) and not self.refused and not self.uncertain and self.error is None


def _transient(code: int | None) -> bool:
    return code is not None and 400 <= code < 500


def _reply(code, message) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}".strip()


class _TrackedData:
    """``smtplib``'s DATA command, remembering whether the final dot has gone out."""

    dot_sent = False

    def data(self, msg):  # as smtplib.SMTP.data, with the moment the dot is sent recorded
        self.putcmd("data")
        code, repl = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        if isinstance(msg, str):
            msg = msg.encode("ascii")
        quoted = re.sub(rb"(?m)^\.", b"..", msg)
        if quoted[-2:] != b"\r\n":
            quoted += b"\r\n"
        self.send(quoted + b".\r\n")
        self.dot_sent = True
        return self.getreply()


class _Smtp(_TrackedData, smtplib.SMTP):
    pass


class _SmtpSsl(_TrackedData, smtplib.SMTP_SSL):
    pass


class _Unreachable(Exception):
    """Connecting or greeting failed: nothing of the message reached the server."""


class SmtpMailer:
    """One SMTP connection, opened on first use and reopened after a failure.

    Use as a context manager; :meth:`send` never raises for a delivery
    problem, it returns a :class:`Delivery`. The overall deadline
    (``settings.deadline``) counts from the mailer's creation.
    """

    def __init__(self, settings: SmtpSettings, *, tries: int = TRIES, sleep=time.sleep, clock=time.monotonic):
        self.settings = settings
        self.tries = max(1, tries)
        self._sleep = sleep
        self._clock = clock
        self._ends = clock() + settings.deadline
        self._smtp: smtplib.SMTP | None = None
        self._fatal: str | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:  # stopped or failed: no QUIT, whose reply could keep us waiting
            self._drop()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _left(self) -> float:
        return self._ends - self._clock()

    def _timeout(self, seconds: float) -> float:
        return max(0.001, min(seconds, self._left()))

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        timeout = self._timeout(s.connect_timeout)
        try:
            if s.security == "ssl":
                smtp = _SmtpSsl(s.host, s.port, timeout=timeout, context=self._context())
            else:
                smtp = _Smtp(s.host, s.port, timeout=timeout)
        except ssl.SSLError:
            raise
        except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            raise _Unreachable(self._describe(exc, f"connecting to {self.where} and waiting for its greeting",
                                              timeout)) from None
        try:
            smtp.sock.settimeout(self._timeout(s.timeout))
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=self._context())
                smtp.sock.settimeout(self._timeout(s.timeout))
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

    @staticmethod
    def _describe(exc: BaseException, doing: str, timeout: float) -> str:
        text = str(exc)
        if isinstance(exc, TimeoutError) or "timed out" in text:
            return f"timed out after {timeout:g} s {doing}"
        if isinstance(exc, ConnectionRefusedError):
            return f"connection refused {doing}"
        if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionResetError | BrokenPipeError | EOFError):
            return f"connection closed by the server {doing}"
        return f"{type(exc).__name__}: {text} {doing}".strip()

    def send(self, message: EmailMessage, recipients: list[str]) -> Delivery:
        """Send ``message`` to the envelope ``recipients``; retry what failed before the end of DATA."""
        result = Delivery()
        pending = list(recipients)
        for attempt in range(1, self.tries + 1):
            result.attempts = attempt
            if self._fatal:
                result.error = self._fatal
                break
            if self._left() <= 0:
                result.error = f"not sent: the deadline of {self.settings.deadline:g} s for this e-mail run passed"
                break
            transient: dict[str, str] = {}
            smtp = None
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                smtp = self._smtp
                smtp.dot_sent = False
                smtp.sock.settimeout(self._timeout(self.settings.timeout))
                refused = smtp.send_message(message, from_addr=parseaddr(self.settings.sender)[1], to_addrs=pending)
                result.accepted += [a for a in pending if a not in refused]
                for address, (code, text) in refused.items():
                    (transient if _transient(code) else result.refused)[address] = _reply(code, text)
            except _Unreachable as exc:
                transient = dict.fromkeys(pending, str(exc))
                if attempt == self.tries:  # the next messages would only wait as long: fail them at once
                    self._fatal = f"not sent: the server did not answer ({exc})"
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
                self._fatal = f"{self.where}: {exc}"
                result.error = self._fatal
                break
            except ssl.SSLError as exc:
                self._drop()
                self._fatal = f"TLS failed with {self.where}: {exc}"
                result.error = self._fatal
                break
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                self._drop()
                timeout = self._timeout(self.settings.timeout)
                if smtp is not None and smtp.dot_sent:  # the server may have the message: never send it again
                    result.uncertain = list(pending)
                    result.error = self._describe(exc, "waiting for the server to acknowledge the message", timeout)
                    break
                transient = dict.fromkeys(pending, self._describe(exc, f"talking to {self.where}", timeout))
            if not transient:
                break
            pending = list(transient)
            if attempt == self.tries or self._fatal:
                result.refused.update(transient)
                break
            self._sleep(max(0.0, min(self.settings.retry_delay * 2 ** (attempt - 1), self._left())))
        if result.error is None and not result.accepted and not result.refused and not result.uncertain:
            result.error = "not sent"
        return result
