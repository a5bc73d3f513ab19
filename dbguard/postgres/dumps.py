"""The newest file in the folder a team's pg_dump (or pgBackRest) job writes to: dbguard does
not take PostgreSQL backups, but checks that someone does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class DumpFile:
    path: Path
    modified_at: datetime  # UTC


def newest_dump(folder: Path) -> DumpFile | None:
    """The most recently modified regular, non-hidden file (a dump still being written by
    a tool that uses a hidden temp name is ignored); None when there is none."""
    if not Path(folder).is_dir():
        return None
    newest: DumpFile | None = None
    for path in Path(folder).iterdir():
        if path.name.startswith(".") or not path.is_file():
            continue
        moment = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if newest is None or moment > newest.modified_at:
            newest = DumpFile(path, moment)
    return newest
