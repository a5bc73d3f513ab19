"""Iterating on a suite: `dbguard check --only expectations[:TABLE]` runs the suites alone (the
exit code is theirs, nothing goes to the history), `--json` prints every finding, and lint
names the entry and the field of a wrong argument, in plain words. Real console scripts on
copies of the demo database."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import click
import pytest
from quality_runs import DBGUARD, Run, run_all, write_config

from dbguard.check_run import PROJECT_ROOT
from dbguard.quality.suites import parse_suite_file

FIELDS = {"check", "target", "severity", "expected", "observed", "remediation"}


def project(root: Path, name: str, template: Path) -> Path:
    folder = root / name
    folder.mkdir()
    shutil.copytree(PROJECT_ROOT / "expectations", folder / "expectations")
    shutil.copyfile(template, folder / "db.sqlite3")
    write_config(folder, folder / "expectations")
    return folder


@pytest.fixture(scope="module")
def runs(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """A clean demo without any backup (a whole check is critical for that alone), and one
    whose pue_data has a broken row."""
    root = tmp_path_factory.mktemp("check-only")
    clean = project(root, "clean", demo_db_template)
    broken = project(root, "broken", demo_db_template)
    with sqlite3.connect(broken / "db.sqlite3") as connection:
        connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 17")
    connection.close()
    commands = {
        "whole": ([*DBGUARD, "check", "--json"], clean, None),
        "suites": ([*DBGUARD, "check", "--only", "expectations"], clean, None),
        "broken-table": (
            [*DBGUARD, "check", "--only", "expectations:pue_data", "--json"],
            broken,
            None,
        ),
        "other-table": ([*DBGUARD, "check", "--only", "expectations:fault_record"], broken, None),
        "unknown-table": ([*DBGUARD, "check", "--only", "expectations:pue"], clean, None),
        "unknown-scope": ([*DBGUARD, "check", "--only", "backups"], clean, None),
    }
    results = dict(zip(commands, run_all(list(commands.values())), strict=True))
    results["clean-folder"] = Run(0, "\n".join(sorted(p.name for p in clean.iterdir())), "", [])
    return results


def test_only_expectations_exits_on_the_suites_alone(runs: dict[str, Run]) -> None:
    whole, suites = runs["whole"], runs["suites"]
    assert whole.returncode == 1  # no backup: critical, whatever the suites say
    assert suites.returncode == 0, suites.stdout + suites.stderr
    assert "0 critical, 0 warning" in suites.stdout
    assert "backup" not in suites.stdout.split("dbguard status:")[1]
    assert runs["other-table"].returncode == 0, runs["other-table"].stdout


def test_only_one_table_runs_its_suite_on_the_live_database_and_fails_with_it(
    runs: dict[str, Run],
) -> None:
    run = runs["broken-table"]
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    assert document["scope"] == "expectations:pue_data"
    assert document["status"] == "critical" and document["exit_code"] == 1
    findings = document["findings"]
    suite, _ = parse_suite_file(PROJECT_ROOT / "expectations" / "pue_data.json")
    assert suite is not None
    assert len(findings) == len(suite.expectations)
    assert {finding["target"] for finding in findings} == {"live"}
    assert all(finding["check"].startswith("pue_data::") for finding in findings)
    critical = {f["check"]: f for f in findings if f["severity"] == "critical"}
    between = critical["pue_data::expect_column_values_to_be_between[pue]"]
    assert between["observed"] == "1 of 240 values unexpected"
    assert "id=17" in between["details"]
    assert between["remediation"]


def test_a_partial_run_leaves_no_history_and_no_latest_report(runs: dict[str, Run]) -> None:
    # "whole" ran in the same folder and wrote both: the partial runs must not have either
    # way; the broken folder saw partial runs only.
    assert "reports" in runs["clean-folder"].stdout
    broken = json.loads(runs["broken-table"].stdout)
    assert broken["report"] is None
    folder = Path(broken["database"]).parent
    assert not (folder / "reports").exists()


def test_json_prints_every_finding_of_a_whole_run_with_its_fields(runs: dict[str, Run]) -> None:
    run = runs["whole"]
    document = json.loads(run.stdout)  # stdout holds the document alone
    assert document["scope"] == "all"
    assert document["status"] == "critical" and document["exit_code"] == run.returncode
    findings = document["findings"]
    assert all(set(finding) >= FIELDS for finding in findings)
    targets = {finding["target"] for finding in findings}
    assert {"live", "backup", "system"} <= targets
    assert any(f["check"] == "backup::latest_age" and f["severity"] == "critical" for f in findings)
    assert "passed" in run.stderr  # pytest's own lines went to stderr


@pytest.mark.parametrize("name", ["unknown-table", "unknown-scope"])
def test_a_wrong_only_is_one_line_and_exit_2(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbguard: error: --only")
    assert "expectations:" in lines[0]
    assert "Traceback" not in run.stderr


def lint_messages(tmp_path: Path, entry: dict[str, object]) -> list[tuple[str, str]]:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"name": "t", "expectations": [entry]}))
    _, problems = parse_suite_file(path)
    return [(problem.one_line(), problem.fix) for problem in problems]


@pytest.mark.parametrize(
    ("kwargs", "field", "fix"),
    [
        (
            {"column": "pue", "min_value": "abc", "max_value": 3},
            'kwargs.min_value: "abc" is not valid',
            'use a number or a date, e.g. "2026-01-31" or a datetime',
        ),
        (
            {"column": "pue", "min_value": 1, "mostly": 2},
            "kwargs.mostly: 2 is out of range",
            "use a number at most 1.0",
        ),
        (
            {"column": 5, "min_value": 1},
            "kwargs.column: 5 is not valid",
            'use a string, e.g. "reading"',
        ),
        (
            {"colum": "pue", "min_value": 1},
            "kwargs.colum: 'colum' is not an argument of this type",
            'did you mean "column"? its arguments are: column, mostly',
        ),
        ({"min_value": 1}, "kwargs.column: is required but missing", 'add "column"'),
    ],
)
def test_lint_names_the_entry_and_field_and_what_is_valid_without_pydantic_noise(
    tmp_path: Path, kwargs: dict[str, object], field: str, fix: str
) -> None:
    entry = {"type": "expect_column_values_to_be_between", "kwargs": kwargs}
    messages = lint_messages(tmp_path, entry)
    line, advice = messages[0]
    assert "expectation #1 expect_column_values_to_be_between[" in line
    assert field in line
    assert advice.startswith(fix)
    for text in (line, advice):
        assert "validation error" not in text and "type_error" not in text
        assert "not a valid dict" not in text


def test_lint_lists_each_wrong_field_of_an_entry(tmp_path: Path) -> None:
    entry = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "pue", "min_value": "abc", "max_value": 3, "mostly": 2},
    }
    lines = [line for line, _ in lint_messages(tmp_path, entry)]
    assert len(lines) == 2
    assert any("kwargs.min_value" in line for line in lines)
    assert any("kwargs.mostly" in line for line in lines)


def test_lint_says_what_a_valid_severity_looks_like(tmp_path: Path) -> None:
    entry = {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "pue"},
        "severity": "WARNING",
    }
    ((line, advice),) = lint_messages(tmp_path, entry)
    assert line.endswith("severity: 'WARNING' is not valid")
    assert advice == 'use "critical", "warning" or "info", in lower case'


def test_a_watcher_runs_the_same_only_and_json_options() -> None:
    from dbguard.cli.warm_check import check_argv

    context = click.Context(click.Command("check"), obj={"config_path": "/p/dbguard.toml"})
    options = {"db": None, "report": None, "strict": False, "only": "expectations:t", "json": True}
    assert check_argv(context, options) == [
        "--config",
        "/p/dbguard.toml",
        "check",
        "--cold",
        "--only",
        "expectations:t",
        "--json",
    ]
