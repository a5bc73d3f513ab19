"""GX's `unexpected_rows_expectation`, decided on the count of unexpected rows alone.

GX 1.24 computes two metrics for every unexpected-rows expectation, whatever the result
format: the count (`unexpected_rows_query.row_count`) and the rows themselves
(`unexpected_rows_query.table`, up to 200,000 of them), so each query runs twice; at 10 M
rows that is about half of the check's SQL (bench/NOTES.md). Its verdict uses the count
only; the rows are for GX's COMPLETE format, which dbguard never asks for (the rows of a
failure are fetched, ten of them, by dbguard.quality.row_examples). So the first pass of a
validation runs each such entry as this subclass: GX still builds and substitutes the
query, runs it against the batch and reports its errors the same way, once.

Imported only by dbguard.quality.validate, inside its functions: defining the class imports GX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from great_expectations.expectations.core.unexpected_rows_expectation import (
    UnexpectedRowsExpectation,
)

from dbguard.quality.suite_entries import gx_configuration

if TYPE_CHECKING:
    from great_expectations.execution_engine import ExecutionEngine
    from great_expectations.expectations.expectation import Expectation as GxExpectation

    from dbguard.quality.suites import Expectation

GX_TYPE = "unexpected_rows_expectation"
COUNTED_TYPE = "dbguard_counted_unexpected_rows"  # GX names a class's type after it


class DbguardCountedUnexpectedRows(UnexpectedRowsExpectation):
    """UnexpectedRowsExpectation without the metric that fetches the rows."""

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.row_count",)

    def _validate(
        self,
        metrics: dict[str, Any],
        runtime_configuration: dict[str, Any] | None = None,
        execution_engine: ExecutionEngine | None = None,
    ) -> dict[str, Any]:
        count = metrics["unexpected_rows_query.row_count"]
        return {"success": count == 0, "result": {"observed_value": count}}


def first_pass_expectation(expectation: Expectation) -> GxExpectation:
    """The GX expectation to run first for a suite entry (tagged with its index)."""
    if expectation.type != GX_TYPE:
        return expectation.configuration(marked=True).to_domain_obj()
    entry = {**expectation.data, "type": COUNTED_TYPE}
    return gx_configuration(entry, expectation.index).to_domain_obj()
