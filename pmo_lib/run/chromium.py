"""Headless Chromium over the DevTools pipe: print a page to PDF, measure it, screenshot it.

Chromium (Debian package ``chromium``) is started with ``--remote-debugging-pipe``:
commands and answers travel as NUL-separated JSON on file descriptors 3 and 4,
so no port is opened and no extra Python package is needed. Every call is
bounded by a timeout; the browser runs in its own process group and is ended
with it. Pages are opened with JavaScript disabled and the network refused
(the report pages load nothing anyway).

Used by :mod:`pmo_lib.run.pdf` (the board pack) and by the layout tests
(page width at 390 px, chart text size, pages printed).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from pmo_lib.errors import PmoError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
MM_PER_INCH = 25.4
PAPER_SIZES_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
"""Sheet sizes by name, width and height in millimetres."""


class ChromiumError(PmoError):
    """Chromium is missing, did not start, or failed a command."""

    exit_code = 1


def find_chromium() -> str | None:
    """The path of a Chromium binary on the PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless Chromium; use as a context manager.

    Parameters
    ----------
    binary : str, optional
        Default: the first of ``chromium``, ``chromium-browser``, ``google-chrome`` on the PATH.
    timeout : float, default 60
        Seconds any one command may take.
    """

    def __init__(self, binary: str | None = None, *, timeout: float = 60) -> None:
        binary = binary or find_chromium()
        if binary is None:
            raise ChromiumError("Chromium is not installed: install the Debian package 'chromium'")
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="pmo-chromium-")
        commands_read, self._commands = os.pipe()
        self._events, events_write = os.pipe()
        # Move the child's ends above 10 so that moving them to 3 and 4 cannot collide.
        child_read = fcntl.fcntl(commands_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_write = fcntl.fcntl(events_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(commands_read)
        os.close(events_write)

        def give_pipe_to_child() -> None:
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        try:
            self.process = subprocess.Popen(
                [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                 "--font-render-hinting=none", f"--user-data-dir={self._profile.name}",
                 "--remote-debugging-pipe", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                preexec_fn=give_pipe_to_child, close_fds=False, start_new_session=True)
        finally:
            os.close(child_read)
            os.close(child_write)
        self._buffer = b""
        self._last_id = 0
        self._session: str | None = None
        self._target: str | None = None
        self._loaded = False

    # -- the pipe -------------------------------------------------------------------------
    def _write(self, message: dict) -> None:
        os.write(self._commands, json.dumps(message).encode() + b"\0")

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChromiumError("Chromium did not answer in time")
            ready, _, _ = select.select([self._events], [], [], left)
            if ready:
                chunk = os.read(self._events, 1 << 20)
                if not chunk:
                    raise ChromiumError("Chromium closed its DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._on_event(message)
        return message

    def _on_event(self, message: dict) -> None:
        """A DevTools event (a message that answers no command); a subclass may record them."""
        if message["method"] == "Page.loadEventFired" and message.get("sessionId") == self._session:
            self._loaded = True

    def send(self, method: str, params: dict | None = None, *, page: bool = True,
             timeout: float | None = None) -> dict:
        """Send one DevTools command (to the open page unless ``page=False``) and return its result."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if page and self._session:
            message["sessionId"] = self._session
        self._write(message)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise ChromiumError(f"Chromium {method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    # -- a page ---------------------------------------------------------------------------
    def open(self, url: str, *, width: int = 1400, height: int = 900) -> None:
        """Open ``url`` in a fresh tab at a viewport of ``width`` x ``height`` CSS px; wait for load."""
        if self._target:
            self.send("Target.closeTarget", {"targetId": self._target}, page=False)
            self._session = None
        self._target = self.send("Target.createTarget", {"url": "about:blank"}, page=False)["targetId"]
        self._session = self.send("Target.attachToTarget",
                                  {"targetId": self._target, "flatten": True}, page=False)["sessionId"]
        self.send("Page.enable")
        self.send("Emulation.setScriptExecutionDisabled", {"value": True})
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        self._loaded = False
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.timeout
        while not self._loaded:
            self._read(deadline)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the open page (run by DevTools, not the page)."""
        self.send("Emulation.setScriptExecutionDisabled", {"value": False})
        try:
            result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        finally:
            self.send("Emulation.setScriptExecutionDisabled", {"value": True})
        if "exceptionDetails" in result:
            raise ChromiumError(f"evaluate: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        """Save a PNG of the open page (the whole page by default)."""
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = self.send("Page.captureScreenshot", params)["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)

    def print_pdf(self, *, paper: str = "a4", footer_html: str | None = None,
                  outline: bool = True, margins_mm: tuple[float, float, float, float] | None = None) -> bytes:
        """Print the open page to PDF bytes.

        Parameters
        ----------
        paper : {"a4", "letter"}
        footer_html : str, optional
            Chromium's footer template (``<span class="pageNumber">``); none by default.
        outline : bool, default True
            Bookmarks from the page's headings (Chromium's document outline).
        margins_mm : (top, right, bottom, left), optional
            Default: the page's own ``@page`` margins.
        """
        width, height = PAPER_SIZES_MM[paper]
        params: dict[str, Any] = {
            "paperWidth": width / MM_PER_INCH, "paperHeight": height / MM_PER_INCH,
            "printBackground": True, "preferCSSPageSize": False,
            "generateDocumentOutline": outline, "generateTaggedPDF": outline,
            "displayHeaderFooter": footer_html is not None,
        }
        if footer_html is not None:
            params["headerTemplate"] = "<span></span>"
            params["footerTemplate"] = footer_html
        if margins_mm is not None:
            top, right, bottom, left = (m / MM_PER_INCH for m in margins_mm)
            params.update(marginTop=top, marginRight=right, marginBottom=bottom, marginLeft=left)
        data = self.send("Page.printToPDF", params, timeout=max(self.timeout, 180))["data"]
        return base64.b64decode(data)

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        """End the browser (its own process group) and remove its profile."""
        try:
            self.send("Browser.close", page=False, timeout=5)
        except (OSError, ChromiumError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only Chromium's processes
            self.process.wait(timeout=10)
        for fd in (self._commands, self._events):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
