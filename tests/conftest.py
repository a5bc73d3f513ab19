"""Fixtures that build real things: SQLite files under tmp_path, the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbguard.demo.database import build_demo_database


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database built per test session; copy it with `demo_db` before changing it."""
    return build_demo_database(tmp_path_factory.mktemp("demo-template") / "db.sqlite3")


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """A fresh demo database of this test's own, in WAL mode."""
    return build_demo_database(tmp_path / "db.sqlite3")
