"""Which entries of a suite GX validates in one call, and running those calls so that one
entry cannot spoil another's verdict.

GX 1.24.1 validates a suite in one `batch.validate` and shares a metric between entries
whose metric ids are equal. Two faults follow (SPEC, "Great Expectations quirks"):

- an entry that raises inside GX (a KL-divergence entry with `partition_object: {}`) turns
  the whole call into one exception: the call is then made again one entry at a time, so
  only the culprit errors;
- an expectation that changes its metric's arguments after GX fixed the metric's id makes
  two such entries on one domain share one metric (`IndexError`, or the second judged on
  the first's arguments): each such entry runs in a call of its own.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from dbguard.quality.suite_entries import ENTRY_MARKER
from dbguard.quality.suites import Expectation
from dbguard.redact import mask_secrets

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult
    from great_expectations.datasource.fluent.interfaces import Batch

log = logging.getLogger(__name__)

# Expectations whose `get_validation_dependencies` writes into a metric configuration after
# its id was computed, with the metric it changes (read in GX 1.24.1's source: only this one;
# expect_table_row_count_to_equal_other_table changes a copy, then builds a new metric).
METRIC_CHANGED_AFTER_ID = {
    "expect_column_quantile_values_to_be_between": "column.quantile_values",
}
# The kwargs that make up a column metric's domain: entries differing in them never share.
DOMAIN_KWARGS = ("column", "row_condition", "condition_parser")


@dataclass
class PassResults:
    """GX's result per entry index, or the message of the error that entry raised."""

    results: dict[int, Any] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def _domain(expectation: Expectation) -> tuple[str, ...]:
    kwargs = expectation.kwargs
    return (expectation.type, *(repr(kwargs.get(key)) for key in DOMAIN_KWARGS))


def plan_passes(expectations: Sequence[Expectation]) -> list[list[Expectation]]:
    """The calls to make: every entry together, except those that would share a metric GX
    changes after fixing its id, which get one call each (file order is kept)."""
    shared = Counter(
        _domain(entry) for entry in expectations if entry.type in METRIC_CHANGED_AFTER_ID
    )
    alone = [entry for entry in expectations if shared.get(_domain(entry), 0) > 1]
    together = [entry for entry in expectations if entry not in alone]
    return ([together] if together else []) + [[entry] for entry in alone]


def run_passes(
    batch: Batch,
    expectations: Sequence[Expectation],
    build: Callable[[list[Expectation]], ExpectationSuite],
    result_format: Literal["BOOLEAN_ONLY", "SUMMARY"] | dict[str, Any],
) -> PassResults:
    """Validate `expectations` in the planned calls; a call that raises is made again one
    entry at a time, and an entry that raises alone keeps its error message."""
    found = PassResults()
    for group in plan_passes(expectations):
        try:
            found.results.update(
                _by_index(batch.validate(build(group), result_format=result_format))
            )
            continue
        except Exception as error:  # GX, SQLAlchemy and the drivers raise their own types
            if len(group) == 1:
                found.errors[group[0].index] = _message(error)
                continue
            log.info("a suite call raised (%s): validating its entries one by one", error)
        for entry in group:
            try:
                found.results.update(
                    _by_index(batch.validate(build([entry]), result_format=result_format))
                )
            except Exception as error:
                found.errors[entry.index] = _message(error)
    return found


def _by_index(validation: ExpectationSuiteValidationResult) -> dict[int, Any]:
    """GX returns results in its own order; match them to the file's entries by their tag."""
    keyed = {}
    for result in validation.results:
        config = result.expectation_config
        index = (config.meta or {}).get(ENTRY_MARKER) if config is not None else None
        if isinstance(index, int):
            keyed[index] = result
    return keyed


def _message(error: BaseException) -> str:
    text = str(error).strip()
    return mask_secrets(text.splitlines()[0] if text else type(error).__name__)
