"""Run a suite against a SQLite file, read-only, and turn each result into a Finding.

Every expectation first runs with BOOLEAN_ONLY (GX's default format runs an
extra sample query per expectation even when it passes); only the ones that
failed run again to fetch the values and rows that broke them, keyed by the
table's primary key so a row is named, not just counted.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.database import quote_identifier, read_only_uri, require_database
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.quality.describe import describe_expectation, describe_outcome, value_text
from dbguard.quality.gx_context import ephemeral_context, sqlite_read_only_url
from dbguard.quality.severity import expectation_severity
from dbguard.quality.suites import ENTRY_MARKER, Expectation, SuiteFile, batch_sql

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent.interfaces import Batch

log = logging.getLogger(__name__)

EXAMPLES = 10  # rows or values quoted in a finding
ROW_COUNT_REMEDIATION = (
    "audit recent writes (数据审计); if rows were lost, restore from the latest verified backup "
    "(dbguard backup restore --latest); if the change is intended, run dbguard baseline"
)
RULE_REMEDIATION = (
    "correct the rows named in details at their source; if they arrived by mistake, "
    "restore from the latest verified backup"
)
ERROR_REMEDIATION = (
    "the table or column this expectation names could not be read: if the schema changed "
    "on purpose, update the suite (dbguard lint shows what), otherwise restore from the "
    "latest verified backup"
)


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    table: str
    label: str
    index: int
    severity: Severity
    expected: str
    observed: str
    details: str
    remediation: str
    plain_language: str = ""

    @property
    def check(self) -> str:
        return f"{self.suite}::{self.label}"

    def finding(self, target: str) -> Finding:
        return Finding(
            check=self.check,
            severity=self.severity,
            expected=self.expected,
            observed=self.observed,
            remediation=self.remediation if self.severity is not Severity.OK else "",
            details=self.details,
            target=target,
            plain_language=self.plain_language,
        )


class SuiteValidator:
    """Validates suites against SQLite files; one per run, since the GX context is costly."""

    def __init__(self, context: AbstractDataContext | None = None) -> None:
        self._context = context if context is not None else ephemeral_context()
        self._sources: dict[tuple[Path, bool], Any] = {}

    def validate(
        self, database: Path, suite: SuiteFile, *, immutable: bool = False
    ) -> list[ExpectationOutcome]:
        """One outcome per expectation of `suite`, in file order. Never raises for bad data.

        `immutable=True` only for files nothing writes (backups, restore drills).
        """
        # Any failure to open or read the table (GX, SQLAlchemy and sqlite3 each raise their
        # own types) makes every expectation of the suite an errored, critical outcome.
        try:
            require_database(database)
            key_columns = primary_key(database, suite.table, immutable=immutable)
            batch = self._batch(database, suite.table, immutable)
            first = batch.validate(suite.build_suite(), result_format="BOOLEAN_ONLY")
            results = _results_by_key(first)
            failed = [
                expectation
                for expectation in suite.expectations
                if not _success(results.get(_key(expectation)))
                and not _error_message(results.get(_key(expectation)))
            ]
            examples = RowExamples(database, suite.table, immutable)
            detailed = self._details(batch, suite, failed, key_columns, examples) if failed else {}
        except Exception as error:
            message = error.message if isinstance(error, DbguardError) else _first_line(error)
            log.warning("cannot validate %s on %s: %s", suite.name, database, message)
            return [_errored(suite, expectation, message) for expectation in suite.expectations]
        return [
            _outcome(suite, expectation, results.get(_key(expectation)), detailed)
            for expectation in suite.expectations
        ]

    def _batch(self, database: Path, table: str, immutable: bool) -> Batch:
        """A whole-table batch; one GX data source (one engine) per database file."""
        key = (Path(database).resolve(), immutable)
        source = self._sources.get(key)
        if source is None:
            source = self._context.data_sources.add_sqlite(
                f"source-{len(self._sources) + 1}",
                connection_string=sqlite_read_only_url(database, immutable=immutable),
            )
            self._sources[key] = source
        asset_name = f"{table}-{len(source.assets) + 1}"
        asset = source.add_table_asset(name=asset_name, table_name=table)
        return asset.add_batch_definition_whole_table("whole-table").get_batch()

    def _details(
        self,
        batch: Batch,
        suite: SuiteFile,
        failed: list[Expectation],
        key_columns: list[str],
        examples: RowExamples,
    ) -> dict[int, dict[str, Any]]:
        detailed: dict[int, dict[str, Any]] = {}
        others = []
        for expectation in failed:
            query = expectation.kwargs.get("unexpected_rows_query")
            if expectation.type == "unexpected_rows_expectation" and isinstance(query, str):
                # GX's COMPLETE format would pull every unexpected row into memory.
                detailed[expectation.index] = examples.fetch(query)
            else:
                others.append(expectation)
        if others:
            result_format: dict[str, Any] = {
                "result_format": "SUMMARY",
                "partial_unexpected_count": EXAMPLES,
            }
            if key_columns:
                result_format["unexpected_index_column_names"] = key_columns
            suite_part = suite.build_suite([e.index for e in others])
            for key, result in _results_by_key(
                batch.validate(suite_part, result_format=result_format)
            ).items():
                detailed[key] = dict(result.result or {})
        return detailed


@dataclass(frozen=True)
class RowExamples:
    """The count and first rows of an unexpected-rows query, read with plain sqlite3."""

    database: Path
    table: str
    immutable: bool

    def fetch(self, query: str) -> dict[str, Any]:
        sql = batch_sql(query, self.table)
        uri = read_only_uri(self.database) + ("&immutable=1" if self.immutable else "")
        connection = sqlite3.connect(uri, uri=True)
        connection.row_factory = sqlite3.Row
        try:
            (count,) = connection.execute(f"SELECT COUNT(*) FROM ({sql})").fetchone()
            rows = connection.execute(f"SELECT * FROM ({sql}) LIMIT {EXAMPLES}").fetchall()
        except sqlite3.Error as error:
            log.warning("cannot fetch examples of %r: %s", query, error)
            return {}
        finally:
            connection.close()
        return {"observed_value": count, "details": {"unexpected_rows": [dict(r) for r in rows]}}


class OutcomeCache:
    """Each suite validated once per target per run; each test then reads its own outcome."""

    def __init__(self, validator: SuiteValidator) -> None:
        self._validator = validator
        self._outcomes: dict[tuple[str, str], list[ExpectationOutcome]] = {}

    def outcomes(
        self, target: str, database: Path, suite: SuiteFile, *, immutable: bool = False
    ) -> list[ExpectationOutcome]:
        key = (target, suite.name)
        if key not in self._outcomes:
            self._outcomes[key] = self._validator.validate(database, suite, immutable=immutable)
        return self._outcomes[key]

    def outcome(
        self, target: str, database: Path, suite: SuiteFile, index: int, *, immutable: bool = False
    ) -> ExpectationOutcome:
        for outcome in self.outcomes(target, database, suite, immutable=immutable):
            if outcome.index == index:
                return outcome
        raise KeyError(f"{suite.name} has no expectation #{index}")


def primary_key(database: Path, table: str, *, immutable: bool = False) -> list[str]:
    """The table's primary-key columns, used to name the rows that break a rule."""
    uri = read_only_uri(database) + ("&immutable=1" if immutable else "")
    connection = sqlite3.connect(uri, uri=True)
    try:
        rows = connection.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
    finally:
        connection.close()
    if not rows:
        raise DbguardError(f"table {table!r} does not exist in {database}")
    keyed = sorted((row[5], row[1]) for row in rows if row[5])
    return [name for _, name in keyed]


def _key(expectation: Expectation) -> int:
    return expectation.index


def _results_by_key(validation: ExpectationSuiteValidationResult) -> dict[int, Any]:
    """GX returns results in its own order; match them to the file's entries by their tag."""
    keyed = {}
    for result in validation.results:
        config = result.expectation_config
        index = (config.meta or {}).get(ENTRY_MARKER) if config is not None else None
        if isinstance(index, int):
            keyed[index] = result
    return keyed


def _success(result: Any) -> bool:
    return bool(result is not None and result.success)


def _error_message(result: Any) -> str | None:
    if result is None:
        return None
    info = result.exception_info or {}
    candidates = [info] + [value for value in info.values() if isinstance(value, dict)]
    for candidate in candidates:
        if candidate.get("raised_exception") or candidate.get("exception_message"):
            return str(candidate.get("exception_message") or "the expectation raised an error")
    return None


def _errored(suite: SuiteFile, expectation: Expectation, message: str) -> ExpectationOutcome:
    return ExpectationOutcome(
        suite=suite.name,
        table=suite.table,
        label=expectation.label,
        index=expectation.index,
        severity=Severity.CRITICAL,
        expected=_expected_text(expectation),
        observed=f"errored: {_shorten(message)}",
        details=f"{suite.path.name} expectation #{expectation.index} could not run",
        remediation=expectation.meta.get("remediation") or ERROR_REMEDIATION,
        plain_language=describe_expectation(expectation.type, expectation.kwargs)
        + f" — could not run: {_shorten(message)}",
    )


def _outcome(
    suite: SuiteFile, expectation: Expectation, result: Any, detailed: dict[int, dict[str, Any]]
) -> ExpectationOutcome:
    if result is None:
        return _errored(suite, expectation, "Great Expectations returned no result for it")
    message = _error_message(result)
    if message:
        return _errored(suite, expectation, message)
    severity = expectation_severity(
        success=bool(result.success), errored=False, configured=expectation.severity
    )
    values = detailed.get(_key(expectation), {})
    observed, details = _observed_text(expectation, bool(result.success), values)
    default_remediation = (
        ROW_COUNT_REMEDIATION
        if expectation.type.startswith("expect_table_row_count")
        else RULE_REMEDIATION
    )
    return ExpectationOutcome(
        suite=suite.name,
        table=suite.table,
        label=expectation.label,
        index=expectation.index,
        severity=severity,
        expected=_expected_text(expectation),
        observed=observed,
        details=details,
        remediation=str(expectation.meta.get("remediation") or default_remediation),
        plain_language=describe_outcome(
            expectation.type,
            expectation.kwargs,
            bool(result.success),
            values,
            str(expectation.data.get("description") or ""),
        ),
    )


def _expected_text(expectation: Expectation) -> str:
    description = expectation.data.get("description")
    arguments = ", ".join(
        f"{key}={value!r}" for key, value in sorted(expectation.kwargs.items()) if key != "batch_id"
    )
    text = f"{expectation.type}({_shorten(arguments, 300)})"
    return f"{description}: {text}" if description else text


def _observed_text(
    expectation: Expectation, success: bool, values: dict[str, Any]
) -> tuple[str, str]:
    if success:
        return "as expected", ""
    if "unexpected_count" in values:
        count = values.get("unexpected_count")
        total = values.get("element_count")
        observed = f"{count} of {total} values unexpected"
        indexed = values.get("partial_unexpected_index_list")
        if indexed:
            return observed, "rows: " + "; ".join(_row_text(row) for row in indexed[:EXAMPLES])
        examples = values.get("partial_unexpected_list") or []
        return observed, "values: " + ", ".join(value_text(value) for value in examples[:EXAMPLES])
    details = values.get("details") or {}
    if isinstance(details, dict) and "unexpected_rows" in details:
        rows = details["unexpected_rows"] or []
        count = values.get("observed_value", len(rows))
        return f"{count} unexpected row{'' if count == 1 else 's'}", "rows: " + "; ".join(
            _row_text(row) for row in rows[:EXAMPLES]
        )
    if "observed_value" in values:
        return f"{values['observed_value']!r}", ""
    return "failed", ""


def _row_text(row: Any) -> str:
    if isinstance(row, dict):
        return ", ".join(f"{key}={value_text(value)}" for key, value in row.items())
    return value_text(row)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
