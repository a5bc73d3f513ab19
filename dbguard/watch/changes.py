"""Did the live data change? The size, mtime and inode of the database file and of its `-wal`:
a commit in WAL mode grows or rewrites the -wal, a checkpoint rewrites the file, a restore
replaces it. Two `stat` calls and no open handle (SQLite's `PRAGMA data_version` would need
a connection held open on the live file, which a restore of a lost file refuses while any
process has it open)."""

from __future__ import annotations

import os
from pathlib import Path

from dbguard.config import Config

Stamp = tuple[tuple[int, int, int] | None, ...]


def data_stamp(config: Config) -> Stamp:
    """What changes when the data does; None for a file that is not there. A PostgreSQL
    server or Spark tables have no file to look at: every call differs (a run each interval)."""
    if not config.database.is_sqlite:
        return ((os.getpid(), int.from_bytes(os.urandom(4)), 0),)
    return sqlite_stamp(Path(config.database.path))


def sqlite_stamp(path: Path) -> Stamp:
    """What changes when a commit lands in the SQLite file `path` (in WAL mode or not)."""
    return tuple(_stat(candidate) for candidate in (path, Path(f"{path}-wal")))


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino)
