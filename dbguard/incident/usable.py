"""The newest usable backup: verified *and* not CRITICAL (dbguard.rules.recovery), for
`backup restore --latest` and for retention.

Backups are walked newest first. Each is verified in full; its quality verdict is the one
recorded beside it while the file and the suites are unchanged, else computed now (one
Judge per call: Great Expectations is imported only when a verdict is missing). Without
any suite there is no verdict to give: every verified backup counts as usable, and the
caller is told (`judged` is False).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from backup.catalog import existing_backup_folder, list_backups, with_verification
from backup.entry import BackupEntry
from backup.errors import RestoreRefused
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.incident.probe import Judge, config_digest
from dbguard.incident.verdicts import backup_quality
from dbguard.quality.suites import suite_paths
from dbguard.quality.verdict import Quality, recorded_quality
from dbguard.rules.recovery import is_usable


@dataclass
class Verdicts:
    """Verdicts of backups, recorded or computed on demand (one Judge for all)."""

    config: Config
    judged: bool = True  # False: no suites, so no verdict at all
    _judge: Judge | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.judged = bool(suite_paths(Path(self.config.checks.expectations_dir)))
        self.digest = config_digest(self.config) if self.judged else ""

    def quality(self, path: Path) -> Quality | None:
        """The backup's verdict (None without suites); raises when it cannot be restored."""
        if not self.judged:
            return None
        known = recorded_quality(path, self.digest)
        if known is not None:
            return known
        if self._judge is None:
            self._judge = Judge(self.config)
        return backup_quality(self.config, path, self._judge)


def describe(quality: Quality | None) -> str:
    if quality is None:
        return "not checked"
    # Two suites can fail the same rule (the live and the backup count of one table).
    rules = ", ".join(list(dict.fromkeys(rule for rule, _ in quality.failing))[:3])
    return f"{quality.verdict.value.upper()}" + (f" ({rules})" if rules else "")


@dataclass(frozen=True)
class UsableBackup:
    entry: BackupEntry  # verified just now, with its manifest
    quality: Quality | None  # None: no suites to judge it with
    skipped: list[tuple[str, str]]  # newer backups passed over: (name, why)


def latest_usable_backup(config: Config) -> UsableBackup:
    """The newest backup that verifies and is not CRITICAL; RestoreRefused (exit 1) listing
    every backup's verdict when none is."""
    folder = existing_backup_folder(Path(config.backup.dir))
    verdicts = Verdicts(config)
    skipped: list[tuple[str, str]] = []
    for entry in reversed(list_backups(folder)):
        if entry.manifest is None:
            skipped.append((entry.name, "no manifest"))
            continue
        checked = with_verification(entry)
        if not checked.verified:
            skipped.append((entry.name, f"does not verify: {'; '.join(checked.problems)}"))
            continue
        try:
            quality = verdicts.quality(entry.path)
        except DbguardError as error:
            skipped.append((entry.name, error.one_line()))
            continue
        if quality is None or is_usable(quality.verdict):
            return UsableBackup(checked, quality, skipped)
        skipped.append((entry.name, describe(quality)))
    if not skipped:
        raise RestoreRefused(
            f"no backup in {folder} verifies", "take one with 'dbguard backup create'"
        )
    listed = "; ".join(f"{name}: {why}" for name, why in skipped)
    raise RestoreRefused(
        f"no usable backup in {folder} (verified and not CRITICAL): {listed}",
        "restore a replica point (dbguard incident find names the last good one), or pass "
        "--ignore-quality to restore the newest verified backup anyway",
    )


def protect_newest_usable(config: Config) -> Callable[[list[BackupEntry]], Mapping[str, str]]:
    """For backup.prune: keep the newest verified backup that is not CRITICAL."""

    def protect(verified: list[BackupEntry]) -> Mapping[str, str]:
        verdicts = Verdicts(config)
        if not verdicts.judged:
            return {}
        for entry in sorted(verified, key=lambda item: item.created_at, reverse=True):
            try:
                quality = verdicts.quality(entry.path)
            except DbguardError:
                continue
            if quality is not None and is_usable(quality.verdict):
                return {entry.name: "newest not CRITICAL"}
        return {}

    return protect


def listed_qualities(
    config: Config, entries: list[BackupEntry], *, compute: bool = False
) -> dict[str, Quality | None]:
    """Each backup's recorded verdict (None: not checked); with `compute`, the missing ones of
    verified backups are computed and recorded now (`backup list --quality`)."""
    verdicts = Verdicts(config)
    found: dict[str, Quality | None] = {}
    for entry in entries:
        quality = recorded_quality(entry.path, verdicts.digest) if verdicts.judged else None
        if quality is None and compute and entry.verified:
            try:
                quality = verdicts.quality(entry.path)
            except DbguardError:
                quality = None
        found[entry.name] = quality
    return found
