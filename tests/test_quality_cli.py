"""`dbguard check`, `lint` and `baseline` through the real console script, on real files.

Malformed suites stop `dbguard check` with one line naming the file (exit 2)
and make `dbguard lint` list the problem (exit 1). A database of another
schema works after one `dbguard baseline`. Runs start together, two at a time.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from quality_runs import DBGUARD, Run, read_junit, run_all, run_one, write_config

from backup.snapshot import create_backup
from dbguard.check_run import CHECKS_DIR, PROJECT_ROOT

pytestmark = pytest.mark.slow

ROW_COUNT = "expect_table_row_count_to_be_between"


def edit_entry(folder: Path, table: str, index: int, **changes: object) -> None:
    path = folder / "expectations" / f"{table}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    entry = document["expectations"][index - 1]
    for key, value in changes.items():
        if key == "column":
            entry["kwargs"]["column"] = value
        else:
            entry[key] = value
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def truncate(folder: Path, table: str) -> None:
    path = folder / "expectations" / f"{table}.json"
    path.write_text(path.read_text(encoding="utf-8")[:300], encoding="utf-8")


MALFORMED = {
    "bad_json": lambda folder: truncate(folder, "huijugugan"),
    "unknown_type": lambda folder: edit_entry(
        folder, "pue_comment", 3, type="expect_column_values_to_be_nul"
    ),
    "upper_case_severity": lambda folder: edit_entry(folder, "fault_record", 4, severity="WARNING"),
}
NAMED_FILE = {
    "bad_json": "huijugugan.json",
    "unknown_type": "pue_comment.json",
    "upper_case_severity": "fault_record.json",
}


def demo_folder(root: Path, name: str, template: Path) -> Path:
    folder = root / name
    folder.mkdir()
    shutil.copytree(PROJECT_ROOT / "expectations", folder / "expectations")
    shutil.copyfile(template, folder / "db.sqlite3")
    write_config(folder, folder / "expectations")
    return folder


def build_shop_database(path: Path) -> None:
    """A schema dbguard has never seen: two tables, no demo names anywhere."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        connection.execute(
            "CREATE TABLE orders (order_no INTEGER PRIMARY KEY, "
            "customer_id INTEGER REFERENCES customers (id), total REAL)"
        )
        connection.executemany(
            "INSERT INTO customers (name) VALUES (?)", [(f"c{i}",) for i in range(12)]
        )
        connection.executemany(
            "INSERT INTO orders (customer_id, total) VALUES (?, ?)",
            [(1 + i % 12, 10.0 + i) for i in range(150)],
        )
    connection.close()


@pytest.fixture(scope="module")
def cli_runs(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    root = tmp_path_factory.mktemp("quality-cli")
    commands: dict[str, tuple[list[str], Path, Path | None]] = {}
    for name, breaks in MALFORMED.items():
        folder = demo_folder(root, name, demo_db_template)
        breaks(folder)
        commands[f"check-{name}"] = ([*DBGUARD, "check"], folder, None)
        if name == "bad_json":
            command = [sys.executable, "-m", "pytest", str(CHECKS_DIR), "-p", "no:cacheprovider"]
            commands["pytest-bad_json"] = (
                [*command, "--dbguard-config", "dbguard.toml"],
                folder,
                None,
            )
    # One lint run over every kind of problem at once: it must list them all.
    folder = demo_folder(root, "all_problems", demo_db_template)
    for breaks in MALFORMED.values():
        breaks(folder)
    edit_entry(folder, "pue_data", 9, column="pue_ratio")  # expect_column_values_to_be_between[pue]
    commands["lint-all_problems"] = ([*DBGUARD, "lint"], folder, None)
    folder = demo_folder(root, "missing_column", demo_db_template)
    edit_entry(folder, "pue_data", 9, column="pue_ratio")
    create_backup(folder / "db.sqlite3", folder / "backups")  # a good backup: the drill runs
    commands["check-missing_column"] = (
        [*DBGUARD, "check", "--report", str(folder / "report.html")],
        folder,
        folder / "report.xml",
    )
    clean = demo_folder(root, "clean", demo_db_template)
    commands["lint-clean"] = ([*DBGUARD, "lint"], clean, None)
    shop = root / "shop"
    shop.mkdir()
    build_shop_database(shop / "db.sqlite3")
    write_config(shop, shop / "expectations")
    commands["baseline-shop"] = ([*DBGUARD, "baseline"], shop, None)
    results = dict(zip(commands, run_all(list(commands.values())), strict=True))

    # Then the shop loses 30 % of its orders and is checked with the suites baseline wrote.
    with sqlite3.connect(shop / "db.sqlite3") as connection:
        connection.execute("DELETE FROM orders WHERE order_no > 105")
    connection.close()
    later = {
        "check-shop": ([*DBGUARD, "check", "--report", str(shop / "report.html")], shop, None),
        "lint-shop": ([*DBGUARD, "lint"], shop, None),
    }
    results.update(zip(later, run_all(list(later.values())), strict=True))
    results["baseline-shop-refused"] = run_one([*DBGUARD, "baseline"], shop, None)
    results["baseline-shop-accepted"] = run_one([*DBGUARD, "baseline", "--accept"], shop, None)
    return results


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_suite_stops_check_with_one_line_naming_the_file(
    cli_runs: dict[str, Run], name: str
) -> None:
    run = cli_runs[f"check-{name}"]
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbguard: error: "), run.stderr
    assert NAMED_FILE[name] in lines[0]
    assert "Traceback" not in run.stdout + run.stderr


def test_pytest_checks_directly_stops_with_a_usage_error_naming_the_file(
    cli_runs: dict[str, Run],
) -> None:
    run = cli_runs["pytest-bad_json"]
    assert run.returncode == 4  # pytest.ExitCode.USAGE_ERROR
    assert "ERROR: dbguard: " in run.stderr
    assert "huijugugan.json: is not valid JSON" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_lint_lists_every_problem_with_a_fix_and_exits_1(cli_runs: dict[str, Run]) -> None:
    run = cli_runs["lint-all_problems"]
    assert run.returncode == 1, run.stdout + run.stderr
    problems = [line for line in run.stdout.splitlines() if not line.startswith("    fix: ")]
    fixes = [line for line in run.stdout.splitlines() if line.startswith("    fix: ")]
    assert len(problems) == len(fixes) == 4, run.stdout
    assert "huijugugan.json: is not valid JSON" in run.stdout
    assert (
        "pue_comment.json: expectation #3 expect_column_values_to_be_nul[id]: "
        "unknown expectation type 'expect_column_values_to_be_nul'"
    ) in run.stdout
    assert "fault_record.json: expectation #4 " in run.stdout and "'WARNING'" in run.stdout
    assert "4 problem(s)" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert (
        "pue_data.json: expectation #9 expect_column_values_to_be_between[pue_ratio]: "
        "column 'pue_ratio' is not in table 'pue_data'"
    ) in run.stdout
    assert "fix: use one of: id, site, month" in run.stdout


def test_check_reports_a_missing_column_as_critical_naming_suite_and_entry(
    cli_runs: dict[str, Run],
) -> None:
    """The same symptom as a column dropped in production: a critical finding, not a usage error."""
    run = cli_runs["check-missing_column"]
    assert run.returncode == 1
    assert "[CRITICAL] pue_data::expect_column_values_to_be_between[pue_ratio]" in run.stdout
    assert "pue_data.json expectation #9 could not run" in run.stdout
    assert "Traceback" not in run.stderr


def test_a_suite_naming_a_missing_column_does_not_send_the_drill_to_an_older_backup(
    cli_runs: dict[str, Run],
) -> None:
    """The backup is fine; the suite names a column no copy has: fix the suite, keep backups."""
    run = cli_runs["check-missing_column"]
    cases = run.cases  # read from the run's JUnit XML
    mismatch = "the suite names column 'pue_ratio', which table 'pue_data' lacks"
    (typo,) = [
        case
        for case in cases
        if case.check == "pue_data::expect_column_values_to_be_between[pue_ratio]"
        and case.properties.get("target") == "backup"
    ]
    assert typo.properties["observed"] == f"errored: {mismatch}"
    (drill,) = [case for case in cases if case.check == "backup::restore_drill"]
    assert drill.severity == "critical"
    remediation = drill.properties["remediation"]
    assert "restore an older" not in remediation
    assert remediation.startswith(
        f"1 expectation(s) name tables or columns the backup lacks ({mismatch})"
    )
    assert "fix the suite (`dbguard lint` shows where)" in remediation


def test_lint_passes_the_repository_suites(cli_runs: dict[str, Run]) -> None:
    run = cli_runs["lint-clean"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no problems" in run.stdout


def test_baseline_creates_suites_for_a_database_of_another_schema(
    cli_runs: dict[str, Run], tmp_path_factory: pytest.TempPathFactory
) -> None:
    run = cli_runs["baseline-shop"]
    assert run.returncode == 0, run.stderr
    assert [line.split()[:4] for line in run.stdout.splitlines()[1:3]] == [
        ["customers", "-", "12", "new"],
        ["orders", "-", "150", "new"],
    ]
    assert cli_runs["lint-shop"].returncode == 0, cli_runs["lint-shop"].stdout


def test_check_on_another_schema_catches_lost_rows(cli_runs: dict[str, Run]) -> None:
    run = cli_runs["check-shop"]
    assert run.returncode == 1
    junit = next(
        Path(line.split()[-1]) for line in run.stdout.splitlines() if line.startswith("junit:")
    )
    cases = {c.check: c for c in read_junit(junit) if c.properties.get("target") == "live"}
    assert cases[f"orders::{ROW_COUNT}[critical]"].severity == "critical"
    assert cases[f"orders::{ROW_COUNT}[critical]"].properties["observed"] == "105"
    assert cases[f"customers::{ROW_COUNT}[warning]"].severity == "ok"
    assert cases["database::integrity"].severity == "ok"


def test_baseline_refuses_after_a_critical_run_unless_accepted(cli_runs: dict[str, Run]) -> None:
    refused = cli_runs["baseline-shop-refused"]
    assert refused.returncode == 2
    assert refused.stderr.startswith("dbguard: error: the last check run of ")
    assert "--accept" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    accepted = cli_runs["baseline-shop-accepted"]
    assert accepted.returncode == 0, accepted.stderr
    orders = next(line for line in accepted.stdout.splitlines() if line.startswith("orders"))
    assert orders.split()[1:4] == ["150", "105", "-30.0%"]


def test_pytest_checks_from_another_folder_uses_the_projects_config(
    demo_db_template: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(PROJECT_ROOT / name, project / name)
    for name in ("checks", "expectations"):
        shutil.copytree(
            PROJECT_ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    (project / "dbguard.toml").write_text(
        f'[database]\npath = "{demo_db_template}"\n[reports]\ndir = "reports"\n'
        'history = "reports/history.sqlite3"\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pytest_command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    completed = run_one(
        [*pytest_command, str(project / "checks"), "-k", "every_table_has_a_suite"],
        cwd=elsewhere,
        junit=None,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 passed" in completed.stdout
    assert "no suite for" not in completed.stdout  # the project's expectations/ were found
    assert (project / "reports" / "history.sqlite3").is_file()
    assert not (elsewhere / "reports").exists()
