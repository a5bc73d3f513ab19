"""The endpoints' Snapshot cache, given a stamp of its source file: a change to that file
(a run recorded in the history) is served at once, however long `cache_seconds` is."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from dbguard.watch.changes import sqlite_stamp
from dbguard.web.cache import Snapshot


def _rows(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM runs").fetchone()[0])
    finally:
        connection.close()


def _insert(path: Path) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("INSERT INTO runs VALUES (1)")
    finally:
        connection.close()


def test_a_change_to_the_source_is_served_at_once_and_an_unchanged_one_is_reused(
    tmp_path: Path,
) -> None:
    history = tmp_path / "history.sqlite3"
    setup = sqlite3.connect(history, isolation_level=None)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE runs (id INTEGER)")
    setup.close()
    computed: list[int] = []

    async def compute() -> int:
        computed.append(_rows(history))
        return computed[-1]

    async def scenario() -> list[int]:
        snapshot = Snapshot(compute, 60.0, lambda: sqlite_stamp(history))
        seen = [(await snapshot.get())[0], (await snapshot.get())[0]]
        _insert(history)
        seen += [(await snapshot.get())[0], (await snapshot.get())[0]]
        return seen

    assert asyncio.run(scenario()) == [0, 0, 1, 1]
    assert computed == [0, 1]  # unchanged: reused; changed: computed once more


def test_without_a_stamp_a_result_is_reused_for_its_age(tmp_path: Path) -> None:
    calls: list[int] = []

    async def compute() -> int:
        calls.append(len(calls))
        return calls[-1]

    async def scenario() -> list[int]:
        snapshot = Snapshot(compute, 60.0)
        return [(await snapshot.get())[0] for _ in range(3)]

    assert asyncio.run(scenario()) == [0, 0, 0]
