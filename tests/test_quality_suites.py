"""Strict loading of suite files: what GX would silently drop is an error naming file and entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dbguard.check_run import PROJECT_ROOT
from dbguard.errors import SuiteError
from dbguard.quality.suite_files import dump_suite
from dbguard.quality.suites import load_suite_file, load_suites, parse_suite_file

REPO_SUITES = PROJECT_ROOT / "expectations"
DEMO_TABLES = {"pue_data", "fault_record", "huijugugan", "pue_comment", "pue_drill_data"}


def write(path: Path, expectations: list[dict[str, Any]], name: str = "orders") -> Path:
    path.write_text(dump_suite({"name": name, "expectations": expectations, "meta": {}}))
    return path


def not_null(column: str = "id", **extra: Any) -> dict[str, Any]:
    return {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": column}, **extra}


def test_repository_suites_load_completely_one_per_demo_table() -> None:
    suites = load_suites(REPO_SUITES)
    assert {suite.table for suite in suites} == DEMO_TABLES
    for suite in suites:
        assert len(suite.expectations) == len(json.loads(suite.path.read_text())["expectations"])
        assert len(suite.build_suite().expectations) == len(suite.expectations)


def test_repository_suites_are_in_canonical_form() -> None:
    """Sorted keys, indent 2, trailing newline: what `dbguard baseline` writes back."""
    for path in sorted(REPO_SUITES.glob("*.json")):
        assert path.read_text(encoding="utf-8") == dump_suite(json.loads(path.read_text())), path


def test_every_repository_suite_holds_both_row_count_bands() -> None:
    for suite in load_suites(REPO_SUITES):
        bands = sorted(
            expectation.meta["dbguard"]["band"]
            for expectation in suite.expectations
            if expectation.managed == "row_count_baseline"
        )
        assert bands == ["critical", "warning"], suite.path


def test_unknown_expectation_type_names_file_and_entry(tmp_path: Path) -> None:
    path = write(
        tmp_path / "orders.json",
        [not_null(), {"type": "expect_colum_values_to_be_unique", "kwargs": {"column": "id"}}],
    )
    with pytest.raises(SuiteError) as raised:
        load_suite_file(path)
    assert str(path) in raised.value.message
    assert "#2" in raised.value.message
    assert "unknown expectation type 'expect_colum_values_to_be_unique'" in raised.value.message


def test_upper_case_severity_is_an_error_not_a_silent_drop(tmp_path: Path) -> None:
    path = write(tmp_path / "orders.json", [not_null(severity="WARNING")])
    with pytest.raises(SuiteError, match=r"orders\.json: expectation #1 .*WARNING"):
        load_suite_file(path)


def test_misspelt_kwarg_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "orders.json",
        [{"type": "expect_column_values_to_not_be_null", "kwargs": {"colum": "id"}}],
    )
    with pytest.raises(SuiteError) as raised:
        load_suite_file(path)
    assert raised.value.message.endswith(
        "expectation #1 expect_column_values_to_not_be_null[1]: "
        "kwargs.colum: 'colum' is not an argument of this type"
    )
    assert raised.value.hint.startswith('did you mean "column"? its arguments are: column, mostly')


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text('{"name": "orders",\n "expectations": [,]}\n')
    with pytest.raises(SuiteError, match=r"orders\.json: is not valid JSON \(line 2"):
        load_suite_file(path)


def test_parse_collects_every_problem_for_lint(tmp_path: Path) -> None:
    path = write(
        tmp_path / "orders.json",
        [not_null(severity="loud"), not_null(), {"type": "expect_nothing", "kwargs": {}}],
    )
    suite, problems = parse_suite_file(path)
    assert [problem.expectation.split()[0] for problem in problems] == ["#1", "#3"]
    assert suite is not None and [e.index for e in suite.expectations] == [2]


def test_two_suites_for_one_table_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.json", [not_null()], name="orders")
    write(tmp_path / "b.json", [not_null()], name="orders")
    with pytest.raises(SuiteError) as raised:
        load_suites(tmp_path)
    assert "checks table 'orders'" in raised.value.message
    assert "one suite file per table" in raised.value.hint


def test_labels_are_readable_and_unique(tmp_path: Path) -> None:
    path = write(
        tmp_path / "orders.json",
        [not_null("id"), not_null("id", severity="warning"), not_null("total")],
    )
    labels = [expectation.label for expectation in load_suite_file(path).expectations]
    assert labels == [
        "expect_column_values_to_not_be_null[id]",
        "expect_column_values_to_not_be_null[id]#2",
        "expect_column_values_to_not_be_null[total]",
    ]


def test_quality_code_names_no_demo_table() -> None:
    """Only the demo suites (data) know the demo schema; the engine works on any database."""
    sources = [*(PROJECT_ROOT / "dbguard" / "quality").glob("*.py")]
    sources += [
        PROJECT_ROOT / "checks" / name
        for name in (
            "conftest.py",
            "test_expectations.py",
            "test_database_health.py",
            "test_backup_health.py",
        )
    ]
    sources += [PROJECT_ROOT / "dbguard" / "cli" / name for name in ("baseline.py", "lint.py")]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert not [table for table in DEMO_TABLES if table in text], source
