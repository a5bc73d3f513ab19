"""Judging one recovery point's data: the suites run on a SQLite file, the point's verdict.

A `Judge` loads the suites once and keeps one Great Expectations context (GX is imported
once, when the first file is judged), so a search that judges many points pays for GX once.
The rules and severities are check's (dbguard.quality.validate, dbguard.rules.expectations);
row-count rules compare with the suite's baseline, as on the backup target, never with live.
`only_critical` runs the critical rules alone: what `incident find` needs to tell a good
point from a bad one. The verdict is dbguard.quality.verdict's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.config import Config
from dbguard.quality.verdict import Quality, quality_of, suites_digest

if TYPE_CHECKING:
    from dbguard.quality.outcomes import ExpectationOutcome
    from dbguard.quality.suites import SuiteFile
    from dbguard.quality.validate import SuiteValidator

# Severities below critical; any other (an unknown one too) counts as critical, as in check.
LOWER = ("warning", "info")


def config_digest(config: Config) -> str:
    return suites_digest(config.checks.expectations_dir, config.checks.ignore_tables)


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
        self.digest = config_digest(config)
        self._validator: SuiteValidator | None = None
        self.judged = 0  # how many files were judged (a search's probe count)

    def judge(self, path: Path, *, immutable: bool = True, only_critical: bool = False) -> Quality:
        """The suites' verdict on the SQLite file `path` (`immutable` for copies nothing
        writes; the live database is read with immutable=False, read-only all the same)."""
        if self._validator is None:
            from dbguard.quality.validate import SuiteValidator

            self._validator = SuiteValidator()
        self.judged += 1
        outcomes: list[ExpectationOutcome] = []
        for suite in self.suites:
            if only_critical:
                critical = [e for e in suite.expectations if e.severity.lower() not in LOWER]
                suite = replace(suite, expectations=tuple(critical))
            if suite.expectations:
                outcomes += self._validator.validate(path, suite, immutable=immutable)
        return quality_of(outcomes, only_critical=only_critical)
