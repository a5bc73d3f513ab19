"""One expectation's result as a Finding: severity, what was expected and observed, what to do.

An expectation that errors because the suite names a table or column the
database lacks is told apart from bad data: its advice is to fix the suite if
the schema changed on purpose, and to restore only if something was dropped
by mistake (a typo in a suite must never lead to a restore).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dbguard.findings import Finding, Severity, Subject
from dbguard.quality.describe import describe_expectation, describe_outcome, value_text
from dbguard.quality.engine_gaps import NO_PROVIDER
from dbguard.quality.row_examples import EXAMPLES, TableShape
from dbguard.quality.suites import Expectation, SuiteFile
from dbguard.rules.expectations import expectation_severity
from dbguard.rules.rows import ROW_COUNT_REMEDIATION, ROW_COUNT_RULE

RULE_REMEDIATION = (
    "correct the rows named in details at their source; if they arrived by mistake, "
    "restore from the latest verified backup"
)
ERROR_REMEDIATION = (
    "the expectation could not run: read the error in observed; fix the suite if it is wrong "
    "(dbguard lint shows where), otherwise see the database health checks"
)
SCHEMA_REMEDIATION = (
    "{mismatch}: if the schema changed on purpose, fix the suite (`dbguard lint` shows where); "
    "only if it was dropped by mistake, restore from the latest verified backup "
    "(dbguard backup restore --latest)"
)
# GX 1.24 filters nulls for some expectations (unique, value lengths, …) through a condition
# string `col("name").notnull()` that its parser cannot escape: a `"` in the column name breaks it.
QUOTE_IN_COLUMN_REMEDIATION = (
    "Great Expectations cannot run this expectation on a column whose name holds a double "
    "quote (its null filter cannot quote it): check that column with an unexpected_rows_expectation "
    'whose query quotes it ("a""b" for a"b)'
)
GX_CONDITION_ERROR = "unable to parse condition: col("
ENGINE_GAP_REMEDIATION = (
    "Great Expectations cannot run this expectation type on this database: replace it with "
    "the rule `dbguard lint` names for it (often an unexpected_rows_expectation)"
)
# Expectations about a table's row count: grouped with every other row-count finding.
ROW_COUNT_TYPES = "expect_table_row_count_"
# SQLite's own words when a query names what the database lacks, then PostgreSQL's.
NO_SUCH = re.compile(r"no such (column|table): ([^\s)\]]+)")
DOES_NOT_EXIST = re.compile(r'(column|relation) "([^"]+)" does not exist')


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
    # "the suite names column 'x', which table 't' lacks" when that is why it errored, else "".
    schema_mismatch: str = ""
    plain_language: str = ""  # the rule and its result as a sentence (dbguard.quality.describe)

    @property
    def check(self) -> str:
        return f"{self.suite}::{self.label}"

    @property
    def subjects(self) -> tuple[Subject, ...]:
        """The table and rule of a result that is a problem (dbguard.rules.problems): `row count`
        for the row-count expectations (both bands), else the expectation's own label."""
        if self.severity not in (Severity.WARNING, Severity.CRITICAL):
            return ()
        rule = ROW_COUNT_RULE if self.label.startswith(ROW_COUNT_TYPES) else self.label
        return (Subject(self.table, rule, self.severity),)

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
            subjects=self.subjects,
        )


def schema_mismatch(expectation: Expectation, shape: TableShape | None, message: str) -> str:
    """What the suite names that the database lacks, or "" (the error has another cause)."""
    if shape is not None and not shape.exists:
        return f"the suite names table {shape.table!r}, which the database lacks"
    if shape is not None:
        missing = [column for column in expectation.columns() if column not in shape.columns]
        if missing:
            return f"the suite names column {missing[0]!r}, which table {shape.table!r} lacks"
    found = NO_SUCH.search(message) or DOES_NOT_EXIST.search(message)
    if found:
        kind, name = found.groups()
        kind = "table" if kind == "relation" else kind
        return f"the suite's query names {kind} {name!r}, which the database lacks"
    return ""


def errored(
    suite: SuiteFile, expectation: Expectation, message: str, shape: TableShape | None = None
) -> ExpectationOutcome:
    """An expectation that could not run: critical, whatever its configured severity."""
    mismatch = schema_mismatch(expectation, shape, message)
    if mismatch:
        remediation = SCHEMA_REMEDIATION.format(mismatch=mismatch)
    elif GX_CONDITION_ERROR in message:
        remediation = QUOTE_IN_COLUMN_REMEDIATION
    elif NO_PROVIDER in message:
        remediation = ENGINE_GAP_REMEDIATION
    else:
        remediation = str(expectation.meta.get("remediation") or ERROR_REMEDIATION)
    return ExpectationOutcome(
        suite=suite.name,
        table=suite.table,
        label=expectation.label,
        index=expectation.index,
        severity=Severity.CRITICAL,
        expected=expected_text(expectation),
        observed=f"errored: {mismatch or shorten(message)}",
        details=f"{suite.path.name} expectation #{expectation.index} could not run: "
        f"{shorten(message)}",
        remediation=remediation,
        schema_mismatch=mismatch,
        plain_language=describe_expectation(expectation.type, expectation.kwargs)
        + f" — could not run: {mismatch or shorten(message)}",
    )


def outcome(
    suite: SuiteFile,
    expectation: Expectation,
    result: Any,
    detailed: dict[int, dict[str, Any]],
    shape: TableShape | None = None,
) -> ExpectationOutcome:
    """The outcome of one GX result (None: GX returned none for this entry)."""
    if result is None:
        return errored(suite, expectation, "Great Expectations returned no result for it", shape)
    message = error_message(result)
    if message:
        return errored(suite, expectation, message, shape)
    severity = expectation_severity(
        success=bool(result.success), errored=False, configured=expectation.severity
    )
    values = detailed.get(expectation.index, {})
    observed, details = observed_text(bool(result.success), values)
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
        expected=expected_text(expectation),
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


def error_message(result: Any) -> str | None:
    """The message of an expectation that raised inside GX, or None."""
    if result is None:
        return None
    info = result.exception_info or {}
    candidates = [info] + [value for value in info.values() if isinstance(value, dict)]
    for candidate in candidates:
        if candidate.get("raised_exception") or candidate.get("exception_message"):
            return str(candidate.get("exception_message") or "the expectation raised an error")
    return None


def expected_text(expectation: Expectation) -> str:
    description = expectation.data.get("description")
    arguments = ", ".join(
        f"{key}={value!r}" for key, value in sorted(expectation.kwargs.items()) if key != "batch_id"
    )
    text = f"{expectation.type}({shorten(arguments, 300)})"
    return f"{description}: {text}" if description else text


def observed_text(success: bool, values: dict[str, Any]) -> tuple[str, str]:
    if success:
        return "as expected", ""
    if "unexpected_count" in values:
        count = values.get("unexpected_count")
        total = values.get("element_count")
        observed = f"{count} of {total} values unexpected"
        indexed = values.get("partial_unexpected_index_list")
        if indexed:
            return observed, "rows: " + "; ".join(row_text(row) for row in indexed[:EXAMPLES])
        examples = values.get("partial_unexpected_list") or []
        return observed, "values: " + ", ".join(value_text(value) for value in examples[:EXAMPLES])
    details = values.get("details") or {}
    if isinstance(details, dict) and "unexpected_rows" in details:
        rows = details["unexpected_rows"] or []
        count = values.get("observed_value", len(rows))
        return f"{count} unexpected row{'' if count == 1 else 's'}", "rows: " + "; ".join(
            row_text(row) for row in rows[:EXAMPLES]
        )
    if "observed_value" in values:
        return f"{values['observed_value']!r}", ""
    return "failed", ""


def row_text(row: Any) -> str:
    if isinstance(row, dict):
        return ", ".join(f"{key}={value_text(value)}" for key, value in row.items())
    return value_text(row)


def shorten(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
