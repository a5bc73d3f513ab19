"""`dbguard lint` warns about what will not port between SQLite, PostgreSQL and Spark: an
engine-only SQL function, Python's named regex groups (Java rejects them), a string compared
with a number (Spark 4's ANSI mode refuses it). Read on a real SQLite demo copy: the warnings
come whichever engine the suite runs on today, and the demo's own suites have none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from quality_runs import write_config

from dbguard.check_run import PROJECT_ROOT
from dbguard.config import load_config
from dbguard.quality.lint import lint_suites
from dbguard.quality.portability import column_kind, query_portability
from dbguard.quality.suites import Expectation


def entry(kind: str, **kwargs: Any) -> Expectation:
    return Expectation(0, kind, {"type": kind, "kwargs": kwargs})


def test_engine_only_functions_are_named_with_their_engine() -> None:
    found = query_portability(
        "SELECT id FROM {batch} WHERE julianday(recovery_time) < julianday(start_time)"
        " AND jsonb_typeof(x) = 'a' AND name GLOB 'x*' AND note = 'strftime(no)'"
    )
    messages = [item.message for item in found]
    assert len(messages) == 3, messages
    assert "julianday(), which only SQLite has" in messages[0]
    assert "jsonb_typeof(), which only PostgreSQL has" in messages[1]
    assert "GLOB" in messages[2]
    assert query_portability("SELECT id FROM {batch} WHERE abs(pue - 1) > 2") == []


def test_column_kinds_in_every_engines_words() -> None:
    for declared, kind in [
        ("INTEGER", "number"),
        ("REAL", "number"),
        ("double precision", "number"),
        ("bigint", "number"),
        ("decimal(10,2)", "number"),
        ("TEXT", "text"),
        ("character varying", "text"),
        ("string", "text"),
        ("timestamp", "other"),
    ]:
        assert column_kind(declared) == kind, declared


def test_lint_warns_about_what_will_not_port(demo_db_template: Path, tmp_path: Path) -> None:
    suites = Path(shutil.copytree(PROJECT_ROOT / "expectations", tmp_path / "expectations"))
    path = suites / "fault_record.json"
    document = json.loads(path.read_text())
    document["expectations"] += [
        {
            "type": "unexpected_rows_expectation",
            "kwargs": {
                "unexpected_rows_query": "SELECT id FROM {batch}"
                " WHERE julianday(recovery_time) - julianday(start_time) > 30"
            },
            "meta": {"dbguard": {"id": "long_outages"}},
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "start_time", "regex": r"^(?P<year>\d{4})-"},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "id", "min_value": "1", "max_value": 100000},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "status", "value_set": ["open", 1]},
        },
    ]
    path.write_text(json.dumps(document, indent=2))
    config = load_config(write_config(tmp_path, suites))
    config = config.with_database(str(demo_db_template))
    problems = lint_suites(config)
    assert all(problem.warning for problem in problems), [p.one_line() for p in problems]
    lines = [problem.one_line() for problem in problems]
    assert len(lines) == 4, lines
    assert "julianday(), which only SQLite has" in lines[0]
    assert "(?P<name>…), which Java's regex engine (Spark) rejects" in lines[1]
    assert "number column 'id' with '1'" in lines[2]
    assert "text column 'status' with 1" in lines[3]
    # The demo's own suites port as they are.
    assert all(problem.path == path for problem in problems)
