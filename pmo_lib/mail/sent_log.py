"""What was sent, to whom and when: ``DIR/email/sent.json``, so nothing goes twice.

The entry is written *before* the message is handed to the server (state
``sending``) and completed after, so a crash in between leaves a record.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmo_lib.files import write_json
from pmo_lib.mail.smtp import MailConfigError


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
            import json

            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise MailConfigError(f"{self.file}: cannot be read ({exc}); it records what was sent, "
                                      "so nothing is sent until it is fixed or removed") from None
            self.entries = list(data.get("messages", [])) if isinstance(data, dict) else []

    def already(self, key: str, addresses: list[str]) -> list[str]:
        """The ``addresses`` that already received (or may have received) report ``key``."""
        done = {a.lower() for e in self.entries if e.get("key") == key and e.get("state") in ("sent", "sending")
                for a in e.get("recipients", [])}
        return [a for a in addresses if a.lower() in done]

    def unknown(self, key: str) -> list[dict]:
        """Entries of ``key`` left in state ``sending`` by an interrupted run."""
        return [e for e in self.entries if e.get("key") == key and e.get("state") == "sending"]

    def start(self, key: str, message_id: str, recipients: list[str], *, subject: str) -> None:
        """Record a message about to be handed to the server."""
        self.entries.append({"key": key, "message_id": message_id, "subject": subject,
                             "recipients": list(recipients), "state": "sending", "time": now_utc()})
        self._save()

    def finish(self, message_id: str, *, accepted: list[str], refused: dict[str, str],
               error: str | None = None) -> None:
        """Record the outcome: ``sent`` to the accepted addresses, or ``failed``."""
        for entry in self.entries:
            if entry["message_id"] == message_id:
                entry.update(recipients=list(accepted), refused=dict(refused), time=now_utc(),
                             state="sent" if accepted else "failed")
                if error:
                    entry["error"] = error
        self._save()

    def _save(self) -> None:
        write_json(self.file, {"messages": self.entries})
