"""A run as a transaction: one writer per output root, a staging folder swapped in at the end.

``pmo-report run`` never writes into the folder it is asked for. It builds the
whole run in a hidden staging folder beside it (``output/.2026-11-20.pmo-staging-k2x9a1b3``)
and, once every page, ``metrics.csv``, ``index.html`` and ``manifest.json`` is
written, swaps the two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``;
elsewhere two renames that the next run completes if it was cut between them).
A run that fails, crashes or is killed therefore leaves the previous run of that
date exactly as it was; its staging folder is removed by the next run.

Only one process writes an output root at a time: ``run``, ``email`` and ``pdf``
all hold :class:`OutputLock`, an ``fcntl.flock`` on ``<root>/.pmo-report.lock``
that the operating system releases when the holder dies, however it dies.

Every run folder carries :data:`MARKER` (``.pmo-run``), written by the project.
A folder without it is not ours: a run refuses to replace it (unless forced),
and clean-up, pruning and the history page leave it alone.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with OutputLock(root, "run"):
...     staging = create_staging(root / "2026-11-20")
...     _ = (staging / "index.html").write_text("<html></html>")
...     swap_in(staging, root / "2026-11-20")
>>> is_ours(root / "2026-11-20"), sorted(p.name for p in root.iterdir())
(True, ['.pmo-report.lock', '2026-11-20'])
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from pmo_lib.errors import PmoError

log = logging.getLogger("pmo_lib.run")

MARKER = ".pmo-run"  # written by the project into every run folder it builds
LOCK_FILE = ".pmo-report.lock"
_STAGING = ".pmo-staging-"
_PREVIOUS = ".pmo-previous-"
# What files.write_bytes (mkstemp) and papermill's scratch copy are named: .<name>.<8 random>.tmp|.ipynb
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.(tmp|ipynb)$")


class LockedError(PmoError):
    """Another pmo-report process is writing the same output root."""


class NotOursError(PmoError):
    """The output folder holds files pmo-reports did not write."""


# --- one writer at a time -------------------------------------------------------------------------------

_HELD: dict[Path, list] = {}  # root -> [file object, depth]: this process may nest run -> email


class OutputLock:
    """An exclusive, non-blocking ``flock`` on ``<root>/.pmo-report.lock``.

    The lock file names its holder (pid, command, since when) for whoever is
    refused. The operating system drops the lock when the holding process
    ends, so a killed run never leaves a stale lock. A process that already
    holds the lock of ``root`` may take it again (``run --email``).

    Raises
    ------
    LockedError
        On entering, when another process holds the lock: the message names
        its pid and since when it has held it.
    """

    def __init__(self, root: str | Path, command: str):
        self.root = Path(root).resolve()
        self.command = command

    def __enter__(self) -> OutputLock:
        import fcntl

        held = _HELD.get(self.root)
        if held is not None:
            held[1] += 1
            return self
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        handle = open(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = handle.read().strip() or "another process"
            handle.close()
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            raise LockedError(f"{self.root}: {holder} is writing this output folder; "
                              f"'pmo-report {self.command}' waits for nobody: try again when it has finished") \
                from None
        since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pmo-report {self.command} (pid {os.getpid()}) since {since}\n")
        handle.flush()
        _HELD[self.root] = [handle, 1]
        return self

    def __exit__(self, *exc) -> None:
        held = _HELD.get(self.root)
        if held is None:
            return
        held[1] -= 1
        if held[1] == 0:
            del _HELD[self.root]
            held[0].close()  # closing the last descriptor releases the flock


def output_root(run_dir: str | Path) -> Path:
    """The output root a run folder belongs to: its parent (``output/`` of ``output/2026-11-20``)."""
    return Path(run_dir).resolve().parent


# --- our folders and files --------------------------------------------------------------------------------

def write_marker(folder: Path) -> Path:
    """Mark ``folder`` as a run folder built by pmo-reports."""
    marker = folder / MARKER
    marker.write_text(json.dumps({"written_by": "pmo-reports", "created_at": dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds")}) + "\n", encoding="utf-8")
    return marker


def is_ours(folder: Path) -> bool:
    """Whether ``folder`` is a real folder (not a symlink) carrying the project's marker."""
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def check_out_folder(out_dir: Path, *, force: bool = False) -> None:
    """Refuse a non-empty ``out_dir`` that pmo-reports did not write, unless ``force``.

    Raises
    ------
    NotOursError
        Naming the folder and what to do.
    """
    if force or not os.path.lexists(out_dir):
        return
    if out_dir.is_symlink() or not out_dir.is_dir():
        raise NotOursError(f"--out {out_dir}: exists and is not a folder pmo-report wrote; choose another "
                           "--out, or --force to replace it")
    if is_ours(out_dir) or not any(out_dir.iterdir()):
        return
    raise NotOursError(f"--out {out_dir}: the folder is not empty and was not written by pmo-report "
                       f"(no {MARKER} marker); choose an empty or new folder, or --force to replace its contents")


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the project's own temporaries (``.<name>.<8 random>.tmp``) in a folder it built; return them.

    Nothing happens in a folder without the marker, and only names the
    project's atomic writes produce are removed; symlinks are not followed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".portfolio.html.k2x9ab_1.tmp").write_text("<html><bo")
    >>> _ = (folder / ".notes.tmp").write_text("a user's file")
    >>> remove_stale_temporaries(folder)  # not ours: untouched
    []
    >>> _ = write_marker(folder)
    >>> [p.name for p in remove_stale_temporaries(folder)], sorted(p.name for p in folder.iterdir())
    (['.portfolio.html.k2x9ab_1.tmp'], ['.notes.tmp', '.pmo-run'])
    """
    if not is_ours(folder):
        return []
    stale = []
    for parent, _dirs, names in os.walk(folder):  # os.walk does not follow symlinked folders
        for name in names:
            path = Path(parent) / name
            if _TEMPORARY.match(name) and not path.is_symlink():
                path.unlink(missing_ok=True)
                stale.append(path)
    return stale


# --- staging and the swap -----------------------------------------------------------------------------------

def _leftovers(target: Path, kind: str) -> list[Path]:
    prefix = f".{target.name}{kind}"
    root = target.parent
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink())


def recover(target: Path) -> list[Path]:
    """Finish or undo what a killed run left beside ``target``; return the folders removed.

    A swap cut between its two renames (only where ``RENAME_EXCHANGE`` is missing)
    left the previous run at ``.<name>.pmo-previous-*`` and nothing at ``target``:
    it is put back. Staging folders of killed runs (marked, or empty) are removed.
    Call it while holding the :class:`OutputLock`.
    """
    removed = []
    for previous in _leftovers(target, _PREVIOUS):
        if not os.path.lexists(target):
            os.rename(previous, target)
            log.warning("put back %s: a run was stopped while swapping it", target)
        elif is_ours(previous):
            shutil.rmtree(previous)
            removed.append(previous)
    for staging in _leftovers(target, _STAGING):
        if is_ours(staging) or not any(staging.iterdir()):
            shutil.rmtree(staging)
            removed.append(staging)
    return removed


def create_staging(target: Path) -> Path:
    """A new marked staging folder beside ``target`` (same file system, so the swap is a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}{_STAGING}", dir=target.parent))
    os.chmod(staging, 0o755)
    write_marker(staging)
    return staging


def discard(staging: Path) -> None:
    """Remove a staging folder (a failed or stopped run)."""
    if staging.name.startswith(".") and _STAGING in staging.name and not staging.is_symlink():
        shutil.rmtree(staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, target: Path) -> None:
    """Make the finished ``staging`` folder ``target``; the previous ``target`` is deleted.

    Readers see either the previous folder or the new one, never a mixture.
    """
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    if target.is_symlink() or not target.is_dir():
        os.unlink(target)  # check_out_folder allowed it (--force)
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging)  # now the previous run
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{target.name}{_PREVIOUS}", dir=target.parent))
    os.rmdir(previous)
    os.rename(target, previous)
    os.rename(staging, target)  # a kill between the two renames is undone by recover()
    shutil.rmtree(previous)
