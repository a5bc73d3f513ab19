"""Run a suite against a source (a SQLite file, read-only, a PostgreSQL database, in a
read-only session, or Spark tables) and turn each result into an outcome.

Every expectation first runs with BOOLEAN_ONLY (GX's default format runs an
extra sample query per expectation even when it passes), an unexpected-rows
query once, for its count (dbguard.quality.counted_rows); only the ones that
failed run again to fetch the values and rows that broke them, keyed by the
table's primary key so a row is named, not just counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.catalog import Source, SqliteFile
from dbguard.errors import DbguardError
from dbguard.quality.gx_context import add_data_source, ephemeral_context, source_batch
from dbguard.quality.outcomes import ExpectationOutcome, error_message, errored, outcome
from dbguard.quality.row_examples import EXAMPLES, RowExamples, TableShape, table_shape
from dbguard.quality.suite_passes import run_passes
from dbguard.quality.suites import Expectation, SuiteFile
from dbguard.redact import mask_secrets

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent.interfaces import Batch

__all__ = ["ExpectationOutcome", "OutcomeCache", "SuiteValidator", "as_source"]

log = logging.getLogger(__name__)


def as_source(database: Source | Path | str, *, immutable: bool = False) -> Source:
    """A source as given, or a SQLite file's path (`immutable` for files nothing writes)."""
    if isinstance(database, str | Path):
        return SqliteFile(Path(database), immutable)
    return database


class SuiteValidator:
    """Validates suites against sources; one per run, since the GX context is costly."""

    def __init__(self, context: AbstractDataContext | None = None) -> None:
        self._context = context if context is not None else ephemeral_context()
        self._sources: dict[tuple[str, bool], Any] = {}  # Source.identity -> GX data source

    def validate(
        self, database: Source | Path | str, suite: SuiteFile, *, immutable: bool = False
    ) -> list[ExpectationOutcome]:
        """One outcome per expectation of `suite`, in file order. Never raises for bad data.

        `database` is a Source, or a SQLite file's path; `immutable=True` only for files
        nothing writes (backups, restore drills).
        """
        source = as_source(database, immutable=immutable)
        shape: TableShape | None = None
        # Any failure to open or read the table (GX, SQLAlchemy, sqlite3 and psycopg each
        # raise their own types) makes every expectation of the suite an errored, critical
        # outcome.
        try:
            with source.open() as catalog:  # a missing or non-SQLite file raises here
                shape = table_shape(catalog, suite.table)
            if not shape.exists:
                message = f"table {suite.table!r} does not exist in {source.label}"
                return [errored(suite, entry, message, shape) for entry in suite.expectations]
            batch = self._batch(source, suite.table)
            first = run_passes(batch, suite.expectations, _first_pass_suite(suite), "BOOLEAN_ONLY")
            failed = [
                expectation
                for expectation in suite.expectations
                if expectation.index not in first.errors
                and not _success(first.results.get(expectation.index))
                and not error_message(first.results.get(expectation.index))
            ]
            examples = RowExamples(source, suite.table)
            detailed = (
                self._details(batch, suite, failed, list(shape.key_columns), examples)
                if failed
                else {}
            )
        except Exception as error:
            message = error.message if isinstance(error, DbguardError) else _first_line(error)
            message = mask_secrets(message)
            log.warning("cannot validate %s on %s: %s", suite.name, source.label, message)
            return [errored(suite, entry, message, shape) for entry in suite.expectations]
        return [
            errored(suite, expectation, first.errors[expectation.index], shape)
            if expectation.index in first.errors
            else outcome(suite, expectation, first.results.get(expectation.index), detailed, shape)
            for expectation in suite.expectations
        ]

    def _batch(self, source: Source, table: str) -> Batch:
        """A whole-table batch; one GX data source (one engine) per database."""
        data_source = self._sources.get(source.identity)
        if data_source is None:
            data_source = add_data_source(self._context, f"source-{len(self._sources) + 1}", source)
            self._sources[source.identity] = data_source
        return source_batch(data_source, f"table-{len(data_source.assets) + 1}", source, table)

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
            passes = run_passes(
                batch,
                others,
                lambda part: suite.build_suite([e.index for e in part]),
                result_format,
            )
            for index, result in passes.results.items():
                detailed[index] = dict(result.result or {})
        return detailed


class OutcomeCache:
    """Each suite validated once per target per run; each test then reads its own outcome."""

    def __init__(self, validator: SuiteValidator) -> None:
        self._validator = validator
        self._outcomes: dict[tuple[str, str], list[ExpectationOutcome]] = {}

    def outcomes(
        self,
        target: str,
        database: Source | Path | str,
        suite: SuiteFile,
        *,
        immutable: bool = False,
    ) -> list[ExpectationOutcome]:
        key = (target, str(suite.path))
        if key not in self._outcomes:
            self._outcomes[key] = self._validator.validate(database, suite, immutable=immutable)
        return self._outcomes[key]

    def cached(self, target: str, suite: SuiteFile) -> list[ExpectationOutcome] | None:
        """The outcomes of `suite` on `target` if this run validated it, else None."""
        return self._outcomes.get((target, str(suite.path)))

    def outcome(
        self,
        target: str,
        database: Source | Path | str,
        suite: SuiteFile,
        index: int,
        *,
        immutable: bool = False,
    ) -> ExpectationOutcome:
        for found in self.outcomes(target, database, suite, immutable=immutable):
            if found.index == index:
                return found
        raise KeyError(f"{suite.name} has no expectation #{index}")


def _first_pass_suite(suite: SuiteFile) -> Callable[[list[Expectation]], ExpectationSuite]:
    """Builds a GX suite of some entries, unexpected-rows queries counted only (see the module
    docstring)."""
    import great_expectations as gx

    from dbguard.quality.counted_rows import first_pass_expectation

    def build(entries: list[Expectation]) -> ExpectationSuite:
        expectations = [first_pass_expectation(entry) for entry in entries]
        return gx.ExpectationSuite(name=suite.name, expectations=expectations)

    return build


def _success(result: Any) -> bool:
    return bool(result is not None and result.success)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
