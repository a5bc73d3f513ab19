"""The manifest beside each backup: what it holds and how to recognise it later.

`db_….sqlite3.manifest.json` records sha256, size, created_at (UTC ISO 8601),
source path, SQLite version, per-table row counts, duration and the dbguard
version, and the source file's mode and owner (so a restore onto a lost disk can give the
new file to the application's user again; manifests written before lack them). It is written atomically and only after the backup verified: a
backup without a valid manifest is not a backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from backup.durable import publish_no_clobber, write_bytes_atomically
from backup.naming import as_utc, manifest_path
from dbguard.errors import BackupError

MANIFEST_FORMAT = 1
KIND_DATABASE = "sqlite-backup"
KIND_ARCHIVE = "project-archive"


@dataclass(frozen=True)
class Manifest:
    kind: str
    file_name: str
    sha256: str
    size: int
    created_at: datetime
    source: str
    duration_seconds: float
    dbguard_version: str
    sqlite_version: str = ""
    # The journal mode of the source, so a restore can put WAL back.
    source_journal_mode: str = ""
    page_size: int = 0
    row_counts: dict[str, int] = field(default_factory=dict)
    # Project archives: number of regular files in the tar.
    file_count: int = 0
    # The `[checks] ignore_tables` globs the backup was taken with: its row counts leave those
    # tables out, and verifying or restoring it counts the same tables. Older manifests: none
    # (only the tables every dbguard ignores: SQLite's and Litestream's own).
    ignore_tables: tuple[str, ...] = ()
    # The source database file's permission bits and owner when it was backed up (None in
    # older manifests, and for copies that are not backups of a file).
    source_mode: int | None = None
    source_uid: int | None = None
    source_gid: int | None = None
    format: int = MANIFEST_FORMAT

    @property
    def records_ownership(self) -> bool:
        return None not in (self.source_mode, self.source_uid, self.source_gid)

    def to_json(self) -> str:
        data = asdict(self)
        data["created_at"] = as_utc(self.created_at).isoformat()
        if self.source_mode is not None:
            data["source_mode"] = f"{self.source_mode:04o}"  # as `ls` and `chmod` write it
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(artifact: Path, manifest: Manifest) -> Path:
    """Write the manifest for the (final) path `artifact` atomically; return its path."""
    target = manifest_path(artifact)
    write_bytes_atomically(target, manifest.to_json().encode("utf-8"))
    return target


def publish_with_manifest(temp: Path, final: Path, manifest: Manifest) -> None:
    """Manifest first, then move `temp` to `final` (no clobber); a failed publish removes the
    manifest again, so a published file always has its manifest and a manifest its file."""
    write_manifest(final, manifest)
    try:
        publish_no_clobber(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            manifest_path(final).unlink()
        raise


def read_manifest(artifact: Path) -> Manifest:
    """The manifest beside `artifact`; a BackupError saying why if it is missing or malformed."""
    target = manifest_path(Path(artifact))
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BackupError(
            f"{Path(artifact).name} has no manifest ({target.name} is missing)",
            "a backup without a manifest was never verified; take a new backup",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise BackupError(f"cannot read {target}: {error}", "check the file") from None
    try:
        return _parse(json.loads(text))
    except (ValueError, TypeError, KeyError) as error:
        raise BackupError(
            f"manifest {target.name} is malformed: {error}",
            "the manifest was changed or damaged; take a new backup",
        ) from None


def _parse(data: Any) -> Manifest:
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    counts = data.get("row_counts", {})
    if not isinstance(counts, dict) or not all(
        isinstance(key, str) and isinstance(value, int) and not isinstance(value, bool)
        for key, value in counts.items()
    ):
        raise ValueError("row_counts must map table names to integers")
    sha = data["sha256"]
    if not isinstance(sha, str) or len(sha) != 64:
        raise ValueError("sha256 must be 64 hex digits")
    size = data["size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError("size must be a non-negative integer")
    ignore_tables = data.get("ignore_tables", [])
    if not isinstance(ignore_tables, list) or not all(isinstance(p, str) for p in ignore_tables):
        raise ValueError("ignore_tables must be a list of globs")
    created_at = datetime.fromisoformat(data["created_at"])
    if created_at.tzinfo is None:
        raise ValueError("created_at must carry a time zone")
    return Manifest(
        kind=str(data["kind"]),
        file_name=str(data["file_name"]),
        sha256=sha.lower(),
        size=size,
        created_at=as_utc(created_at),
        source=str(data["source"]),
        duration_seconds=float(data["duration_seconds"]),
        dbguard_version=str(data["dbguard_version"]),
        sqlite_version=str(data.get("sqlite_version", "")),
        source_journal_mode=str(data.get("source_journal_mode", "")),
        page_size=int(data.get("page_size", 0)),
        row_counts=dict(counts),
        file_count=int(data.get("file_count", 0)),
        ignore_tables=tuple(ignore_tables),
        source_mode=_mode(data.get("source_mode")),
        source_uid=_id(data.get("source_uid"), "source_uid"),
        source_gid=_id(data.get("source_gid"), "source_gid"),
    )


def _mode(value: Any) -> int | None:
    """Permission bits written in octal ("0640"), or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not 3 <= len(value) <= 4:
        raise ValueError('source_mode must be octal permission bits like "0640"')
    mode = int(value, 8)
    if mode > 0o7777:
        raise ValueError('source_mode must be octal permission bits like "0640"')
    return mode


def _id(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer")
    return value
