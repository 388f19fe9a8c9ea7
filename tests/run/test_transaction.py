"""A run as a transaction: the output root's lock, the marker, the staging folder and its swap.

Unit tests of :mod:`pmo_lib.run.transaction` (a lock held by another real
process, folders that are not ours, a swap cut part-way); the command-line
cases (a second writer, SIGTERM and SIGINT, ``--force``) are in
``tests/run/test_stops.py``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pmo_lib.run import transaction
from pmo_lib.run.transaction import (
    LOCK_FILE,
    MARKER,
    LockedError,
    NotOursError,
    OutputLock,
    check_out_folder,
    create_staging,
    discard,
    is_ours,
    recover,
    swap_in,
    write_marker,
)

HOLD = """
import sys, time
from pmo_lib.run.transaction import OutputLock
with OutputLock(sys.argv[1], "run"):
    print("held", flush=True)
    time.sleep(60)
"""


def hold_lock(root: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_writer_is_refused_naming_the_holder_and_the_lock_dies_with_it(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        with pytest.raises(LockedError) as refused:
            with OutputLock(tmp_path, "email"):
                pass
        message = str(refused.value)
        assert message.startswith(f"{tmp_path}: pmo-report run (pid {holder.pid}) since ")
        since = re.search(r"since (\S+) is writing", message).group(1)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", since)
        assert "'pmo-report email' waits for nobody" in message
    finally:
        holder.kill()  # SIGKILL: no clean-up code runs, the OS drops the lock
        holder.wait(timeout=10)
    with OutputLock(tmp_path, "email"):
        assert (tmp_path / LOCK_FILE).read_text().startswith(f"pmo-report email (pid {os.getpid()}) since ")


def test_the_lock_may_be_taken_again_by_its_holder_and_is_released_after(tmp_path):
    with OutputLock(tmp_path, "run"):
        with OutputLock(tmp_path, "email"):  # run --email
            pass
        assert transaction._HELD  # still held by the outer block
    assert not transaction._HELD
    holder = hold_lock(tmp_path)  # another process can take it now
    holder.kill()
    holder.wait(timeout=10)


def test_a_folder_that_is_not_ours_is_refused_unless_forced(tmp_path):
    user = tmp_path / "share"
    user.mkdir()
    (user / "index.html").write_text("the team's own page")
    with pytest.raises(NotOursError, match=re.escape(f"--out {user}: the folder is not empty and was not "
                                                     "written by pmo-report (no .pmo-run marker)")):
        check_out_folder(user)
    check_out_folder(user, force=True)
    check_out_folder(tmp_path / "new")  # does not exist yet
    (tmp_path / "empty").mkdir()
    check_out_folder(tmp_path / "empty")
    write_marker(user)
    check_out_folder(user)  # ours now
    link = tmp_path / "link"
    link.symlink_to(user, target_is_directory=True)
    assert not is_ours(link)
    with pytest.raises(NotOursError, match="exists and is not a folder pmo-report wrote"):
        check_out_folder(link)


def test_swap_replaces_the_previous_run_whole_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "2026-11-20"
    target.mkdir()
    write_marker(target)
    (target / "old.html").write_text("old")
    staging = create_staging(target)
    assert staging.parent == tmp_path and staging.name.startswith(".2026-11-20.pmo-staging-")
    assert is_ours(staging)
    (staging / "new.html").write_text("new")
    swap_in(staging, target)
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-20"]


def test_without_an_atomic_exchange_a_swap_cut_part_way_is_put_back(tmp_path, monkeypatch):
    target = tmp_path / "2026-11-20"
    target.mkdir()
    write_marker(target)
    (target / "page.html").write_text("previous run")
    staging = create_staging(target)
    monkeypatch.setattr(transaction, "_exchange", lambda a, b: False)
    renames, real_rename = [], os.rename

    def rename_then_die(src, dst):
        renames.append((src, dst))
        if len(renames) == 2:
            raise KeyboardInterrupt  # killed between moving the old run aside and moving the new one in
        real_rename(src, dst)

    monkeypatch.setattr(transaction.os, "rename", rename_then_die)
    with pytest.raises(KeyboardInterrupt):
        swap_in(staging, target)
    monkeypatch.undo()
    assert not target.exists()
    removed = recover(target)  # what the next run does first, under the lock
    assert (target / "page.html").read_text() == "previous run"
    assert removed == [staging]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-20"]


def test_recover_removes_only_marked_or_empty_staging_folders(tmp_path):
    target = tmp_path / "2026-11-20"
    killed = create_staging(target)
    (killed / "projects").mkdir()
    (killed / "projects" / "P1.html").write_text("half a run")
    empty = tmp_path / ".2026-11-20.pmo-staging-abc12345"  # killed between mkdtemp and the marker
    empty.mkdir()
    lookalike = tmp_path / ".2026-11-20.pmo-staging-mine"  # a user's folder that happens to match
    lookalike.mkdir()
    (lookalike / "notes.txt").write_text("keep me")
    assert sorted(recover(target)) == sorted([killed, empty])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2026-11-20.pmo-staging-mine"]
    discard(lookalike.parent)  # not a staging folder: discard refuses it
    assert (lookalike / "notes.txt").read_text() == "keep me"


def test_the_lock_file_is_released_when_the_holder_is_stopped_by_a_signal(tmp_path):
    holder = hold_lock(tmp_path)
    holder.send_signal(signal.SIGTERM)
    holder.wait(timeout=10)
    deadline = time.monotonic() + 5
    while True:
        try:
            with OutputLock(tmp_path, "run"):
                break
        except LockedError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
