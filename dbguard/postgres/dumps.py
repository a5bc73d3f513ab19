"""The newest file in the folder a team's pg_dump (or pgBackRest) job writes to: dbguard does
not take PostgreSQL backups, but checks that someone does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dbguard.config import BackupConfig
from dbguard.findings import Finding
from dbguard.rules.backup import TAKE_DUMP, backup_age_finding


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


def dump_age_finding(
    config: BackupConfig, now: datetime | None = None
) -> tuple[Finding, float | None]:
    """The newest dump's age against the plan's 26 h / 50 h (`[backup] max_age_*_hours`), and
    the age in hours (None: no dump). Only for a configured `[backup] postgres_dump_dir`."""
    folder = config.postgres_dump_dir
    assert folder is not None, "only called with [backup] postgres_dump_dir set"
    what = f"a dump in {folder}"
    dump = newest_dump(folder)
    if dump is None:
        reason = (
            f"no dump file in {folder}" if Path(folder).is_dir() else f"{folder} does not exist"
        )
        return backup_age_finding(
            None, None, reason, config, what=what, remediation=TAKE_DUMP
        ), None
    age_hours = ((now or datetime.now(UTC)) - dump.modified_at).total_seconds() / 3600
    finding = backup_age_finding(
        dump.path.name, age_hours, "", config, what=what, remediation=TAKE_DUMP
    )
    return finding, age_hours
