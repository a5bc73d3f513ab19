"""Entries of one suite must not spoil each other's verdicts: a raising entry errors alone, and
entries GX would make share a changed metric each keep their own question (real GX, real
SQLite files; the verdicts are compared with plain GX validating each entry on its own)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dbguard.findings import Severity
from dbguard.quality.suite_files import dump_suite
from dbguard.quality.suite_passes import plan_passes
from dbguard.quality.suites import Expectation, load_suite_file
from dbguard.quality.validate import ExpectationOutcome, SuiteValidator

VALUES = 100  # x holds 1 … 100, so its quantile q is about 100 q


@pytest.fixture(scope="module")
def numbers_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("numbers") / "numbers.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE numbers (id INTEGER PRIMARY KEY, x REAL NOT NULL)")
        connection.executemany(
            "INSERT INTO numbers (x) VALUES (?)", [(value,) for value in range(1, VALUES + 1)]
        )
    connection.close()
    return path


@pytest.fixture(scope="module")
def validator() -> SuiteValidator:
    return SuiteValidator()


def quantiles(values: list[float], low: float, high: float) -> dict[str, Any]:
    return {
        "type": "expect_column_quantile_values_to_be_between",
        "kwargs": {
            "column": "x",
            "quantile_ranges": {
                "quantiles": values,
                "value_ranges": [[low, high] for _ in values],
            },
        },
    }


def run_suite(
    validator: SuiteValidator, database: Path, folder: Path, entries: list[dict[str, Any]]
) -> list[ExpectationOutcome]:
    path = folder / "numbers.json"
    path.write_text(dump_suite({"name": "numbers", "expectations": entries}))
    return validator.validate(database, load_suite_file(path))


def plain_gx_success(database: Path, entry: dict[str, Any]) -> bool:
    """What Great Expectations alone says of one entry, validated on its own."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sqlite("plain", connection_string=f"sqlite:///{database}")
    batch = (
        source.add_table_asset("numbers", table_name="numbers")
        .add_batch_definition_whole_table("all")
        .get_batch()
    )
    expectation = ExpectationConfiguration(type=entry["type"], kwargs=entry["kwargs"])
    return bool(batch.validate(expectation.to_domain_obj()).success)


def test_an_entry_raising_inside_gx_errors_alone_and_the_others_keep_their_verdict(
    numbers_db: Path, validator: SuiteValidator, tmp_path: Path
) -> None:
    entries = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"}},
        # Passes lint (GX builds it), then raises inside batch.validate.
        {
            "type": "expect_column_kl_divergence_to_be_less_than",
            "kwargs": {"column": "x", "partition_object": {}, "threshold": 0.1},
        },
        {
            "type": "expect_column_max_to_be_between",
            "kwargs": {"column": "x", "min_value": 0, "max_value": 50},
        },
    ]
    not_null, divergence, maximum = run_suite(validator, numbers_db, tmp_path, entries)
    assert not_null.severity is Severity.OK
    assert divergence.severity is Severity.CRITICAL
    assert divergence.observed.startswith("errored:")
    assert "partition_object" in divergence.observed
    assert maximum.severity is Severity.CRITICAL
    assert maximum.observed == "100.0"


def test_quantile_rules_of_different_lengths_on_one_column_do_not_raise_index_error(
    numbers_db: Path, validator: SuiteValidator, tmp_path: Path
) -> None:
    entries = [quantiles([0.5], 40, 60), quantiles([0.1, 0.9], 0, 100)]
    outcomes = run_suite(validator, numbers_db, tmp_path, entries)
    assert [outcome.severity for outcome in outcomes] == [Severity.OK, Severity.OK]
    assert not any("index" in outcome.observed for outcome in outcomes)


@pytest.mark.parametrize(
    ("first", "second"),
    [([0.5], [0.9]), ([0.9], [0.5])],
    ids=["pass-then-fail", "fail-then-pass"],
)
def test_quantile_rules_of_one_length_on_one_column_are_judged_on_their_own_quantiles(
    numbers_db: Path,
    validator: SuiteValidator,
    tmp_path: Path,
    first: list[float],
    second: list[float],
) -> None:
    entries = [quantiles(first, 40, 60), quantiles(second, 40, 60)]
    outcomes = run_suite(validator, numbers_db, tmp_path, entries)
    alone = [plain_gx_success(numbers_db, entry) for entry in entries]
    assert sorted(alone) == [False, True]  # the two rules really disagree
    assert [outcome.severity is Severity.OK for outcome in outcomes] == alone
    for outcome, entry in zip(outcomes, entries, strict=True):
        if outcome.severity is not Severity.OK:
            assert str(entry["kwargs"]["quantile_ranges"]["quantiles"]) in outcome.observed
            assert "90.0" in outcome.observed


def entry(index: int, data: dict[str, Any]) -> Expectation:
    return Expectation(index=index, label=f"e{index}", data=data)


def test_only_quantile_rules_sharing_a_domain_are_planned_alone() -> None:
    other_column = quantiles([0.5], 0, 1)
    other_column["kwargs"]["column"] = "y"
    conditioned = quantiles([0.5], 0, 1)
    conditioned["kwargs"] |= {
        "row_condition": 'col("x") > 3',
        "condition_parser": "great_expectations",
    }
    entries = [
        entry(1, quantiles([0.5], 0, 1)),
        entry(2, {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"}}),
        entry(3, quantiles([0.1, 0.2], 0, 1)),
        entry(4, other_column),
        entry(5, conditioned),
    ]
    plan = [[e.index for e in group] for group in plan_passes(entries)]
    assert plan == [[2, 4, 5], [1], [3]]
    assert plan_passes(entries[1:2]) == [[entries[1]]]
    assert plan_passes([]) == []


def test_row_count_rules_against_two_other_tables_each_keep_their_own_table(
    numbers_db: Path, validator: SuiteValidator, tmp_path: Path
) -> None:
    """The other expectation whose dependencies GX edits (a copy, given a new metric id): two
    such entries in one suite call are each judged against their own table."""
    database = tmp_path / "tables.sqlite3"
    shutil.copyfile(numbers_db, database)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE same AS SELECT * FROM numbers")
        connection.execute("CREATE TABLE fewer AS SELECT * FROM numbers WHERE id <= 10")
    connection.close()
    entries = [
        {
            "type": "expect_table_row_count_to_equal_other_table",
            "kwargs": {"other_table_name": name},
        }
        for name in ("fewer", "same")
    ]
    assert plan_passes([entry(i, e) for i, e in enumerate(entries, 1)]) == [
        [entry(1, entries[0]), entry(2, entries[1])]
    ]  # one call: GX gives the other table's count a metric of its own
    fewer, same = run_suite(validator, database, tmp_path, entries)
    assert [plain_gx_success(database, e) for e in entries] == [False, True]
    assert fewer.severity is Severity.CRITICAL
    assert same.severity is Severity.OK
