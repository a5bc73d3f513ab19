"""A database copy's quality verdict (OK, WARNING, CRITICAL) from the suites' outcomes on it,
and recording it beside a backup (backup.quality_record).

`quality_of(outcomes)` is the verdict of one run of the suites (dbguard.rules.recovery),
with the failed rules named `table rule` (`orders row count`). `suites_digest` names
the suites as they are, so a recorded verdict holds only while they are unchanged. Check's
backup target, `backup verify`, `backup list --quality`, `restore --latest` and `incident
find` all record through `record_quality` and read through `recorded_quality`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from backup.quality_record import read_quality, write_quality
from backup.verification_record import FileIdentity, identity_of
from dbguard.findings import Severity, Subject
from dbguard.quality.suites import SuiteFile, checked_suites, load_suites, suite_paths
from dbguard.rules.recovery import point_verdict

if TYPE_CHECKING:
    from dbguard.config import Config
    from dbguard.quality.validate import OutcomeCache

log = logging.getLogger(__name__)


class Judged(Protocol):
    """One expectation's outcome (dbguard.quality.outcomes.ExpectationOutcome)."""

    @property
    def severity(self) -> Severity: ...

    @property
    def subjects(self) -> tuple[Subject, ...]: ...


@dataclass(frozen=True)
class Quality:
    """A verdict and the rules that failed (`table rule`, with their severity)."""

    verdict: Severity
    failing: tuple[tuple[str, Severity], ...]
    checked_at: datetime
    only_critical: bool = False  # judged on the critical rules alone

    def critical_rules(self) -> list[str]:
        return [rule for rule, severity in self.failing if severity is Severity.CRITICAL]

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "failing": [{"rule": rule, "severity": sev.value} for rule, sev in self.failing],
            "checked_at": self.checked_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Any) -> Quality:
        """The shape `to_json` writes; ValueError, KeyError or TypeError otherwise."""
        failing = tuple((str(item["rule"]), Severity(item["severity"])) for item in data["failing"])
        return cls(Severity(data["verdict"]), failing, datetime.fromisoformat(data["checked_at"]))


def quality_of(outcomes: Iterable[Judged], *, only_critical: bool = False) -> Quality:
    outcomes = list(outcomes)
    failing = tuple(
        dict.fromkeys(
            (f"{subject.table} {subject.rule}", subject.severity)
            for outcome in outcomes
            for subject in outcome.subjects
        )
    )
    verdict = point_verdict(outcome.severity for outcome in outcomes)
    return Quality(verdict, failing, datetime.now(UTC), only_critical)


def suites_digest(expectations_dir: Path, ignore_tables: Sequence[str]) -> str:
    """sha256 of every suite file (name and bytes) and of the tables the checks leave out."""
    digest = hashlib.sha256()
    for path in suite_paths(Path(expectations_dir)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\0".join(ignore_tables).encode())
    return digest.hexdigest()


def recorded_quality(backup: Path, digest: str) -> Quality | None:
    """The verdict recorded beside `backup`, while the file and the suites are unchanged."""
    data = read_quality(Path(backup), digest)
    if data is None:
        return None
    try:
        return Quality.from_json(data)
    except (ValueError, KeyError, TypeError):
        return None


def record_quality(
    backup: Path, digest: str, quality: Quality, identity: FileIdentity | None = None
) -> None:
    """Record `quality` beside `backup`; `identity` as taken before its data was read (now,
    when not given). Best effort: a file that cannot be read is left without a record."""
    try:
        identity = identity or identity_of(Path(backup))
    except OSError as error:
        log.info("not recording the verdict of %s: %s", backup, error)
        return
    write_quality(Path(backup), identity, digest, quality.to_json())


def record_backup_verdict(
    config: Config, backup: Path, suites: Sequence[SuiteFile], cache: OutcomeCache
) -> None:
    """Record the verdict of check's backup target beside `backup`, only when the run judged
    every suite on it (a run scoped to some tables, -k or a filtered target judged part)."""
    every = checked_suites(load_suites(config.checks.expectations_dir), config.checks.ignore_tables)
    if {suite.path for suite in every} != {suite.path for suite in suites}:
        return
    outcomes = [cache.cached("backup", suite) for suite in suites]
    if any(found is None for found in outcomes):
        return
    digest = suites_digest(config.checks.expectations_dir, config.checks.ignore_tables)
    record_quality(backup, digest, quality_of(o for found in outcomes for o in found or []))
