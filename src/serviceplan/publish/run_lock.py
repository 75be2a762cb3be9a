"""One run at a time in a workspace: ``reports/.lock``, held with an operating-system file lock.

The lock is ``flock(LOCK_EX | LOCK_NB)`` on the open lock file (``msvcrt.locking`` on Windows). The operating
system releases it when the holder ends in any way, ``kill -9`` included, so a lock is stale exactly when its
owner is gone, and no process ever decides from a file's content that another one is gone (the earlier lock did,
and read a lock whose owner had not written its process id yet as stale). Taking the lock is one system call:
of many processes that try at once, exactly one gets it.

The file holds the owner (process id, host, start time and command line) for the message a second run prints;
it is written after the lock is taken and is information, not the lock. On release the holder removes the file
while still holding it; a process that opened the file before the removal notices, after it got the lock, that
the path now names another file (or none) and tries again, so a removed file is never held by two.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from serviceplan.core.errors import RunError
from serviceplan.core.paths import Workspace
from serviceplan.publish.versions import LOCK

_OWNER_WAIT = 2.0  # seconds a refused process waits for the holder to have written who it is


def _try_lock(handle: IO[str]) -> bool:
    """Take the operating-system lock on ``handle`` without waiting; whether it was taken."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(handle: IO[str], path: Path) -> bool:
    """Whether ``path`` still names the file ``handle`` has open (the holder may have removed it meanwhile)."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


def _owner() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": " ".join(["serviceplan", *sys.argv[1:]]) if sys.argv else "serviceplan",
    }


def read_owner(lock: Path) -> dict[str, Any] | None:
    """Who holds ``lock`` as its holder wrote it, or ``None`` when the file is empty, unreadable or gone."""
    try:
        text = lock.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        owner = json.loads(text) if text.strip() else None
    except ValueError:
        return None
    return owner if isinstance(owner, dict) and isinstance(owner.get("pid"), int) else None


def _held_by(lock: Path, reports: Path) -> RunError:
    """The error a run gets when another holds the lock, naming the holder (waits briefly for its details)."""
    deadline = time.monotonic() + _OWNER_WAIT
    owner = read_owner(lock)
    while owner is None and time.monotonic() < deadline:
        time.sleep(0.05)
        owner = read_owner(lock)
    if owner is None:
        who = "another serviceplan run"
    else:
        who = (
            f"another serviceplan run (process {owner['pid']} on {owner.get('host', '?')}, "
            f"`{owner.get('command', 'serviceplan')}`, started {owner.get('started', '?')})"
        )
    return RunError(f"{who} is working in {reports}; wait for it to end, then run again")


@contextlib.contextmanager
def run_lock(ws: Workspace) -> Iterator[Path]:
    """Hold ``reports/.lock`` for the duration of a run, so that two runs never work in one workspace at once.

    Raises :class:`RunError` naming the holder when another process holds it.
    """
    ws.reports_dir.mkdir(parents=True, exist_ok=True)
    lock = ws.reports_dir / LOCK
    while True:
        handle = open(lock, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the whole run
        if not _try_lock(handle):
            handle.close()
            raise _held_by(lock, ws.reports_dir)
        if _same_file(handle, lock):
            break
        handle.close()  # the holder removed the file between our open and our lock: take the new one
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(_owner()))
        handle.flush()
        yield lock
    finally:
        if sys.platform != "win32":  # Windows cannot remove a file that is open; the next holder rewrites it
            lock.unlink(missing_ok=True)
        handle.close()
