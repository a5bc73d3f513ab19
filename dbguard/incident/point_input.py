"""The recovery points a command compares with or repairs from.

`--from` is resolved by dbguard.incident.points (a backup, a replica TXID, a time). Without
it, the last good point is the one `incident find` recorded in the open incident, else the
one `find` finds now. The first bad point (where the damage is known to be; the repair's
conflicts need it) is only ever the recorded one. A point is brought back into a scratch
folder as a plain SQLite file (materialize); live is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.errors import ConfigError

if TYPE_CHECKING:
    from dbguard.config import Config
    from dbguard.history import Incident
    from dbguard.incident.points import Point


@dataclass(frozen=True)
class PointFile:
    path: Path  # a SQLite file of the point's data, nothing else writes it
    label: str  # how the point is named to the user
    point: dict[str, Any]  # as records keep it: {"time", "backup"} or {"time", "txid"}
    backup: Path | None
    txid: int | None
    time: datetime


def open_incident(config: Config) -> Incident | None:
    """The database's open incident, or None (no history, or none open)."""
    from dbguard.history import IncidentStore, open_history

    if not config.reports.history.is_file():
        return None
    newest = IncidentStore(open_history(config.reports.history)).incidents(
        config.database.key, limit=1
    )
    return newest[0] if newest and newest[0].is_open else None


def last_good(config: Config, text: str | None, incident: Incident | None, command: str) -> Point:
    from dbguard.incident.points import require_sqlite, resolve_point

    require_sqlite(config)
    if text:
        return resolve_point(config, text)
    recorded = incident.assessment.last_good if incident and incident.assessment else None
    if recorded and (recorded.txid or recorded.backup):
        return resolve_point(
            config, str(recorded.txid or recorded.backup), option="the incident's last good point"
        )
    from dbguard.incident.find import NOTHING, find_damage

    found = find_damage(config)
    if found.last_good is None:
        why = (
            "the live database passes its critical rules, so there is no damage to start from"
            if found.status == NOTHING
            else f"'dbguard incident find' found no good one ({found.status})"
        )
        raise ConfigError(
            f"'dbguard {command}' needs a recovery point: {why}",
            "pass --from with a backup, a TXID or a time",
        )
    return found.last_good


def first_bad(config: Config, incident: Incident | None, good: Point) -> Point | None:
    """The recorded first bad point when it is a recovery point after `good`; else None."""
    from dbguard.incident.points import resolve_point

    recorded = incident.assessment.first_bad if incident and incident.assessment else None
    if recorded is None or recorded.live or not (recorded.txid or recorded.backup):
        return None
    bad = resolve_point(
        config, str(recorded.txid or recorded.backup), option="the incident's first bad point"
    )
    return bad if bad.time > good.time else None


@contextmanager
def point_files(config: Config, points: list[Point]) -> Iterator[list[PointFile]]:
    """`points` as files readable for the `with` block."""
    from dbguard.incident.points import materialize
    from dbguard.scratch import scratch_folder

    with scratch_folder("incident-point") as folder:
        files = []
        for number, point in enumerate(points):
            (folder / str(number)).mkdir()
            path = materialize(config, point, folder / str(number))
            files.append(
                PointFile(
                    path, point.describe(), point.to_json(), point.backup, point.txid, point.time
                )
            )
        yield files


@contextmanager
def point_file(config: Config, text: str | None, command: str) -> Iterator[PointFile]:
    """The point `--from` names (default: the last good point), as a file for the block."""
    good = last_good(config, text, open_incident(config), command)
    with point_files(config, [good]) as (file,):
        yield file
