"""One cause, one problem (dbguard.rules.problems): findings that share a table and a rule across
targets are one problem listing its targets, in the alert, the report's summary and the
monitor's overview; every finding stays in the report's table and the JUnit XML.

The end-to-end test deletes 40 % of a demo table with a backup and a Litestream replica
present, runs a real `dbguard check` with a real receiver behind apprise's json:// URL,
and reads the message, the HTML report, the JUnit XML and `/status/overview` of the monitor
mounted in a real app under uvicorn."""

from __future__ import annotations

import re
import shutil
import sqlite3
import xml.etree.ElementTree as ElementTree
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from alert_receiver import Receiver
from hypothesis import given
from hypothesis import strategies as st
from mounted_app import mounted_app
from replication_support import dbguard, replicating, wait_for, write_config

from dbguard.check_run import PROJECT_ROOT
from dbguard.findings import Finding, Severity, Subject
from dbguard.rules.problems import group_problems
from dbguard.rules.rows import ROW_COUNT_RULE

W, C = Severity.WARNING, Severity.CRITICAL


def finding(check: str, severity: Severity, target: str, *subjects: Subject) -> Finding:
    return Finding(check, severity, "e", "o", target=target, subjects=subjects)


def test_one_table_and_rule_across_targets_is_one_problem_listing_them() -> None:
    rows = Subject("orders", ROW_COUNT_RULE, C)
    problems = group_problems(
        [
            finding("replication::restore", C, "replica", rows),
            finding("orders::expect_table_row_count_to_be_between[critical]", C, "live", rows),
            finding("backup::row_counts_reconcile", C, "backup", rows),
            finding("rows orders", C, "live", rows),
            finding("disk", Severity.OK, "system"),
        ]
    )
    assert len(problems) == 1
    (problem,) = problems
    assert (problem.title, problem.severity) == ("orders: row count", C)
    assert problem.targets == ("live", "backup", "replica")
    assert problem.findings[0].target == "live"  # the live database's finding leads
    assert len(problem.findings) == 4


def test_a_finding_about_two_tables_joins_both_at_each_tables_own_severity() -> None:
    reconcile = finding(
        "backup::row_counts_reconcile",
        C,
        "backup",
        Subject("orders", ROW_COUNT_RULE, C),
        Subject("notes", ROW_COUNT_RULE, W),
    )
    problems = group_problems([reconcile, finding("rows notes", W, "live", reconcile.subjects[1])])
    assert [(p.title, p.severity, p.targets) for p in problems] == [
        ("orders: row count", C, ("backup",)),
        ("notes: row count", W, ("live", "backup")),
    ]


def test_findings_about_no_table_group_by_their_check_across_targets() -> None:
    problems = group_problems(
        [
            finding("database::integrity", C, "live"),
            finding("database::integrity", C, "backup"),
            finding("backup::age", W, "backup"),
        ]
    )
    assert [(p.title, p.targets) for p in problems] == [
        ("database::integrity", ("live", "backup")),
        ("backup::age", ("backup",)),
    ]


subjects = st.builds(
    Subject, st.sampled_from(["a", "b", "c"]), st.sampled_from([ROW_COUNT_RULE, "r"]),
    st.sampled_from([W, C]),
)  # fmt: skip
findings = st.builds(
    lambda check, severity, target, about: Finding(
        check, severity, "", "", target=target, subjects=tuple(about)
    ),
    st.sampled_from(["x", "y"]),
    st.sampled_from(list(Severity)),
    st.sampled_from(["live", "backup", "replica", "system"]),
    st.lists(subjects, max_size=3),
)


@given(st.lists(findings, max_size=12))
def test_every_problem_finding_is_in_a_problem_and_nothing_else_is(found: list[Finding]) -> None:
    problems = group_problems(found)
    grouped = {id(f) for problem in problems for f in problem.findings}
    assert grouped == {id(f) for f in found if f.severity in (W, C)}
    for problem in problems:
        assert len({id(f) for f in problem.findings}) == len(problem.findings)  # each once
        assert problem.targets == tuple(dict.fromkeys(problem.targets))
        assert {f.target for f in problem.findings} >= set(problem.targets)
    assert [p.severity.rank for p in problems] == sorted(
        (p.severity.rank for p in problems), reverse=True
    )


@pytest.mark.slow
def test_a_40_percent_delete_is_one_problem_with_its_targets_not_seven(
    tmp_path: Path, demo_db_template: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(demo_db_template, db)
    config = write_config(tmp_path, db, expectations=PROJECT_ROOT / "expectations")
    with Receiver() as receiver, replicating(config, db):
        environment = {"DBGUARD_ALERT_URLS": receiver.url}
        assert dbguard(config, "backup", "create").returncode == 0
        first = dbguard(config, "check", environment={**_environ(), **environment})
        assert first.returncode == 0, first.stdout[-3000:]
        with closing(sqlite3.connect(db)) as connection, connection:
            connection.execute("DELETE FROM fault_record WHERE id % 5 IN (0, 1)")  # 40 %
        wait_for(lambda: _replica_lag(config) == 0.0, "the delete to reach the replica")

        check = dbguard(config, "check", environment={**_environ(), **environment})
        assert check.returncode == 1

        (message,) = receiver.messages()
        assert "1 problem(s):" in message, message
        assert "- CRITICAL fault_record: row count (live, backup, replica)" in message
        assert "action: audit recent writes" in message
        assert "the replica holds bad data too" in message  # each distinct action once

    report = Path(re.search(r"^report: (.+)$", check.stdout, re.M).group(1))  # type: ignore[union-attr]
    html = report.read_text()
    problem_list = html[html.index('class="dbguard-problems"') :]
    items = re.findall(r"<li>(.*?)</li>", problem_list[: problem_list.index("</ul>")], re.S)
    assert len(items) == 1 and "fault_record: row count [live, backup, replica]" in items[0]
    # Every finding stays in the detail table and the JUnit XML.
    junit = ElementTree.parse(report.with_suffix(".xml"))
    problems = [
        case.get("name")
        for case in junit.iter("testcase")
        for prop in case.iter("property")
        if prop.get("name") == "severity" and prop.get("value") in ("warning", "critical")
    ]
    assert len(problems) >= 7, problems
    for name in problems:
        assert name is not None and name.split("[")[0] in html

    with mounted_app(tmp_path, config) as app:
        overview = httpx.get(f"{app.url}/tools/monitor/status/overview", timeout=30).json()
    last = overview["last_check"]
    assert [(p["title"], p["targets"]) for p in last["problems"]] == [
        ("fault_record: row count", ["live", "backup", "replica"])
    ]
    assert len(last["findings"]) >= 7


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("DBGUARD_")}


def _replica_lag(config: Path) -> float | None:
    import json

    status = dbguard(config, "replica", "status", "--json")
    return json.loads(status.stdout).get("lag_seconds") if status.stdout else None
