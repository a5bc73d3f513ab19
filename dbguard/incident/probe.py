"""Judging one recovery point's data: the suites run on a SQLite file, the point's verdict.

A `Judge` loads the suites once and keeps one Great Expectations context (GX is imported
once, when the first file is judged), so a search that judges many points pays for GX once.
The rules and severities are check's (dbguard.quality.validate, dbguard.rules.expectations);
row-count rules compare with the suite's baseline, as on the backup target, never with live.
`only_critical` runs the critical rules alone: what `incident find` needs to tell a good
point from a bad one.

`suites_digest(config)` names the suites as they are: a recorded verdict is trusted only
while it is unchanged (backup.quality_record).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backup.naming import utc_now
from dbguard.config import Config
from dbguard.findings import Severity
from dbguard.rules.recovery import point_verdict

# Severities below critical; any other (an unknown one too) counts as critical, as in check.
LOWER = ("warning", "info")

if TYPE_CHECKING:
    from dbguard.quality.suites import SuiteFile
    from dbguard.quality.validate import SuiteValidator


@dataclass(frozen=True)
class Quality:
    """A point's verdict and the rules that failed on it (`table rule`, with their severity)."""

    verdict: Severity
    failing: tuple[tuple[str, Severity], ...]
    checked_at: datetime
    only_critical: bool = False

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
        checked_at = datetime.fromisoformat(data["checked_at"])
        return cls(Severity(data["verdict"]), failing, checked_at)


def suites_digest(config: Config) -> str:
    """sha256 of every suite file (name and bytes) and of the tables the checks leave out."""
    from dbguard.quality.suites import suite_paths

    digest = hashlib.sha256()
    for path in suite_paths(Path(config.checks.expectations_dir)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\0".join(config.checks.ignore_tables).encode())
    return digest.hexdigest()


class Judge:
    """The suites of `config`, run on any number of SQLite files in this process."""

    def __init__(self, config: Config) -> None:
        from dbguard.quality.suites import (
            checked_suites,
            load_suites,
            require_expectations_dir,
        )

        require_expectations_dir(config.checks.expectations_dir)
        self.suites: list[SuiteFile] = checked_suites(
            load_suites(config.checks.expectations_dir), config.checks.ignore_tables
        )
        self.digest = suites_digest(config)
        self._validator: SuiteValidator | None = None
        self.judged = 0  # how many files were judged (a search's probe count)

    def judge(self, path: Path, *, immutable: bool = True, only_critical: bool = False) -> Quality:
        """The suites' verdict on the SQLite file `path` (`immutable` for copies nothing
        writes; the live database is read with immutable=False, read-only all the same)."""
        if self._validator is None:
            from dbguard.quality.validate import SuiteValidator

            self._validator = SuiteValidator()
        self.judged += 1
        failing: list[tuple[str, Severity]] = []
        severities = []
        for suite in self.suites:
            if only_critical:
                critical = [e for e in suite.expectations if e.severity.lower() not in LOWER]
                suite = replace(suite, expectations=tuple(critical))
            if not suite.expectations:
                continue
            for outcome in self._validator.validate(path, suite, immutable=immutable):
                severities.append(outcome.severity)
                for subject in outcome.subjects:
                    failing.append((f"{subject.table} {subject.rule}", subject.severity))
        unique = tuple(dict.fromkeys(failing))
        return Quality(point_verdict(severities), unique, utc_now(), only_critical)
