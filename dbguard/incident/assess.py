"""`incident diff` as a library call: the diff of a point against live, with its loss recorded
in the database's incident (the open one, else the newest), when the history exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.incident.diff import diff_databases
from dbguard.incident.diff_result import Diff

if TYPE_CHECKING:
    from dbguard.config import Config
    from dbguard.incident.point_input import PointFile


@dataclass(frozen=True)
class Assessment:
    diff: Diff
    incident_id: int | None  # where the loss was recorded, None when no incident exists


def assess_loss(
    config: Config,
    live: Path,
    point: PointFile,
    *,
    sample: int = 5,
    keys: bool = False,
    out: Path | None = None,
) -> Assessment:
    result = diff_databases(
        point.path,
        live,
        config.checks.ignore_tables,
        sample=sample,
        keys=keys,
        out=out,
        timeout=config.database.connect_timeout_seconds,
    )
    return Assessment(result, _record(config, result))


def _record(config: Config, result: Diff) -> int | None:
    from dbguard.history import open_history
    from dbguard.incident.records import record_assessment

    history_path = config.reports.history
    if not history_path.is_file():  # no history: no incident, and nothing to create
        return None
    return record_assessment(
        open_history(history_path),
        config.database.key,
        loss=result.loss,
    )
