"""Suite files in expectations/: strict loading, readable labels, canonical writing.

GX itself logs and drops an expectation it cannot build (an unknown type, a
severity spelled "WARNING": GX issue 3494), so a typo would silently switch a
check off. Here every entry is built on its own and any problem is a
SuiteError naming the file and the expectation; `problems_in_file` collects
all of them for `dbguard lint`.

Files are GX's own serialized form (`ExpectationSuite.to_json_dict()`), written
with sorted keys, two-space indent and a trailing newline so a diff is small.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.database import quote_identifier
from dbguard.errors import ConfigError, SuiteError

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

ENTRY_KEYS = {
    "type",
    "kwargs",
    "meta",
    "severity",
    "description",
    "notes",
    "id",
    "rendered_content",
}
SUITE_KEYS = {"name", "expectations", "meta", "notes", "id"}
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list", "column_set")
ENTRY_MARKER = "_dbguard_entry"  # meta key tagging a built expectation with its entry's index
BATCH_PLACEHOLDER = re.compile(r"\{batch\}")
LINT_HINT = "run `dbguard lint` to list every problem with what to do"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a suite file, for the error line and for lint."""

    path: Path
    expectation: (
        str  # "" for the file as a whole, else e.g. "#3 expect_column_values_to_be_between[pue]"
    )
    message: str
    fix: str

    def one_line(self) -> str:
        where = f"{self.path}" + (f": expectation {self.expectation}" if self.expectation else "")
        return f"{where}: {self.message}"


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
        kwargs = self.kwargs
        names = [str(kwargs[key]) for key in COLUMN_KWARGS if isinstance(kwargs.get(key), str)]
        for key in COLUMN_LIST_KWARGS:
            if isinstance(kwargs.get(key), list):
                names.extend(str(name) for name in kwargs[key])
        return names

    def configuration(self, *, marked: bool = False) -> ExpectationConfiguration:
        """The GX configuration; `marked` tags its meta with the entry's index.

        GX returns results in its own order and may normalise kwargs, so a result is
        matched to its entry by this tag, which never reaches the file.
        """
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        values = {key: value for key, value in self.data.items() if key in ENTRY_KEYS}
        values.pop("rendered_content", None)
        values.pop("id", None)
        values.setdefault("kwargs", {})
        if marked:
            values["meta"] = {**(values.get("meta") or {}), ENTRY_MARKER: self.index}
        return ExpectationConfiguration(**values)


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
    problems = _suite_shape_problems(path, data)
    if problems:
        return None, problems
    expectations: list[Expectation] = []
    labels: dict[str, int] = {}
    for index, entry in enumerate(data["expectations"], start=1):
        label = _label(entry, index)
        labels[label] = labels.get(label, 0) + 1
        if labels[label] > 1:
            label = f"{label}#{labels[label]}"
        expectation = Expectation(index=index, label=label, data=entry)
        problem = _entry_problem(path, expectation)
        if problem is not None:
            problems.append(problem)
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


def dump_suite(data: dict[str, Any]) -> str:
    """The canonical text of a suite file."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_suite(path: Path, data: dict[str, Any]) -> None:
    """Write atomically: a reader never sees half a suite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(dump_suite(data))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def batch_sql(query: str, table: str) -> str:
    """An unexpected-rows query with `{batch}` replaced by the table, ready for plain sqlite3."""
    return BATCH_PLACEHOLDER.sub(lambda _: quote_identifier(table), query.strip()).rstrip(";")


def suite_file_name(table: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", table) + ".json"


def _suite_shape_problems(path: Path, data: Any) -> list[Problem]:
    if not isinstance(data, dict):
        return [Problem(path, "", "is not a JSON object", 'write {"name": …, "expectations": […]}')]
    problems = []
    if not isinstance(data.get("name"), str) or not data["name"]:
        problems.append(
            Problem(path, "", 'has no "name"', 'add "name": the table the suite checks')
        )
    if not isinstance(data.get("expectations"), list):
        problems.append(Problem(path, "", 'has no "expectations" list', 'add "expectations": []'))
    unknown = sorted(set(data) - SUITE_KEYS)
    if unknown:
        problems.append(
            Problem(
                path,
                "",
                f"has unknown key {unknown[0]!r}",
                f"use only {', '.join(sorted(SUITE_KEYS))}",
            )
        )
    return problems


def _entry_problem(path: Path, expectation: Expectation) -> Problem | None:
    """Build the entry with GX; any complaint becomes a Problem instead of a silent drop."""
    entry = expectation.data
    where = f"#{expectation.index} {expectation.label}"
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        return Problem(path, where, 'is not an object with a "type"', 'give it "type": "expect_…"')
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        return Problem(
            path,
            where,
            f"has unknown key {unknown[0]!r}",
            f"use only {', '.join(sorted(ENTRY_KEYS))}",
        )
    if not isinstance(entry.get("kwargs", {}), dict) or not isinstance(
        entry.get("meta", {}) or {}, dict
    ):
        return Problem(path, where, '"kwargs" and "meta" must be objects', "write them as {…}")
    from great_expectations.exceptions import ExpectationNotFoundError

    try:
        expectation.configuration().to_domain_obj()
    except ExpectationNotFoundError:
        return Problem(
            path,
            where,
            f"unknown expectation type {entry['type']!r}",
            "use a type from GX Core 1.x (https://greatexpectations.io/expectations)",
        )
    except Exception as error:  # GX raises pydantic, GX and plain errors for bad arguments
        message = " ".join(str(error).split())
        return Problem(
            path,
            where,
            f"is not a valid {entry['type']}: {message}",
            "fix its kwargs or severity (critical, warning or info)",
        )
    return None


def _label(entry: Any, index: int) -> str:
    if not isinstance(entry, dict):
        return f"entry{index}"
    kind = str(entry.get("type", f"entry{index}"))
    kwargs = _as_dict(entry.get("kwargs"))
    dbguard_meta = _as_dict(_as_dict(entry.get("meta")).get("dbguard"))
    if isinstance(dbguard_meta.get("name"), str):
        argument = str(dbguard_meta["name"])
    elif dbguard_meta.get("managed") and isinstance(dbguard_meta.get("band"), str):
        argument = str(dbguard_meta["band"])
    else:
        parts = [str(kwargs[key]) for key in COLUMN_KWARGS if isinstance(kwargs.get(key), str)]
        for key in COLUMN_LIST_KWARGS:
            if isinstance(kwargs.get(key), list):
                parts.append(",".join(str(name) for name in kwargs[key]))
        argument = ",".join(parts) if parts else str(entry.get("severity", "")) or str(index)
    return f"{kind}[{argument}]"


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
