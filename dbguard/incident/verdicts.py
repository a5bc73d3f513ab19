"""Each backup's quality verdict: recorded beside it (dbguard.quality.verdict), computed only
when it is missing or the file or the suites changed.

`backup_quality(config, path, judge)` gives the recorded verdict while it holds, else
restores the backup into a scratch folder (verified: checksum, integrity, row counts),
judges the copy with every rule and records the result.
"""

from __future__ import annotations

from pathlib import Path

from backup.naming import utc_now
from backup.verification_record import identity_of
from dbguard.config import Config
from dbguard.incident.points import BACKUP, Point, materialize
from dbguard.incident.probe import Judge
from dbguard.quality.verdict import Quality, record_quality, recorded_quality
from dbguard.scratch import scratch_folder


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
    record_quality(path, judge.digest, quality, identity)
    return quality
