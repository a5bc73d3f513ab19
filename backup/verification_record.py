"""The last full verification of each backup, recorded beside it, so `backup list` is fast.

`db_….sqlite3.verified.json` (and `project_….tar.gz.verified.json`) holds the
result of the last full verification (ok, problems, when it started) and what
identified the file then: its size, mtime_ns and ctime_ns, and the sha256 of
its manifest file. A record is trusted only while all of those still match and
the file had not changed within RACY_SECONDS before that verification started
(file times are coarse: a write in the same tick would not show). A missing,
malformed, stale or racy record means the file is verified again. So a record
can only repeat what a full verification of the same file said; bit rot that
leaves size and times alone is caught by `list --verify`, `backup verify` and
`backup prune`, which always read everything.

Records are written atomically (temp, fsync, rename) and best effort: a
read-only backup folder only means the next listing verifies again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from backup.durable import write_bytes_atomically
from backup.naming import as_utc, manifest_path, record_path
from backup.verify import VerifyResult

log = logging.getLogger(__name__)

RECORD_FORMAT = 1
RACY_SECONDS = 2.0


@dataclass(frozen=True)
class FileIdentity:
    """What must be unchanged for a recorded verification to still describe the file."""

    size: int
    mtime_ns: int
    ctime_ns: int
    manifest_sha256: str  # of the manifest file's bytes; "" when it is missing


@dataclass(frozen=True)
class VerificationRecord:
    identity: FileIdentity
    verified_at: datetime  # UTC, when the verification started
    ok: bool
    problems: tuple[str, ...]


def identity_of(artifact: Path) -> FileIdentity:
    """The file's identity now; OSError if it cannot be read."""
    status = os.stat(artifact)
    try:
        manifest_digest = hashlib.sha256(manifest_path(artifact).read_bytes()).hexdigest()
    except FileNotFoundError:
        manifest_digest = ""
    return FileIdentity(status.st_size, status.st_mtime_ns, status.st_ctime_ns, manifest_digest)


def read_record(artifact: Path) -> VerificationRecord | None:
    """The recorded verification of `artifact` if it still describes the file as it is now."""
    try:
        data = json.loads(record_path(artifact).read_text(encoding="utf-8"))
        record = _parse(data, artifact.name)
        current = identity_of(artifact)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if record.identity != current:
        return None
    changed_ns = max(current.mtime_ns, current.ctime_ns)
    verified_ns = int(as_utc(record.verified_at).timestamp() * 1e9)
    if changed_ns >= verified_ns - int(RACY_SECONDS * 1e9):
        return None
    return record


def write_record(
    artifact: Path, identity: FileIdentity, verified_at: datetime, result: VerifyResult
) -> None:
    """Record `result`, taken on the file as `identity` describes it (stat before reading)."""
    data = {
        "format": RECORD_FORMAT,
        "file_name": artifact.name,
        "size": identity.size,
        "mtime_ns": identity.mtime_ns,
        "ctime_ns": identity.ctime_ns,
        "manifest_sha256": identity.manifest_sha256,
        "verified_at": as_utc(verified_at).isoformat(),
        "ok": result.ok,
        "problems": list(result.problems),
    }
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    try:
        write_bytes_atomically(record_path(artifact), text.encode("utf-8"))
    except OSError as error:
        log.info("could not record the verification of %s: %s", artifact, error)


def remove_record(artifact: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        record_path(artifact).unlink()


def _parse(data: Any, file_name: str) -> VerificationRecord:
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise ValueError("not a verification record")
    if data["file_name"] != file_name:
        raise ValueError("the record belongs to another file")
    numbers = [data[key] for key in ("size", "mtime_ns", "ctime_ns")]
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in numbers):
        raise ValueError("size and times must be integers")
    ok, problems = data["ok"], data["problems"]
    if not isinstance(ok, bool) or not isinstance(problems, list) or (ok and problems):
        raise ValueError("ok must be true or false, problems a list (empty when ok)")
    verified_at = datetime.fromisoformat(data["verified_at"])
    if verified_at.tzinfo is None:
        raise ValueError("verified_at must carry a time zone")
    identity = FileIdentity(numbers[0], numbers[1], numbers[2], str(data["manifest_sha256"]))
    return VerificationRecord(identity, as_utc(verified_at), ok, tuple(map(str, problems)))
