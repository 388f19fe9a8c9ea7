"""What was sent, to whom and when: ``DIR/email/sent.json``, so nothing goes twice.

Each message has one entry, in one of these states:

``sending``
    written *before* the message is handed to the server; an entry still in this
    state when the log is next read was interrupted (the process was killed) and
    becomes ``uncertain``.
``sent``
    the server acknowledged it with ``250`` for ``recipients``.
``failed``
    it failed before the end of DATA: the server cannot have it, so the next
    ``pmo-report email`` sends it again.
``uncertain``
    the final dot went out but no reply came (connection closed, timed out), or
    the process was stopped while sending: it may have been delivered. It is
    never sent again automatically; only ``--resend`` sends it, and then the
    entry records the message that resolved it (``resolved_by``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pmo_lib.files import write_json
from pmo_lib.mail.smtp import MailConfigError

INTERRUPTED = "the sending process was stopped before the server's reply was recorded"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SentLog:
    """``DIR/email/sent.json``: which report went to whom, written atomically after every change.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> log = SentLog(pathlib.Path(tempfile.mkdtemp()))
    >>> log.start("projects/P1", "<1@x>", ["a@example.org"], subject="S")
    >>> log.finish("<1@x>", accepted=["a@example.org"], refused={})
    >>> log.already("projects/P1", ["A@example.org", "b@example.org"])
    ['A@example.org']
    """

    def __init__(self, run_dir: Path):
        self.file = Path(run_dir) / "email" / "sent.json"
        self.entries: list[dict] = []
        if self.file.is_file():
            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise MailConfigError(f"{self.file}: cannot be read ({exc}); it records what was sent, "
                                      "so nothing is sent until it is fixed or removed") from None
            messages = data.get("messages") if isinstance(data, dict) else None
            if not isinstance(messages, list) or not all(isinstance(e, dict) for e in messages):
                raise MailConfigError(f"{self.file}: has no list of messages; it records what was sent, "
                                      "so nothing is sent until it is fixed or removed")
            self.entries = messages

    def mark_interrupted(self) -> list[dict]:
        """Turn entries left in ``sending`` by a killed process into ``uncertain``; return them."""
        interrupted = [e for e in self.entries if e.get("state") == "sending"]
        for entry in interrupted:
            entry.update(state="uncertain", error=INTERRUPTED)
        if interrupted:
            self._save()
        return interrupted

    def already(self, key: str, addresses: list[str]) -> list[str]:
        """The ``addresses`` that already received (or may have received) report ``key``."""
        done = {a.lower() for e in self.entries if e.get("key") == key
                and e.get("state") in ("sent", "sending", "uncertain") for a in e.get("recipients", [])}
        return [a for a in addresses if a.lower() in done]

    def uncertain(self, key: str | None = None) -> list[dict]:
        """Unresolved ``uncertain`` entries (of report ``key``, or all)."""
        return [e for e in self.entries if e.get("state") == "uncertain" and not e.get("resolved_by")
                and (key is None or e.get("key") == key)]

    def start(self, key: str, message_id: str, recipients: list[str], *, subject: str) -> None:
        """Record a message about to be handed to the server."""
        self.entries.append({"key": key, "message_id": message_id, "subject": subject,
                             "recipients": list(recipients), "state": "sending", "time": now_utc()})
        self._save()

    def finish(self, message_id: str, *, accepted: list[str], refused: dict[str, str],
               uncertain: list[str] = (), error: str | None = None) -> None:
        """Record the outcome: ``uncertain``, ``sent`` to the accepted addresses, or ``failed``."""
        for entry in self.entries:
            if entry["message_id"] == message_id:
                state = "uncertain" if uncertain else "sent" if accepted else "failed"
                entry.update(recipients=list(accepted) + list(uncertain), refused=dict(refused), time=now_utc(),
                             state=state)
                if uncertain:
                    entry["uncertain_recipients"] = list(uncertain)
                if error:
                    entry["error"] = error
        self._save()

    def resolve(self, key: str, message_id: str) -> None:
        """Record that ``message_id`` (sent with ``--resend``) settles the uncertain entries of ``key``."""
        for entry in self.uncertain(key):
            entry["resolved_by"] = message_id
        self._save()

    def _save(self) -> None:
        write_json(self.file, {"messages": self.entries})
