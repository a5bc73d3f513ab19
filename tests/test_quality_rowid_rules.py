"""The demo suites' id-uniqueness and drill-down-sum rules, written as plain SQL that scales,
still catch what they are for: a duplicated id (possible only where id is no rowid alias) and
drill-down items that do not add up to their PUE row's total."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbguard.check_run import PROJECT_ROOT
from dbguard.findings import Severity
from dbguard.quality.queries import batch_sql
from dbguard.quality.suites import SuiteFile, load_suites
from dbguard.quality.validate import SuiteValidator

ID_RULE = "unexpected_rows_expectation[id_is_unique]"
SUM_RULE = "unexpected_rows_expectation[drill_sums_to_pue_total]"
# The drill-down-sum rule as first written (join, then group): the reference for the rewrite.
JOIN_FIRST_SUM = (
    "SELECT drill.pue_id, SUM(drill.energy_kwh) AS drill_total_kwh, pue.total_energy_kwh "
    "FROM {batch} AS drill JOIN pue_data AS pue ON pue.id = drill.pue_id "
    "GROUP BY drill.pue_id, pue.total_energy_kwh "
    "HAVING abs(SUM(drill.energy_kwh) - pue.total_energy_kwh) > 0.5"
)


@pytest.fixture(scope="module")
def repo_suites() -> dict[str, SuiteFile]:
    return {suite.table: suite for suite in load_suites(PROJECT_ROOT / "expectations")}


def rule_query(suite: SuiteFile, label: str) -> str:
    (expectation,) = [e for e in suite.expectations if e.label == label]
    return str(expectation.kwargs["unexpected_rows_query"])


def test_every_demo_suite_checks_id_uniqueness_critically(
    repo_suites: dict[str, SuiteFile],
) -> None:
    assert len(repo_suites) == 5
    for suite in repo_suites.values():
        (rule,) = [e for e in suite.expectations if e.label == ID_RULE]
        assert rule.severity == "critical", suite.name
        assert rule.meta["remediation"].startswith("find the duplicated ids"), suite.name


def test_duplicate_id_in_a_table_without_primary_key_is_caught_and_named(
    demo_db: Path, repo_suites: dict[str, SuiteFile]
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.executescript(
            """
            ALTER TABLE pue_drill_data RENAME TO keyed;
            CREATE TABLE pue_drill_data (
                id INTEGER, pue_id INTEGER, item_code TEXT, category TEXT, energy_kwh REAL
            );
            INSERT INTO pue_drill_data SELECT * FROM keyed;
            DROP TABLE keyed;
            INSERT INTO pue_drill_data SELECT id, pue_id, item_code, category, 0.0
                FROM pue_drill_data WHERE id = 5;
            """
        )
    outcomes = {
        outcome.label: outcome
        for outcome in SuiteValidator().validate(demo_db, repo_suites["pue_drill_data"])
    }
    duplicated = outcomes[ID_RULE]
    assert duplicated.severity is Severity.CRITICAL
    assert duplicated.observed == "1 unexpected row"
    assert "id=5, copies=2" in duplicated.details
    others = [outcome for label, outcome in outcomes.items() if label != ID_RULE]
    assert others and all(outcome.severity is Severity.OK for outcome in others), others


def test_aggregate_first_drill_sum_finds_the_same_rows_as_join_first(
    demo_db: Path, repo_suites: dict[str, SuiteFile]
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.executescript(
            """
            UPDATE pue_drill_data SET energy_kwh = energy_kwh + 10 WHERE id = 3;
            UPDATE pue_drill_data SET energy_kwh = energy_kwh - 0.4 WHERE id = 70;
            DELETE FROM pue_drill_data WHERE id = (SELECT MIN(id) FROM pue_drill_data
                                                   WHERE pue_id = 9);
            INSERT INTO pue_drill_data (pue_id, item_code, category, energy_kwh)
                VALUES (12, 'IT-999', 'it', 3.0), (99999, 'IT-999', 'it', 3.0);
            """
        )
        rewritten = rule_query(repo_suites["pue_drill_data"], SUM_RULE)
        assert rewritten != JOIN_FIRST_SUM
        found = {
            query: sorted(connection.execute(batch_sql(query, "pue_drill_data")).fetchall())
            for query in (rewritten, JOIN_FIRST_SUM)
        }
    assert [row[0] for row in found[rewritten]] == [1, 9, 12]
    assert found[rewritten] == found[JOIN_FIRST_SUM]
