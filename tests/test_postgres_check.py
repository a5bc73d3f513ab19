"""`dbguard check` (and `dbguard demo --postgres`) on a real PostgreSQL server: the demo's
suite files, unchanged, catch the same faults at the same severities as on SQLite; a stopped
server is a connection finding, never a traceback; and no run writes a byte.

Each scenario is a copy of the demo database (CREATE DATABASE … TEMPLATE), broken as the
SQLite fault scenarios are (tests/test_quality_faults.py); the runs start together, two at a
time, and are read from the JUnit XML they write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from fault_verdicts import (
    ROW_COUNT,
    assert_15_percent_deleted_is_a_passing_warning,
    assert_40_percent_deleted_is_critical,
    assert_broken_rows_named,
)
from postgres_cluster import PostgresCluster
from quality_runs import DBGUARD, Run, read_junit, run_all

from dbguard.check_run import PROJECT_ROOT

pytestmark = pytest.mark.slow

# The same rows as tests/test_quality_faults.py deletes: the newest PUE rows without a comment,
# with their drill-down items.
NEWEST_UNCOMMENTED = (
    "SELECT id FROM pue_data WHERE id NOT IN (SELECT pue_id FROM pue_comment)"
    " ORDER BY id DESC LIMIT {count}"
)


def delete_pue_rows(share: float) -> str:
    chosen = NEWEST_UNCOMMENTED.format(count=round(240 * share))
    return (
        f"DELETE FROM pue_drill_data WHERE pue_id IN ({chosen});"
        f" DELETE FROM pue_data WHERE id IN ({chosen});"
    )


# PostgreSQL enforces the comment's foreign key: the orphan arrives the way bulk loads bring
# them, with the triggers off (session_replication_role = replica).
BREAK_ROWS = (
    "UPDATE pue_data SET pue = 9.9 WHERE id = 17;"
    " SET session_replication_role = replica;"
    " UPDATE pue_comment SET pue_id = 999 WHERE id = 3;"
    " UPDATE fault_record SET recovery_time = '2020-01-01T00:00:00' WHERE id = 5;"
    " ALTER TABLE huijugugan DROP COLUMN utilization;"
    " DROP TABLE pue_drill_data;"
)
# One scenario logs in over TCP with a password from the environment, as production would.
PASSWORD = "s3cret-Pw-42"
LOGIN = "DO $$ BEGIN CREATE ROLE checker LOGIN PASSWORD '{password}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
SCENARIOS = {
    "deleted_15_percent": delete_pue_rows(0.15),
    "deleted_40_percent": delete_pue_rows(0.40),
    "broken_rows": BREAK_ROWS,
}


def write_config(folder: Path, url: str) -> Path:
    """A dbguard.toml for `url` whose reports and history stay inside `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dbguard.toml"
    path.write_text(
        "[database]\n"
        f"url = {json.dumps(url)}\n"
        "[checks]\n"
        f"expectations_dir = {json.dumps(str(PROJECT_ROOT / 'expectations'))}\n"
        "[reports]\n"
        'dir = "reports"\n'
        'history = "reports/history.sqlite3"\n'
        "[backup]\n"
        'dir = "backups"\n'
    )
    return path


@dataclass(frozen=True)
class PostgresRuns:
    runs: dict[str, Run]
    before: dict[str, dict[str, str]]  # each scenario database's fingerprint before its run
    after: dict[str, dict[str, str]]
    root: Path  # one folder per scenario: dbguard.toml, reports, history

    def __getitem__(self, name: str) -> Run:
        return self.runs[name]


@pytest.fixture(scope="module")
def runs(
    postgres_cluster: PostgresCluster,
    postgres_demo_template: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> PostgresRuns:
    root = tmp_path_factory.mktemp("postgres-checks")
    commands: list[tuple[list[str], Path, Path | None]] = []
    # The clean run is the demo's own: load an empty database, then check it.
    postgres_cluster.drop_database("scenario_demo")
    demo_url = postgres_cluster.create_database("scenario_demo")
    folder = root / "demo"
    write_config(folder, demo_url)
    commands.append(([*DBGUARD, "demo", "--postgres", demo_url], folder, None))
    postgres_cluster.psql(LOGIN.format(password=PASSWORD))
    for name, sql in SCENARIOS.items():
        database = f"scenario_{name}"
        postgres_cluster.drop_database(database)
        url = postgres_cluster.create_database(database, template=postgres_demo_template)
        postgres_cluster.psql(sql, database)
        if name == "deleted_15_percent":
            postgres_cluster.psql(
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO checker", database
            )
            url = postgres_cluster.tcp_url(database, "checker", "${SCENARIO_PASSWORD}")
        folder = root / name
        report = folder / "report.html"
        write_config(folder, url)
        commands.append(
            ([*DBGUARD, "check", "--report", str(report)], folder, report.with_suffix(".xml"))
        )
    # A server that stopped after it was configured: nothing answers at its socket.
    stopped = PostgresCluster().start()
    stopped_url = stopped.create_database("gone")
    stopped.stop()
    folder = root / "stopped"
    write_config(folder, stopped_url)
    commands.append(
        (
            [*DBGUARD, "check", "--report", str(folder / "report.html")],
            folder,
            folder / "report.xml",
        )
    )
    before = {name: postgres_cluster.fingerprint(f"scenario_{name}") for name in SCENARIOS}
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("SCENARIO_PASSWORD", PASSWORD)
        results = run_all(commands)
    after = {name: postgres_cluster.fingerprint(f"scenario_{name}") for name in SCENARIOS}
    demo = results[0]
    junits = sorted((root / "demo" / "reports").glob("quality_*.xml"))
    demo = Run(demo.returncode, demo.stdout, demo.stderr, read_junit(junits[-1]) if junits else [])
    names = ["clean", *SCENARIOS, "stopped"]
    return PostgresRuns(dict(zip(names, [demo, *results[1:]], strict=True)), before, after, root)


def test_the_demo_on_postgres_passes_every_check_on_the_live_target(runs: PostgresRuns) -> None:
    run = runs["clean"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "demo database: postgresql+psycopg://postgres@localhost/scenario_demo" in run.stdout
    mine = run.mine()
    assert len(mine) > 50, run.stdout[-2000:]
    assert [case.name for case in mine if case.outcome in ("failed", "error")] == []
    assert run.not_ok("live") == {}
    targets = {case.properties.get("target") for case in run.cases}
    assert "live" in targets and not targets & {"backup", "restore-drill", "replica"}
    assert not [case.name for case in run.cases if case.name.endswith(("-backup", "-replica"))]
    assert run.by_check("postgres::connections").severity == "ok"
    assert run.by_check("database::size").severity == "ok"


def test_one_skip_says_why_there_are_no_backup_targets(runs: PostgresRuns) -> None:
    skipped = [case for case in runs["clean"].cases if case.outcome == "skipped"]
    backups = {case.name: case.message for case in skipped if case.file == "test_backup_health.py"}
    # The second: no [backup] postgres_dump_dir in this configuration.
    assert list(backups) == [
        "test_backups_of_postgresql_are_not_dbguards",
        "test_newest_dump_is_recent",
    ]
    reason = backups["test_backups_of_postgresql_are_not_dbguards"]
    assert "restore drill" in reason and "pg_dump" in reason and "pgBackRest" in reason
    assert not [case for case in skipped if case.file == "test_replica.py"]
    sqlite_only = [case for case in skipped if case.file == "test_database_health.py"]
    assert {case.name for case in sqlite_only} == {
        "test_integrity",
        "test_foreign_keys",
        "test_journal_mode_is_wal",
        "test_wal_size",
    }
    assert all("does not apply to PostgreSQL" in case.message for case in sqlite_only)


def test_15_percent_deleted_is_a_warning_that_passes(runs: PostgresRuns) -> None:
    run = runs["deleted_15_percent"]
    assert_15_percent_deleted_is_a_passing_warning(run)
    assert run.returncode == 0, run.stdout[-3000:]


def test_the_password_from_the_environment_is_written_nowhere(runs: PostgresRuns) -> None:
    run = runs["deleted_15_percent"]
    assert "postgresql+psycopg://checker:****@127.0.0.1" in run.stdout
    folder = runs.root / "deleted_15_percent"
    written = [path for path in folder.rglob("*") if path.is_file()]
    assert {path.suffix for path in written} >= {".html", ".xml", ".sqlite3"}
    for path in written:
        assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in run.stdout + run.stderr


def test_40_percent_deleted_is_critical_and_named_in_the_output(runs: PostgresRuns) -> None:
    assert_40_percent_deleted_is_critical(runs["deleted_40_percent"])


def test_broken_rows_are_each_caught_and_named_like_on_sqlite(runs: PostgresRuns) -> None:
    """The same verdicts as tests/test_quality_faults.py; SQLite's foreign_key_check does not
    apply (PostgreSQL enforced the key until the triggers were turned off)."""
    assert_broken_rows_named(runs["broken_rows"])


def test_a_stopped_server_is_a_connection_finding_not_a_traceback(runs: PostgresRuns) -> None:
    run = runs["stopped"]
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    output = run.stdout + run.stderr
    assert "Traceback" not in output and "INTERNALERROR" not in output
    assert [case.name for case in run.cases if case.outcome == "error"] == []
    connection = run.by_check("connection")
    assert connection.severity == "warning"  # the first failure; three in a row are critical
    assert "cannot reach" in connection.properties["observed"]
    rows = run.by_check(f"pue_data::{ROW_COUNT}[critical]")
    assert rows.severity == "critical" and "cannot reach" in rows.properties["observed"]
    failed = [case for case in run.cases if case.outcome == "failed"]
    assert failed and all(case.severity == "critical" for case in failed)


def test_check_runs_write_nothing_to_the_database(runs: PostgresRuns) -> None:
    """pg_stat_user_tables' insert/update/delete counters, the table list and every table's
    rows are the same after the check runs as before (test_a_write_changes_the_fingerprint
    shows the fingerprint sees a write)."""
    for name in SCENARIOS:
        assert runs.after[name] == runs.before[name], name
        assert runs.before[name]["tables"]


def test_a_write_changes_the_fingerprint(
    postgres_cluster: PostgresCluster, postgres_demo_template: str
) -> None:
    postgres_cluster.drop_database("fingerprinted")
    postgres_cluster.create_database("fingerprinted", template=postgres_demo_template)
    try:
        before = postgres_cluster.fingerprint("fingerprinted")
        postgres_cluster.psql("UPDATE huijugugan SET status = status WHERE id = 1", "fingerprinted")
        after = postgres_cluster.fingerprint("fingerprinted")
        assert after["counters"] != before["counters"]  # the same bytes, one more update
        assert after["huijugugan"] == before["huijugugan"]
    finally:
        postgres_cluster.drop_database("fingerprinted")
