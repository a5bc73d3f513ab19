"""File names: `db_YYYYMMDD_HHMMSS.sqlite3` (UTC, as the plan names them), temp names, parsing.

A temp name starts with a dot and ends in `.tmp-<pid>`, so it never matches a
backup's pattern: a file killed half-written is never taken for a backup.
The same scheme names the weekly project archives (`project_…tar.gz`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

TIMESTAMP_FORMAT = "%Y%m%d_%H%M%S"
MANIFEST_SUFFIX = ".manifest.json"
RECORD_SUFFIX = ".verified.json"
QUALITY_SUFFIX = ".quality.json"
TEMP_MARKER = ".tmp-"


@dataclass(frozen=True)
class NameScheme:
    """`<prefix>YYYYMMDD_HHMMSS<suffix>`, timestamps in UTC."""

    prefix: str
    suffix: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(
            "^" + re.escape(self.prefix) + r"(\d{8}_\d{6})" + re.escape(self.suffix) + "$"
        )

    def name_for(self, created_at: datetime) -> str:
        return f"{self.prefix}{as_utc(created_at).strftime(TIMESTAMP_FORMAT)}{self.suffix}"

    def parse(self, name: str) -> datetime | None:
        """The UTC time in a published name, or None if `name` is not one."""
        match = self.pattern.match(name)
        if match is None:
            return None
        try:
            return datetime.strptime(match.group(1), TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return None

    def is_temp(self, name: str) -> bool:
        return name.startswith("." + self.prefix) and TEMP_MARKER in name


DATABASE_BACKUP = NameScheme("db_", ".sqlite3")
PROJECT_ARCHIVE = NameScheme("project_", ".tar.gz")


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def temp_path(final: Path, pid: int | None = None) -> Path:
    """A hidden name beside `final` that never matches a published name."""
    return final.with_name(f".{final.name}{TEMP_MARKER}{os.getpid() if pid is None else pid}")


def temp_owner_pid(name: str) -> int | None:
    """The pid in a temp name (`….tmp-<pid>` or `….tmp-<pid>-journal`), if any."""
    match = re.search(re.escape(TEMP_MARKER) + r"(\d+)", name)
    return int(match.group(1)) if match else None


def manifest_path(artifact: Path) -> Path:
    """The manifest beside a backup or archive: `<name>.manifest.json`."""
    return artifact.with_name(artifact.name + MANIFEST_SUFFIX)


def record_path(artifact: Path) -> Path:
    """The record of the last verification beside a backup or archive: `<name>.verified.json`."""
    return artifact.with_name(artifact.name + RECORD_SUFFIX)


def quality_path(artifact: Path) -> Path:
    """The recorded quality verdict beside a backup: `<name>.quality.json`."""
    return artifact.with_name(artifact.name + QUALITY_SUFFIX)


def companion_paths(artifact: Path) -> tuple[Path, ...]:
    """The files that belong to a published backup or archive: its manifest, its verification
    record and its quality verdict."""
    return manifest_path(artifact), record_path(artifact), quality_path(artifact)
