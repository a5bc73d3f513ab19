"""A backup's quality verdict, recorded beside it: `db_….sqlite3.quality.json`.

Whoever judges a backup's data (check's backup target, `backup verify`, `backup list
--quality`, `incident find`, `backup restore --latest`) records the verdict here, with what
identified the file (backup.verification_record's identity: size, times, the manifest's
sha256) and the digest of the suites that judged it. A record is trusted only while both are
unchanged: a changed file or changed suites mean the verdict is computed again. The verdict
itself is opaque here (the backup layer knows no rules): a JSON object the incident layer
writes and reads.

Records are written atomically and best effort: a read-only folder only costs a recount.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from backup.durable import write_bytes_atomically
from backup.naming import quality_path
from backup.verification_record import FileIdentity, identity_of

log = logging.getLogger(__name__)

QUALITY_FORMAT = 1


def read_quality(artifact: Path, suites_digest: str) -> dict[str, Any] | None:
    """The verdict recorded for `artifact` as it is now, judged by the suites `suites_digest`
    names; None when there is none, or the file or the suites changed since."""
    try:
        data = json.loads(quality_path(artifact).read_text(encoding="utf-8"))
        current = identity_of(artifact)
        if not isinstance(data, dict) or data.get("format") != QUALITY_FORMAT:
            return None
        recorded = FileIdentity(
            int(data["size"]),
            int(data["mtime_ns"]),
            int(data["ctime_ns"]),
            str(data["manifest_sha256"]),
        )
        verdict = data["quality"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if recorded != current or data.get("suites_sha256") != suites_digest:
        return None
    if data.get("file_name") != artifact.name or not isinstance(verdict, dict):
        return None
    return verdict


def write_quality(
    artifact: Path, identity: FileIdentity, suites_digest: str, quality: dict[str, Any]
) -> None:
    """Record `quality`, judged on the file as `identity` describes it (stat before reading)."""
    data = {
        "format": QUALITY_FORMAT,
        "file_name": artifact.name,
        "size": identity.size,
        "mtime_ns": identity.mtime_ns,
        "ctime_ns": identity.ctime_ns,
        "manifest_sha256": identity.manifest_sha256,
        "suites_sha256": suites_digest,
        "quality": quality,
    }
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    try:
        write_bytes_atomically(quality_path(artifact), text.encode("utf-8"))
    except OSError as error:
        log.info("could not record the quality verdict of %s: %s", artifact, error)
