"""One published backup or project archive as the listing sees it: path, time, size, manifest,
and what is known about its verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from backup.manifest import Manifest


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    created_at: datetime  # UTC
    size: int
    manifest: Manifest | None
    # None: not checked yet; True/False: the result of a verification (problems say why).
    verified: bool | None = None
    problems: tuple[str, ...] = ()
    # When that verification started (UTC), and whether this call read the file to get it
    # (False: the recorded result of an earlier verification of the unchanged file).
    verified_at: datetime | None = None
    reverified: bool = False

    @property
    def name(self) -> str:
        return self.path.name
