"""A Jupyter kernel kept warm across reports.

Starting a kernel and importing pandas, altair and ``pmo_lib`` costs seconds;
running a report's cells costs a fraction of one. :class:`WarmKernel` starts
one kernel, imports the report libraries once, and then executes notebook
after notebook in it. Before every notebook the user namespace is wiped
(:func:`pmo_lib.run.kernel_reset.reset_namespace`), the working folder is restored and the kernel's execution
state is checked, so nothing one report defines is visible to the next. The
module cache (``sys.modules``) and :mod:`pmo_lib.analysis.handoff`'s cache of
loaded portfolios are kept on purpose: they hold immutable inputs keyed by
file size and modification time, not report state.

A notebook that times out or kills its kernel gets a fresh kernel for the
next report.
"""

from __future__ import annotations

import asyncio
import copy
import os
import shutil
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

WARM_UP = "import pandas, altair, pmo_lib.reports  # warm-up: imported once per kernel"
# Between reports: wipe the user namespace and restore the working folder (binds no name itself).
RESET = "__import__('pmo_lib.run.kernel_reset', fromlist=['_']).reset_namespace(get_ipython(), {cwd!r}, {env!r})"


class KernelFailure(Exception):
    """A notebook failed in the warm kernel; carries what papermill would report."""

    def __init__(self, kind: str, message: str, cell: int | None, notebook):
        super().__init__(message)
        self.kind, self.message, self.cell, self.notebook = kind, message, cell, notebook


class WarmKernel:
    """One kernel that executes many notebooks in turn.

    Parameters
    ----------
    cwd : str
        Working folder of the kernel (the notebooks' folder).
    kernel_name : str
        Jupyter kernel spec, ``python3`` by default.
    """

    def __init__(self, *, cwd: str, kernel_name: str = "python3", startup_timeout: int = 120):
        self.cwd = cwd
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.loop = asyncio.new_event_loop()
        self.km = None
        self.kc = None
        self.sockets = ""
        self.current_cell: int | None = None  # index of the cell last sent to the kernel

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> WarmKernel:
        """Start the kernel and import the report libraries in it."""
        self.loop.run_until_complete(self._start())
        return self

    async def _start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        # IPC sockets in a private folder: no TCP port is opened (and ipykernel has no reason to
        # warn about unencrypted TCP in every scheduled run's log).
        self.sockets = tempfile.mkdtemp(prefix="pmo-kernel-")
        self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                     ip=os.path.join(self.sockets, "kernel"))
        await self.km.start_kernel(cwd=self.cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=self.startup_timeout)
        await self._run_silently(WARM_UP, timeout=self.startup_timeout)

    async def _run_silently(self, code: str, *, timeout: int) -> None:
        reply = await self.kc.execute_interactive(code, silent=True, store_history=False, timeout=timeout)
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RuntimeError(f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")

    def shutdown(self) -> None:
        """Stop the kernel (idempotent)."""
        if self.km is None:
            return
        try:
            self.kc.stop_channels()
            self.loop.run_until_complete(self.km.shutdown_kernel(now=True))
        except Exception:
            pass
        shutil.rmtree(self.sockets, ignore_errors=True)
        self.km = self.kc = None

    def restart(self) -> None:
        """Replace the kernel with a fresh, warmed-up one."""
        self.shutdown()
        self.start()

    # --- running notebooks -------------------------------------------------------------------
    def execute(self, nb: nbformat.NotebookNode, *, timeout: int, cwd: str | None = None,
                env: dict | None = None) -> nbformat.NotebookNode:
        """Execute a (parameterised) notebook in the warm kernel and return the executed copy.

        Raises
        ------
        KernelFailure
            A cell raised (``kind`` is the exception's name), a cell timed out
            (``Timeout``) or the kernel died (``KernelDied``); ``notebook`` holds
            the partly executed copy. After a timeout or a death the kernel is
            replaced, so the next call starts clean.
        """
        if self.km is None:
            self.start()
        executed = copy.deepcopy(nb)
        self.current_cell = None
        try:
            self.loop.run_until_complete(self._execute(executed, timeout=timeout, cwd=cwd or self.cwd, env=env or {}))
        except CellExecutionError as exc:
            raise KernelFailure(exc.ename or "Error", exc.evalue or str(exc), self.current_cell,
                                executed) from None
        except (CellTimeoutError, TimeoutError):
            self.restart()
            raise KernelFailure("Timeout", f"a cell ran longer than {timeout} seconds",
                                self.current_cell, executed) from None
        except DeadKernelError as exc:
            self.restart()
            raise KernelFailure("KernelDied", f"the kernel died while executing the notebook ({exc})",
                                self.current_cell, executed) from None
        return executed

    async def _execute(self, nb, *, timeout: int, cwd: str, env: dict) -> None:
        if not await self.km.is_alive():
            raise DeadKernelError("the kernel is not running")
        await self._run_silently(RESET.format(cwd=cwd, env={str(k): str(v) for k, v in env.items()}), timeout=60)
        client = NotebookClient(nb, km=self.km, timeout=timeout, kernel_name=self.kernel_name,
                                allow_errors=False, record_timing=False, raise_on_iopub_timeout=True)
        client.kc = self.kc
        # The cell that fails is the one last sent to the kernel (a timed-out cell has its
        # execution count already, so "the first cell without one" would blame the next cell).
        client.on_cell_execute = self._note_cell
        await client.async_execute()

    def _note_cell(self, cell, cell_index: int) -> None:
        self.current_cell = cell_index

