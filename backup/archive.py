"""The plan's Sunday full project backup: a verified `project_YYYYMMDD_HHMMSS.tar.gz`.

The configured `[archive] source` folder is tarred into `[archive] dir`,
leaving out the backup folder, the archive folder, the live database and its
-wal/-shm (a plain copy of a live database is not a backup; the database
backups cover it) and every path component matching an `exclude` pattern.
Same discipline as database backups: temp name → fsync → verify by reading
the whole archive back → manifest (sha256, size, file count) → publish →
fsync folder. Archives are pruned by the same retention rules.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
import tarfile
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from backup.durable import (
    FILE_MODE,
    ensure_private_dir,
    folder_lock,
    free_name,
    fsync_file,
    remove_stale_temps,
)
from backup.entry import BackupEntry
from backup.errors import BackupFailed
from backup.manifest import (
    KIND_ARCHIVE,
    Manifest,
    publish_with_manifest,
    sha256_of,
)
from backup.naming import PROJECT_ARCHIVE, temp_path, utc_now
from backup.verify import VerifyResult, manifest_mismatches, manifest_or_problem
from dbguard import __version__
from dbguard.errors import BackupError

log = logging.getLogger(__name__)


def create_archive(
    source: Path,
    archive_dir: Path,
    *,
    exclude: Sequence[str] = (),
    exclude_paths: Iterable[Path] = (),
    now: datetime | None = None,
) -> BackupEntry:
    """Archive `source` into `archive_dir`; return the published, verified archive."""
    source = Path(source).resolve()
    if not source.is_dir():
        raise BackupError(
            f"archive source {source} is not a folder",
            "pass DIR with an existing folder, or set [archive] source",
        )
    folder = ensure_private_dir(Path(archive_dir))
    skipped = {folder.resolve(), *(Path(path).resolve() for path in exclude_paths)}
    with folder_lock(folder):
        remove_stale_temps(folder, PROJECT_ARCHIVE.prefix)
        final = free_name(folder, PROJECT_ARCHIVE, now)
        created_at = now or PROJECT_ARCHIVE.parse(final.name) or utc_now()
        temp = temp_path(final)
        started = time.monotonic()
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            os.close(fd)
            file_count = _write_tar(source, temp, exclude, skipped)
            fsync_file(temp)
            count, problems = _read_back(temp)
            if problems or count != file_count:
                raise BackupFailed(
                    f"the new archive did not verify: {'; '.join(problems) or 'file count differs'}",
                    "nothing was published; check the disk",
                )
            manifest = Manifest(
                kind=KIND_ARCHIVE,
                file_name=final.name,
                sha256=sha256_of(temp),
                size=temp.stat().st_size,
                created_at=created_at,
                source=str(source),
                duration_seconds=round(time.monotonic() - started, 3),
                dbguard_version=__version__,
                file_count=file_count,
            )
            publish_with_manifest(temp, final, manifest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
    return BackupEntry(final, created_at, manifest.size, manifest, verified=True)


def _write_tar(source: Path, target: Path, patterns: Sequence[str], skipped: set[Path]) -> int:
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        for folder, dirs, files in os.walk(source):
            here = Path(folder)
            dirs[:] = sorted(
                name
                for name in dirs
                if not _excluded(name, patterns) and (here / name).resolve() not in skipped
            )
            for name in sorted(files):
                path = here / name
                if _excluded(name, patterns) or _is_skipped(path, skipped):
                    continue
                if not (path.is_file() or path.is_symlink()):
                    continue  # sockets, fifos
                try:
                    tar.add(path, arcname=str(path.relative_to(source.parent)), recursive=False)
                except FileNotFoundError:  # deleted while we walked
                    continue
                if not path.is_symlink():
                    count += 1
    return count


def _excluded(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def _is_skipped(path: Path, skipped: set[Path]) -> bool:
    resolved = path.resolve()
    for item in skipped:
        same_file = resolved.name in (item.name, item.name + "-wal", item.name + "-shm")
        if same_file and resolved.parent == item.parent:
            return True
    return False


def _read_back(path: Path) -> tuple[int, list[str]]:
    """Read every member's bytes (gzip CRC and tar structure checked); count regular files."""
    count = 0
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.isfile():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        while handle.read(1 << 20):
                            pass
                    count += 1
    except (tarfile.TarError, OSError, EOFError) as error:
        return count, [f"cannot read the archive: {error}"]
    return count, []


def verify_archive(path: Path) -> VerifyResult:
    """Check an archive against its manifest: size, sha256, readable, file count."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"archive {path} does not exist", "see 'dbguard backup list'")
    manifest, problems = manifest_or_problem(path)
    count, read_problems = _read_back(path)
    problems.extend(read_problems)
    if manifest is not None:
        problems.extend(manifest_mismatches(path, manifest, path.stat().st_size, sha256_of(path)))
        if not read_problems and manifest.file_count != count:
            problems.append(f"{count} files, manifest says {manifest.file_count}")
    return VerifyResult(path, not problems, problems, manifest)
