"""The mode and owner a restored database file gets, so the application can still open it.

A restore that replaces a file gives the new one the old one's mode and owner. A restore
onto a missing file (the disk died) has nothing to copy them from, and a file created by
whoever ran the restore (often root, mode 0600) is one the application's service user
cannot open. Then, in this order:

1. the mode and owner the newest backup's manifest recorded for this database file (every
   backup records them; older manifests do not), then the restored backup's own (a manifest
   of another file, e.g. when restoring into a scratch file, says nothing about this one);
2. the database folder's owner and group, with the folder's owner and group permissions
   turned into a file's (read and write where the folder grants them) and none for others:
   a folder `0750 app:app` gives `0640 app:app`.

`decide` is the pure rule; `apply` changes the file. Only root may give a file to another
user: without that right the owner stays the restoring user's, and `apply` says so.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backup.catalog import list_backups
from backup.manifest import Manifest
from backup.naming import manifest_path

# From a folder's permission bits, a file keeps read and write for the owner and group only.
FOLDER_TO_FILE_MASK = 0o660


@dataclass(frozen=True)
class Ownership:
    mode: int  # permission bits
    uid: int
    gid: int
    origin: str  # where they come from, for people ("the file it replaces", …)

    def describe(self) -> str:
        """`mode 0640, owner app:app (uid 1001, gid 1001)`."""
        return (
            f"mode {self.mode:04o}, owner {_user(self.uid)}:{_group(self.gid)}"
            f" (uid {self.uid}, gid {self.gid})"
        )


@dataclass(frozen=True)
class RecordedOwnership:
    """A manifest that recorded the database file's mode and owner, and its name."""

    name: str
    manifest: Manifest


def of_file(status: os.stat_result, origin: str) -> Ownership:
    return Ownership(stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid, origin)


def decide(
    db_path: Path, folder_status: os.stat_result, recorded: Sequence[RecordedOwnership]
) -> Ownership:
    """The mode and owner of the new database file `db_path` (see the module docstring): the
    first of `recorded` that has them for this file, else its folder's (`folder_status`)."""
    for candidate in recorded:
        manifest = candidate.manifest
        if manifest.records_ownership and manifest.source == str(db_path):
            assert manifest.source_mode is not None
            assert manifest.source_uid is not None and manifest.source_gid is not None
            return Ownership(
                manifest.source_mode & 0o7777,
                manifest.source_uid,
                manifest.source_gid,
                f"as the backup manifest {candidate.name} recorded",
            )
    return Ownership(
        stat.S_IMODE(folder_status.st_mode) & FOLDER_TO_FILE_MASK,
        folder_status.st_uid,
        folder_status.st_gid,
        f"from its folder {db_path.parent} (no backup manifest records them)",
    )


def newest_recorded(backup_dir: Path | None) -> list[RecordedOwnership]:
    """The newest manifest in `backup_dir` that records the mode and owner ([] if none)."""
    if backup_dir is None:
        return []
    for entry in reversed(list_backups(backup_dir)):
        if entry.manifest is not None and entry.manifest.records_ownership:
            return [RecordedOwnership(manifest_path(entry.path).name, entry.manifest)]
    return []


def apply(path: Path, ownership: Ownership) -> str:
    """Give `path` the mode and owner; "" when done, else a note saying what could not be."""
    os.chmod(path, ownership.mode)
    status = os.stat(path)
    if (status.st_uid, status.st_gid) == (ownership.uid, ownership.gid):
        return ""
    try:
        os.chown(path, ownership.uid, ownership.gid)
    except PermissionError:
        with contextlib.suppress(PermissionError):
            os.chown(path, -1, ownership.gid)  # a group of one's own may still be given
        return (
            f"{path} should belong to {_user(ownership.uid)}:{_group(ownership.gid)}, but only "
            f"root can give it away: run `chown {ownership.uid}:{ownership.gid} {path}`"
        )
    return ""


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
