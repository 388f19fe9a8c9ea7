"""The ``direct`` engine: notebook cells run by IPython's shell, without the Jupyter kernel protocol.

The warm engine (:mod:`pmo_lib.run.warm_kernel`) pays for every cell in
Jupyter messages: an execute request, its reply, the output and status
messages, each serialised, signed and sent over ZeroMQ, and nbclient's
bookkeeping around them (about 5 ms of CPU per cell on both sides). This
engine keeps the part that matters, IPython's ``InteractiveShell`` (the same
display formatters, so the same outputs as a kernel gives), in a child
process kept warm per worker, and sends it a whole notebook at a time over a
pipe: one JSON line in, one line per cell started, one line of results out.

The guarantees are the warm engine's:

- **per-cell errors name the cell**: a cell that raises stops the notebook;
  the result carries the cell's index, the exception's name and message,
  and the error output (with IPython's traceback) is in the executed
  notebook, as papermill would leave it;
- **timeouts**: each cell gets ``timeout`` seconds (an alarm in the child
  raises in the cell); a cell that does not return even then (stuck in C
  code) is ended by killing the child after a grace period;
- **a misbehaving child is replaced**: after a timeout, a death
  (``os._exit``, a crash) or when its memory grew past
  :data:`MAX_GROWTH_BYTES` since it started, the child is killed and the
  next notebook gets a fresh one. Between notebooks the user namespace is
  wiped as in the warm kernel (:func:`pmo_lib.run.kernel_reset.reset_namespace`)
  and the working folder restored. The child exits by itself when its
  worker dies.

Examples
--------
>>> from nbformat.v4 import new_code_cell, new_notebook
>>> engine = DirectEngine(cwd=".")
>>> done = engine.execute(new_notebook(cells=[new_code_cell("1 + 1")]), timeout=60)
>>> done.cells[0].outputs[0]["data"]["text/plain"]
'2'
>>> engine.shutdown()
"""

from __future__ import annotations

import copy
import json
import os
import select
import signal
import subprocess
import sys
import time

import nbformat

from pmo_lib.run.warm_kernel import WARM_UP, KernelFailure

MAX_GROWTH_BYTES = 1 << 30
"""A child whose resident memory grew by more than this since its warm-up is replaced."""
GRACE_SECONDS = 10
"""How long past a cell's timeout the worker waits before it kills a child that does not answer."""


class DirectEngine:
    """A worker's warm IPython child process that executes notebooks one after another.

    Parameters
    ----------
    cwd : str
        The folder cells start in (the notebooks' folder).
    startup_timeout : int
        Seconds the child may take to start and import the report libraries.
    """

    def __init__(self, *, cwd: str, startup_timeout: int = 120):
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self._buffer = b""

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> DirectEngine:
        """Start the child and wait until it has imported the report libraries."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pmo_lib.run.direct_engine", self.cwd], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, cwd=self.cwd, start_new_session=True)
        self._buffer = b""
        ready = self._read(self.startup_timeout)
        if not ready or ready.get("ready") is not True:
            self.shutdown()
            raise RuntimeError(f"the direct engine did not start: {ready}")
        return self

    def shutdown(self) -> None:
        """Stop the child (idempotent)."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()
            process.wait(timeout=2)
        except Exception:
            process.kill()
            process.wait()
        process.stdout.close()

    def _kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        self.shutdown()

    # --- the pipe --------------------------------------------------------------------------------
    def _read(self, timeout: float) -> dict | None:
        """The child's next message; ``{"closed": True}`` when it died, None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return {"closed": True}
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    # --- running notebooks -------------------------------------------------------------------
    def execute(self, nb: nbformat.NotebookNode, *, timeout: int, cwd: str | None = None,
                env: dict | None = None) -> nbformat.NotebookNode:
        """Execute a (parameterised) notebook and return the executed copy.

        Raises
        ------
        KernelFailure
            A cell raised (``kind`` is the exception's name), timed out
            (``Timeout``) or the child died (``KernelDied``); ``notebook``
            holds the partly executed copy and ``cell`` the cell's index.
        """
        if self.process is None or self.process.poll() is not None:
            self.shutdown()
            self.start()
        executed = copy.deepcopy(nb)
        code = [i for i, cell in enumerate(executed.cells) if cell.cell_type == "code"]
        request = {"cells": [executed.cells[i].source for i in code], "cwd": cwd or self.cwd,
                   "env": {str(k): str(v) for k, v in (env or {}).items()}, "timeout": timeout}
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            self._kill()
            raise KernelFailure("KernelDied", "the direct engine's process was not running", None,
                                executed) from None
        running = None
        while True:
            message = self._read(timeout + GRACE_SECONDS)
            if message is None or "closed" in message:
                self._kill()
                cell = code[running] if running is not None else None
                if message is not None:
                    raise KernelFailure("KernelDied", "the process executing the notebook died", cell, executed)
                raise KernelFailure("Timeout", f"a cell ran longer than {timeout} seconds", cell, executed)
            if "cell" in message:
                running = message["cell"]
                continue
            break
        for position, (outputs, count) in enumerate(zip(message["outputs"], message["counts"])):
            cell = executed.cells[code[position]]
            cell.outputs = [nbformat.from_dict(output) for output in outputs]
            cell.execution_count = count
        if message.get("replace") or message.get("grown", 0) > MAX_GROWTH_BYTES:
            self._kill()
        error = message.get("error")
        if error:
            raise KernelFailure(error["kind"], error["message"], code[error["cell"]], executed)
        return executed


# --- the child process ---------------------------------------------------------------------------
class _CellTimeout(BaseException):
    """Raised in a cell by the alarm (a BaseException: ``except Exception`` in a cell cannot eat it)."""


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _make_shell():
    """An InteractiveShell whose display hook, display publisher and traceback record outputs."""
    import base64

    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    outputs: list[dict] = []

    def clean(data: dict) -> dict:
        return {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in data.items()}

    class Hook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            outputs.append({"output_type": "execute_result", "execution_count": self.shell.execution_count,
                            "data": clean(format_dict), "metadata": md_dict or {}})

        def finish_displayhook(self):
            pass

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            outputs.append({"output_type": "display_data", "data": clean(data), "metadata": metadata or {}})

        def clear_output(self, wait=False):
            outputs.clear()

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Publisher

        def _showtraceback(self, etype, evalue, stb):
            outputs.append({"output_type": "error", "ename": etype.__name__, "evalue": str(evalue),
                            "traceback": stb})

        def init_history(self):
            from IPython.core.history import HistoryManager

            self.history_manager = HistoryManager(shell=self, parent=self, enabled=False)

    shell = Shell.instance(colors="NoColor")
    return shell, outputs


class _Stream:
    """sys.stdout / sys.stderr in the child: text becomes a stream output of the running cell."""

    encoding = "utf-8"

    def __init__(self, name: str, outputs: list[dict]):
        self.name, self.outputs = name, outputs

    def write(self, text: str) -> int:
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last["output_type"] == "stream" and last["name"] == self.name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": self.name, "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _serve(cwd: str) -> None:
    """The child's loop: read a notebook request per line, answer with progress and results."""
    from pmo_lib.run.kernel_reset import reset_namespace

    reply = os.fdopen(os.dup(1), "w", buffering=1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)  # stray writes to the real stdout must not corrupt the answers
    parent = os.getppid()
    _watch_parent(parent)
    shell, outputs = _make_shell()
    from pmo_lib.charts.render import use_static_charts

    use_static_charts()  # plain Altair charts as inline SVG, as a kernel's first import of pmo_lib does
    sys.stdout, sys.stderr = _Stream("stdout", outputs), _Stream("stderr", outputs)
    shell.run_cell(WARM_UP, store_history=False, silent=True)
    # What ``import pmo_lib`` does in a kernel (this process imported it before it had a shell):
    # plain Altair charts show as inline SVG in the report theme.
    from pmo_lib.charts.render import use_static_charts

    use_static_charts()
    base = _rss()

    def alarm(signum, frame):
        raise _CellTimeout

    signal.signal(signal.SIGALRM, alarm)
    reply.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        reset_namespace(shell, request["cwd"], request["env"])
        shell.execution_count = 1
        cells_out, counts, error, replace = [], [], None, False
        for index, source in enumerate(request["cells"]):
            reply.write(json.dumps({"cell": index}) + "\n")
            outputs.clear()
            count = shell.execution_count
            signal.setitimer(signal.ITIMER_REAL, request["timeout"])
            try:
                result = shell.run_cell(source, store_history=True)
            except _CellTimeout:
                result, replace = None, True
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            for output in outputs:  # the count of the cell that made it, as a kernel reports it
                if output["output_type"] == "execute_result":
                    output["execution_count"] = count
            cells_out.append(list(outputs))
            counts.append(count)
            failure = None if result is None else (result.error_before_exec or result.error_in_exec)
            if result is None or isinstance(failure, _CellTimeout):
                error, replace = {"kind": "Timeout", "cell": index,
                                  "message": f"a cell ran longer than {request['timeout']} seconds"}, True
            elif failure is not None:
                error = {"kind": type(failure).__name__, "message": str(failure), "cell": index}
            if error:
                break
        reply.write(json.dumps({"outputs": cells_out, "counts": counts, "error": error, "replace": replace,
                                "grown": _rss() - base}) + "\n")


def _watch_parent(parent: int) -> None:
    """Exit when the worker that started this child is gone (its pipe is no longer read)."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    _serve(sys.argv[1])
