"""What the replica holds: its LTX files (level, transaction range, size, time).

A folder replica is read directly — `ltx/<level>/<min txid>-<max txid>.ltx`, the
file's modification time being the time Litestream gives it (Litestream's own
`ltx` command reads it the same way) — so the five-minute health check starts
no process. An S3 replica is listed with `litestream ltx -json -level all URL`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dbguard.errors import ReplicationError
from dbguard.redact import mask_secrets
from dbguard.replication.location import ReplicaLocation

LTX_NAME = re.compile(r"^([0-9a-f]{16})-([0-9a-f]{16})\.ltx$")
SNAPSHOT_LEVEL = 9
LIST_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class LtxFile:
    level: int
    min_txid: int
    max_txid: int
    size: int
    created_at: datetime  # UTC


@dataclass(frozen=True)
class ReplicaState:
    files: tuple[LtxFile, ...]

    @property
    def newest_txid(self) -> int | None:
        return max((file.max_txid for file in self.files), default=None)

    @property
    def newest_at(self) -> datetime | None:
        """When the newest transaction reached the replica (its first file holding it)."""
        newest = self.newest_txid
        return min(
            (file.created_at for file in self.files if file.max_txid == newest), default=None
        )

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)

    @property
    def reaches_back_to(self) -> datetime | None:
        """The oldest moment a restore can return to: the oldest file a restore can start
        from (a snapshot, or a file that starts at the first transaction)."""
        return min(
            (
                file.created_at
                for file in self.files
                if file.level == SNAPSHOT_LEVEL or file.min_txid == 1
            ),
            default=None,
        )

    def time_of(self, txid: int) -> datetime | None:
        """When transaction `txid` reached the replica, if a file ends with it."""
        return min((file.created_at for file in self.files if file.max_txid == txid), default=None)


def format_txid(txid: int | None) -> str:
    return "-" if txid is None else f"{txid:016x}"


def read_replica_state(
    location: ReplicaLocation, litestream: Path | None, environment: Mapping[str, str]
) -> ReplicaState:
    """The replica's files; a ReplicationError when it cannot be read (a missing folder is an
    empty replica: nothing was replicated yet). `litestream` is needed for S3 replicas only."""
    if location.kind == "file":
        assert location.folder is not None
        return _read_folder(location.folder)
    if litestream is None:
        raise ValueError("an S3 replica is listed by the litestream executable")
    return _list_with_litestream(location, litestream, environment)


def _read_folder(folder: Path) -> ReplicaState:
    files: list[LtxFile] = []
    levels = folder / "ltx"
    try:
        level_dirs = [entry for entry in os.scandir(levels) if entry.name.isdigit()]
    except FileNotFoundError:
        return ReplicaState(())
    except OSError as error:
        raise ReplicationError(
            f"cannot read the replica {folder}: {error.strerror}", "check the folder's permissions"
        ) from None
    for level_dir in level_dirs:
        try:
            entries = list(os.scandir(level_dir.path))
        except OSError as error:
            raise ReplicationError(
                f"cannot read the replica {folder}: {error.strerror}",
                "check the folder's permissions",
            ) from None
        for entry in entries:
            match = LTX_NAME.match(entry.name)
            if match is None:
                continue
            status = entry.stat()
            files.append(
                LtxFile(
                    level=int(level_dir.name),
                    min_txid=int(match.group(1), 16),
                    max_txid=int(match.group(2), 16),
                    size=status.st_size,
                    created_at=datetime.fromtimestamp(status.st_mtime, UTC),
                )
            )
    return ReplicaState(tuple(sorted(files, key=lambda file: (file.level, file.min_txid))))


def _list_with_litestream(
    location: ReplicaLocation, litestream: Path, environment: Mapping[str, str]
) -> ReplicaState:
    command = [str(litestream), "ltx", "-level", "all", "-json", location.url()]
    try:
        completed = subprocess.run(
            command,
            env=dict(environment),
            capture_output=True,
            text=True,
            timeout=LIST_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ReplicationError(
            f"listing the replica {location.display()} took over {LIST_TIMEOUT_SECONDS:g} s",
            "check the network and the endpoint",
        ) from None
    if completed.returncode != 0:
        raise ReplicationError(
            f"cannot list the replica {location.display()}: {litestream_error(completed.stderr)}",
            "check the bucket, the endpoint and the credentials",
        )
    try:
        rows = json.loads(completed.stdout)
        files = tuple(
            LtxFile(
                level=int(row["level"]),
                min_txid=int(row["min_txid"], 16),
                max_txid=int(row["max_txid"], 16),
                size=int(row["size"]),
                created_at=datetime.fromisoformat(row["timestamp"]).astimezone(UTC),
            )
            for row in rows
        )
    except (ValueError, KeyError, TypeError) as error:
        raise ReplicationError(
            f"litestream ltx gave output dbguard cannot read ({error})",
            "check that [replication] litestream is Litestream 0.5",
        ) from None
    return ReplicaState(files)


def litestream_error(stderr: str) -> str:
    """Litestream's own error line (`Error: …`), masked, for a one-line message."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("Error:").strip() for line in lines if line.startswith("Error:")]
    text = errors[-1] if errors else (lines[-1] if lines else "no output")
    return mask_secrets(text)
