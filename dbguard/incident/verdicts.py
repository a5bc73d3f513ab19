"""Each backup's quality verdict: recorded beside it (backup.quality_record), computed only
when it is missing or the file or the suites changed.

`backup_quality(config, path, judge)` gives the recorded verdict while it holds, else
restores the backup into a scratch folder (verified: checksum, integrity, row counts),
judges the copy with every rule and records the result. `recorded_quality` only reads.
`record_outcomes` records a verdict a run computed some other way (check's backup target).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from backup.naming import utc_now
from backup.quality_record import read_quality, write_quality
from backup.verification_record import identity_of
from dbguard.config import Config
from dbguard.findings import Severity
from dbguard.incident.points import BACKUP, Point, materialize
from dbguard.incident.probe import Judge, Quality
from dbguard.rules.recovery import point_verdict
from dbguard.scratch import scratch_folder

log = logging.getLogger(__name__)


def recorded_quality(path: Path, suites_digest: str) -> Quality | None:
    data = read_quality(Path(path), suites_digest)
    if data is None:
        return None
    try:
        return Quality.from_json(data)
    except (ValueError, KeyError, TypeError):
        return None


def backup_quality(config: Config, path: Path, judge: Judge) -> Quality:
    """The verdict of the backup at `path` (recorded, or computed and recorded now). Raises
    the restore's error (a RestoreRefused) when the backup does not verify."""
    path = Path(path)
    known = recorded_quality(path, judge.digest)
    if known is not None:
        return known
    identity = identity_of(path)  # before reading: a change meanwhile shows next time
    with scratch_folder("point") as folder:
        point = Point(utc_now(), BACKUP, backup=path.absolute())
        quality = judge.judge(materialize(config, point, folder))
    write_quality(path, identity, judge.digest, quality.to_json())
    return quality


def record_outcomes(
    path: Path, suites_digest: str, results: Iterable[tuple[str, str, Severity]]
) -> None:
    """Record the verdict of results `(table, rule, severity)` a run computed on the backup
    at `path` with every rule of the suites `suites_digest` names."""
    results = list(results)
    failing = tuple(
        dict.fromkeys(
            (f"{table} {rule}", severity)
            for table, rule, severity in results
            if severity in (Severity.WARNING, Severity.CRITICAL)
        )
    )
    quality = Quality(point_verdict(sev for _, _, sev in results), failing, utc_now())
    try:
        identity = identity_of(Path(path))
    except OSError as error:
        log.info("not recording the verdict of %s: %s", path, error)
        return
    write_quality(Path(path), identity, suites_digest, quality.to_json())
