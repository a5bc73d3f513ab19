"""Suite files in expectations/, loaded strictly: a suite with any problem is never run.

Every entry is built on its own (see `suite_entries`) and any problem is a
SuiteError naming the file and the expectation; `parse_suite_file` collects
all of them for `dbguard lint`. Writing files lives in `suite_files`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.database import is_ignored_table
from dbguard.errors import ConfigError, SuiteError
from dbguard.quality.suite_entries import (
    ENTRY_MARKER,
    Problem,
    entry_columns,
    entry_label,
    entry_problems,
    gx_configuration,
    shape_problems,
)

# Writing lives in suite_files; these two stay importable from here for existing callers.
from dbguard.quality.suite_files import dump_suite, write_suite

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

__all__ = [
    "ENTRY_MARKER",
    "Expectation",
    "Problem",
    "SuiteFile",
    "checked_suites",
    "dump_suite",
    "load_suite_file",
    "load_suites",
    "parse_suite_file",
    "require_expectations_dir",
    "suite_paths",
    "write_suite",
]

LINT_HINT = "run `dbguard lint` to list every problem with what to do"


@dataclass(frozen=True)
class Expectation:
    """One entry of a suite file, as written, with a label that is stable and readable."""

    index: int
    label: str
    data: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.data["type"])

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.data.get("kwargs") or {})

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.data.get("meta") or {})

    @property
    def severity(self) -> str:
        return str(self.data.get("severity") or "critical")

    @property
    def managed(self) -> str | None:
        dbguard_meta = self.meta.get("dbguard")
        return dbguard_meta.get("managed") if isinstance(dbguard_meta, dict) else None

    def columns(self) -> list[str]:
        """Every column this expectation names in its kwargs."""
        return entry_columns(self.data)

    def configuration(self, *, marked: bool = False) -> ExpectationConfiguration:
        """The GX configuration; `marked` tags it with the entry's index (see gx_configuration)."""
        return gx_configuration(self.data, self.index if marked else None)


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    data: dict[str, Any]
    expectations: tuple[Expectation, ...] = field(default=())

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def table(self) -> str:
        """The table the suite checks: `meta.dbguard.table`, else the suite's name."""
        dbguard_meta = (self.data.get("meta") or {}).get("dbguard")
        if isinstance(dbguard_meta, dict) and isinstance(dbguard_meta.get("table"), str):
            return str(dbguard_meta["table"])
        return self.name

    @property
    def drift_overrides(self) -> dict[str, float]:
        dbguard_meta = (self.data.get("meta") or {}).get("dbguard")
        if not isinstance(dbguard_meta, dict):
            return {}
        return {
            key: value
            for key, value in dbguard_meta.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }

    def build_suite(self, indexes: list[int] | None = None) -> ExpectationSuite:
        """A fresh GX suite holding the expectations at `indexes` (all by default)."""
        import great_expectations as gx

        chosen = [e for e in self.expectations if indexes is None or e.index in indexes]
        return gx.ExpectationSuite(
            name=self.name,
            expectations=[e.configuration(marked=True).to_domain_obj() for e in chosen],
        )


def suite_paths(expectations_dir: Path) -> list[Path]:
    if not expectations_dir.is_dir():
        return []
    return sorted(path for path in expectations_dir.glob("*.json") if path.is_file())


def require_expectations_dir(expectations_dir: Path) -> None:
    """A configured suites folder that does not exist is a typo, not an empty suite."""
    if not Path(expectations_dir).is_dir():
        raise ConfigError(
            f"expectations folder {expectations_dir} does not exist",
            "set [checks] expectations_dir in dbguard.toml, or run 'dbguard baseline'"
            " to write a suite per table",
        )


def checked_suites(suites: list[SuiteFile], ignore: Sequence[str]) -> list[SuiteFile]:
    """The suites a check runs: all but those of tables `[checks] ignore_tables` names."""
    return [suite for suite in suites if not is_ignored_table(suite.table, ignore)]


def load_suites(expectations_dir: Path) -> list[SuiteFile]:
    """Every suite in the folder, strictly; the first problem raises a SuiteError."""
    suites = [load_suite_file(path) for path in suite_paths(expectations_dir)]
    seen: dict[str, Path] = {}
    for suite in suites:
        if suite.table in seen:
            raise SuiteError(
                f"{suite.path}: checks table {suite.table!r}, as {seen[suite.table]} does",
                "keep one suite file per table",
            )
        seen[suite.table] = suite.path
    return suites


def load_suite_file(path: Path) -> SuiteFile:
    suite, problems = parse_suite_file(path)
    if problems or suite is None:
        problem = problems[0]
        raise SuiteError(problem.one_line(), f"{problem.fix}; {LINT_HINT}")
    return suite


def parse_suite_file(path: Path) -> tuple[SuiteFile | None, list[Problem]]:
    """The suite and every problem in it (a suite with problems must not be run)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(path, "", f"cannot read the file: {error}", "check the file")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [
            Problem(
                path,
                "",
                f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})",
                "fix the JSON syntax",
            )
        ]
    problems = shape_problems(path, data)
    if problems:
        return None, problems
    expectations: list[Expectation] = []
    labels: dict[str, int] = {}
    for index, entry in enumerate(data["expectations"], start=1):
        label = entry_label(entry, index)
        labels[label] = labels.get(label, 0) + 1
        if labels[label] > 1:
            label = f"{label}#{labels[label]}"
        expectation = Expectation(index=index, label=label, data=entry)
        entry_complaints = entry_problems(path, f"#{index} {label}", entry)
        if entry_complaints:
            problems.extend(entry_complaints)
            continue
        expectations.append(expectation)
    suite = SuiteFile(path=path, data=data, expectations=tuple(expectations))
    if not problems:
        # The count GX really holds, built the way a validation will build it.
        loaded = len(suite.build_suite().expectations)
        if loaded != len(data["expectations"]):
            problems.append(
                Problem(
                    path,
                    "",
                    f"GX loaded {loaded} of its {len(data['expectations'])} expectations",
                    "run `dbguard lint` and check the GX log for the entry it dropped",
                )
            )
    return suite, problems
