"""One table filter: every list of tables dbguard makes goes through
`dbguard.database.is_ignored_table` with `[checks] ignore_tables` passed down. Read from the
source: a module that starts listing tables itself (sqlite_master, information_schema), or
matching table names with globs of its own, or relying on the default globs, fails here and
is pointed at the one filter."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    *sorted((ROOT / "dbguard").rglob("*.py")),
    *sorted((ROOT / "backup").glob("*.py")),
    *sorted((ROOT / "checks").glob("*.py")),
    ROOT / "conftest.py",
]

# Reads of the schema tables that are not lists of tables, each with why.
SCHEMA_READS = {
    "dbguard/database.py": "user_tables: the SQLite table list, through is_ignored_table",
    "dbguard/postgres/readings.py": "user_tables: the PostgreSQL table list, the same filter",
    "dbguard/health/connection.py": "a probe that the file opens (COUNT(*) of sqlite_master)",
    "dbguard/config/sections.py": "the default latency query (a COUNT(*), not a list)",
    "dbguard/init_template.py": "the same default latency query, in `dbguard init`'s dbguard.toml",
    "dbguard/history/store.py": "the history file's own schema",
    "backup/journals.py": "a probe that rolls back a hot journal",
    "backup/snapshot.py": "probes that start the read snapshot; the list is user_tables",
    "dbguard/incident/tables.py": "a table's CREATE statement in a point (table_sql), not a list",
    "dbguard/incident/repair_apply.py": "a dropped table's indexes, re-created as the point had them",
}
# Glob matching of names other than tables.
GLOBS = {
    "dbguard/database.py": "is_ignored_table itself",
    "backup/archive.py": "file names left out of the project archive ([archive] exclude)",
}
# The default globs: the configuration's default, and the filter that always applies them.
DEFAULTS = {"dbguard/database.py", "dbguard/config/sections.py"}


def files_matching(pattern: str) -> set[str]:
    found = re.compile(pattern)
    return {
        str(path.relative_to(ROOT))
        for path in SOURCES
        if found.search(path.read_text(encoding="utf-8"))
    }


def test_only_the_table_list_functions_read_the_schema_tables() -> None:
    reads = files_matching(r"sqlite_master|sqlite_schema|information_schema\.tables|pg_tables")
    assert reads <= set(SCHEMA_READS), (
        "list tables with dbguard.database.user_tables (or a Catalog's tables()), which apply "
        f"[checks] ignore_tables: {sorted(reads - set(SCHEMA_READS))}"
    )


def test_only_the_one_filter_matches_names_with_globs() -> None:
    assert files_matching(r"\bfnmatch") <= set(GLOBS)


def test_no_consumer_falls_back_to_the_default_globs() -> None:
    users = files_matching(r"DEFAULT_IGNORED_TABLES|ALWAYS_IGNORED_TABLES")
    assert users <= DEFAULTS, "pass config.checks.ignore_tables down instead"
