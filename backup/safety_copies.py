"""Safety copies of the live database, made before a restore replaces it or a repair writes
into it: made, listed, pruned.

A safety copy is `db.sqlite3.before_restore.YYYYMMDD_HHMMSS` (UTC; `_2`, `_3`
… for more in one second) beside the database, `.before_repair.` for one `dbguard incident
repair` made (rows route); made with SQLite's backup API
so it is consistent. A database SQLite cannot read (that may be why you
restore) is kept byte for byte instead, with its -wal and -journal under the
same name, so the pair opens as it was. Journals found without a database
are set aside under such a name too. All files of one name are one safety copy.

Only the newest `keep` are kept (`[backup] safety_copies_keep`, restores' and repairs'
together); the copy a restore or repair just made is never deleted. The decision is pure
(plan_safety_copies); prune_safety_copies applies it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from backup.durable import FILE_MODE, fsync_dir, fsync_file
from backup.journals import SUFFIXES, companion
from backup.naming import TIMESTAMP_FORMAT, temp_path
from backup.snapshot import snapshot_database
from dbguard.errors import BackupError

log = logging.getLogger(__name__)

SAFETY_MARKER = ".before_restore."
REPAIR_MARKER = ".before_repair."
MARKERS = (SAFETY_MARKER, REPAIR_MARKER)


@dataclass(frozen=True)
class SafetyCopy:
    path: Path  # the copy's name; that file itself is absent when only journals were set aside
    created_at: datetime  # UTC, from the name
    number: int  # 1, or the `_N` of a second copy in the same second
    files: tuple[Path, ...]
    size: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class SafetyCopyPlan:
    keep: list[SafetyCopy]  # oldest → newest
    drop: list[SafetyCopy]
    keep_count: int


@dataclass(frozen=True)
class SafetyCopyPrune:
    plan: SafetyCopyPlan
    deleted: list[Path]
    dry_run: bool


def safety_copy_path(db_path: Path, moment: datetime, marker: str = SAFETY_MARKER) -> Path:
    """A free name for a safety copy of `db_path` made at `moment` (no file of it exists)."""
    base = f"{db_path.name}{marker}{moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)}"
    candidate = db_path.with_name(base)
    number = 1
    while any(path.exists() for path in _files_of(candidate)):
        number += 1
        candidate = db_path.with_name(f"{base}_{number}")
    return candidate


def make_safety_copy(
    db_path: Path,
    moment: datetime,
    *,
    busy_timeout: float = 10.0,
    byte_copy: bool = False,
    marker: str = SAFETY_MARKER,
) -> Path:
    """A consistent copy of the current database (backup API) beside it; returns its path.

    With `byte_copy` (only for a database nobody has open: a hot journal that
    could not be rolled back), or when SQLite cannot read it, the file is kept
    byte for byte with its -wal and -journal instead.
    """
    target = safety_copy_path(db_path, moment, marker)
    temp = temp_path(target)
    try:
        if byte_copy:
            _copy_bytes(db_path, temp, target)
        else:
            try:
                snapshot_database(db_path, temp, busy_timeout=busy_timeout)
            except BackupError as error:
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()
                log.warning("cannot snapshot %s (%s); keeping its bytes", db_path, error.message)
                _copy_bytes(db_path, temp, target)
        os.chmod(temp, FILE_MODE)
        fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        # A full disk is a common reason to restore: leave no partial copy taking space.
        for leftover in (temp, companion(temp, "-journal"), *_files_of(target)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    fsync_dir(target.parent)
    return target


def _copy_bytes(db_path: Path, temp: Path, target: Path) -> None:
    shutil.copyfile(db_path, temp)
    for suffix in ("-wal", "-journal"):
        if companion(db_path, suffix).exists():
            shutil.copyfile(companion(db_path, suffix), companion(target, suffix))
            os.chmod(companion(target, suffix), FILE_MODE)


def _files_of(path: Path) -> list[Path]:
    return [path, *(companion(path, suffix) for suffix in SUFFIXES)]


def _name_pattern(db_path: Path) -> re.Pattern[str]:
    return re.compile(
        "^"
        + re.escape(db_path.name)
        + "("
        + "|".join(re.escape(marker) for marker in MARKERS)
        + r")(\d{8}_\d{6})(?:_(\d+))?"
        + "(?:"
        + "|".join(re.escape(suffix) for suffix in SUFFIXES)
        + ")?$"
    )


def list_safety_copies(db_path: Path) -> list[SafetyCopy]:
    """The safety copies beside `db_path` (a symlink's target), oldest → newest."""
    db_path = Path(db_path).resolve()
    if not db_path.parent.is_dir():
        return []
    pattern = _name_pattern(db_path)
    found: dict[str, tuple[datetime, int]] = {}
    for path in db_path.parent.iterdir():
        match = pattern.match(path.name)
        if match is None:
            continue
        try:
            created_at = datetime.strptime(match.group(2), TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        base = db_path.name + match.group(1) + match.group(2)
        if match.group(3):
            base += f"_{match.group(3)}"
        found[base] = (created_at, int(match.group(3) or 1))
    copies = []
    for base, (created_at, number) in found.items():
        files, size = [], 0
        for path in _files_of(db_path.with_name(base)):
            with contextlib.suppress(FileNotFoundError):
                size += path.stat().st_size
                files.append(path)
        if files:
            copies.append(
                SafetyCopy(db_path.with_name(base), created_at, number, tuple(files), size)
            )
    return sorted(copies, key=lambda copy: (copy.created_at, copy.number))


def plan_safety_copies(
    copies: Sequence[SafetyCopy], keep: int, protect: Path | None = None
) -> SafetyCopyPlan:
    """Keep the newest `keep` copies, and `protect` (the copy just made) whatever its place."""
    ordered = sorted(copies, key=lambda copy: (copy.created_at, copy.number))
    cut = max(0, len(ordered) - max(0, keep))
    drop = [copy for copy in ordered[:cut] if copy.path != protect]
    kept = [copy for copy in ordered if copy not in drop]
    return SafetyCopyPlan(kept, drop, keep)


def prune_safety_copies(
    db_path: Path, keep: int, *, protect: Path | None = None, dry_run: bool = False
) -> SafetyCopyPrune:
    """Delete the safety copies beside `db_path` beyond the newest `keep` (see plan)."""
    db_path = Path(db_path).resolve()
    decided = plan_safety_copies(list_safety_copies(db_path), keep, protect)
    deleted: list[Path] = []
    if not dry_run:
        for copy in decided.drop:
            remove_safety_copy(copy.path)
            deleted.append(copy.path)
            log.info("pruned safety copy %s", copy.path)
        if deleted:
            fsync_dir(db_path.parent)
    return SafetyCopyPrune(decided, deleted, dry_run)


def remove_safety_copy(path: Path) -> None:
    """Delete every file of the safety copy `path` (the copy, its -wal, -shm, -journal)."""
    for member in _files_of(path):
        with contextlib.suppress(FileNotFoundError):
            member.unlink()
