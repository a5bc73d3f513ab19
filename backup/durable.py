"""Durable file operations: fsync a file and its folder, publish without clobbering.

Every file dbguard publishes goes temp → fsync → rename/link → fsync folder,
so a crash at any moment leaves either the old state or the new, never half.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from backup.naming import NameScheme, manifest_path, temp_owner_pid, utc_now
from dbguard.errors import BackupError

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (mode 0700) if needed; a BackupError if it cannot be a writable folder."""
    path = Path(path)
    try:
        existed = path.is_dir()
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if not existed:
            path.chmod(DIR_MODE)
        elif path.stat().st_mode & 0o077:
            # Never chmod a folder we did not create (think --backup-dir /tmp); files stay 0600.
            log.warning("backup folder %s is open to other users; consider chmod 700", path)
    except FileExistsError:
        raise BackupError(
            f"backup folder {path} exists but is not a folder",
            "pass --backup-dir with a folder path",
        ) from None
    except OSError as error:
        raise BackupError(
            f"cannot create backup folder {path}: {error.strerror}",
            "pass --backup-dir with a folder you can write to",
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise BackupError(
            f"backup folder {path} is not writable",
            "pass --backup-dir with a folder you can write to",
        )
    return path


def write_bytes_atomically(final: Path, data: bytes) -> None:
    """Write `data` to `final` through a temp file, fsync, rename, fsync folder (mode 0600)."""
    temp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        # A file object writes all of `data` or raises; os.write may stop short (disk full).
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(final.parent)


def publish_no_clobber(temp: Path, final: Path) -> None:
    """Move `temp` to `final` atomically, refusing to replace an existing `final`.

    A hard link fails if the name exists, unlike rename; where links are not
    supported, fall back to rename after checking.
    """
    try:
        os.link(temp, final)
    except FileExistsError:
        raise BackupError(
            f"{final} already exists", "wait a second and run the command again"
        ) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if final.exists():
            raise BackupError(
                f"{final} already exists", "wait a second and run the command again"
            ) from None
        os.rename(temp, final)
    else:
        temp.unlink()
    fsync_dir(final.parent)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path, prefix: str) -> list[Path]:
    """Delete temp files left in `folder` by dead processes (names `.<prefix>….tmp-<pid>…`)."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        if not path.name.startswith("." + prefix) or ".tmp-" not in path.name:
            continue
        pid = temp_owner_pid(path.name)
        if pid is not None and pid != os.getpid() and pid_alive(pid):
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
            log.info("removed stale temp file %s", path)
    return removed


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Serialise dbguard's own writers (create, prune, archive) in one backup folder."""
    import fcntl

    lock_path = folder / ".dbguard.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def free_name(folder: Path, scheme: NameScheme, now: datetime | None) -> Path:
    """A final path named for `now` that is not taken; two runs in one second never share one.

    Without an explicit `now`, wait for the next second; with one, refuse.
    """
    for _ in range(3):
        final = folder / scheme.name_for(now or utc_now())
        if not final.exists() and not manifest_path(final).exists():
            return final
        if now is not None:
            break
        time.sleep(1.0 - (time.time() % 1.0) + 0.01)
    raise BackupError(
        f"{final.name} already exists in {folder}", "wait a second and run the command again"
    )
