"""Which processes have a database (or its -wal/-shm) open right now?

Restore picks its route from this: replacing the file under a process that
has it open corrupts that process's view (measured), so an open database is
restored online, through SQLite's locks. Linux's /proc is read directly; a
process of another user is invisible to a non-root user, and where /proc is
missing we cannot tell — callers then take the online route, which is safe
either way.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def database_files(db_path: Path) -> list[Path]:
    base = Path(db_path).resolve()
    return [base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")]


def processes_holding(db_path: Path, command: str | None = None) -> list[int] | None:
    """Pids with the database or its -wal/-shm open; None if this cannot be known here.

    With `command`, only processes of that name (as /proc/PID/comm has it) are looked at.
    """
    if not (PROC / "self" / "fd").is_dir():
        return None
    targets = {str(path) for path in database_files(db_path)}
    holders: list[int] = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or (command is not None and _command(entry) != command):
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:  # gone, or not ours to see
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(descriptor)
            except OSError:
                continue
            if target.removesuffix(" (deleted)") in targets:
                holders.append(int(entry.name))
                break
    return sorted(holders)


def process_name(pid: int) -> str:
    """The command name of `pid` (/proc/PID/comm), or "a process"."""
    return _command(PROC / str(pid)) or "a process"


def _command(process: Path) -> str:
    try:
        return (process / "comm").read_text().strip()
    except OSError:
        return ""
