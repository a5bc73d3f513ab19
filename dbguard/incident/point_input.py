"""The recovery point a command compares with or repairs from, as a plain SQLite file in a
scratch folder: `--from` resolved by dbguard.incident.points (a backup, a replica TXID, a
time) and brought back there (materialize). Live is never touched."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.errors import ConfigError

if TYPE_CHECKING:
    from dbguard.config import Config


@dataclass(frozen=True)
class PointFile:
    path: Path  # a SQLite file of the point's data, nothing else writes it
    label: str  # how the point is named to the user
    point: dict[str, Any]  # as records keep it: {"time", "backup"} or {"time", "txid"}


@contextmanager
def point_file(config: Config, text: str | None, command: str) -> Iterator[PointFile]:
    """The point `text` names, as a file readable for the `with` block."""
    from dbguard.incident.points import materialize, require_sqlite, resolve_point
    from dbguard.scratch import scratch_folder

    require_sqlite(config)
    if not text:
        raise ConfigError(
            f"'dbguard {command}' needs a recovery point",
            "pass --from with a backup, a TXID or a time ('dbguard incident find' names the"
            " last good point)",
        )
    point = resolve_point(config, text)
    with scratch_folder("incident-point") as folder:
        yield PointFile(materialize(config, point, folder), point.describe(), point.to_json())
