"""The recovery point a command compares with or repairs from, as a plain SQLite file.

`--from` names a SQLite file: a backup (its path, or its name in the backup folder), or any
copy of the database. Recovery points by time or replica TXID, and the default (the last
good point `incident find` reports), come from dbguard.incident's points once they exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.database import require_database
from dbguard.errors import DbguardError

if TYPE_CHECKING:
    from dbguard.config import Config


@dataclass(frozen=True)
class PointFile:
    path: Path  # a SQLite file nothing writes while the command runs
    label: str  # how the point is named to the user
    point: dict[str, str]  # the point as records keep it: {"time", "backup"} or {"time", "txid"}


@contextmanager
def point_file(config: Config, text: str | None, command: str) -> Iterator[PointFile]:
    """The point `text` names, as a file readable for the `with` block."""
    if not text:
        raise DbguardError(
            f"'dbguard {command}' needs a recovery point",
            "pass --from with a backup file (see 'dbguard backup list')",
        )
    path = _backup_path(config, text)
    require_database(path)
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    yield PointFile(path, f"backup {path}", {"time": moment, "backup": str(path)})


def _backup_path(config: Config, text: str) -> Path:
    given = Path(text).expanduser()
    if given.is_file():
        return given.resolve()
    in_folder = config.backup.dir / text
    if in_folder.is_file():
        return in_folder.resolve()
    raise DbguardError(
        f"recovery point {text} does not exist",
        "pass --from with a backup file or its name in the backup folder"
        " (see 'dbguard backup list')",
    )
