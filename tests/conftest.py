"""Fixtures that build real things: SQLite files under tmp_path, the demo database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from postgres_cluster import PostgresCluster, unavailable_reason
from spark_support import MASTER, SPARK_GROUP
from spark_support import unavailable_reason as spark_unavailable_reason
from xdist.scheduler import LoadFileScheduling

from dbguard.demo.database import build_demo_database

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class SparkFilesTogether(LoadFileScheduling):
    """`--dist loadfile`, except that every tests/test_spark_*.py file is one unit of work:
    the Spark tests share one worker, so one JVM and one session start. (Their
    `xdist_group("spark")` mark says the same to `--dist loadgroup`, which pytest 9.2 broke:
    pytest-xdist issue 1386.)"""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(super()._split_scope(nodeid))


def work_unit(path: str) -> str:
    """The file of a test, or SPARK_GROUP for every tests/test_spark_*.py file."""
    return SPARK_GROUP if Path(path).name.startswith("test_spark_") else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") == "loadfile":
        # Units in collection order (longest first, below), not xdist's most-tests-first:
        # a slow file of one or two tests handed out last is the whole run's tail.
        config.option.loadscopereorder = False
        return SparkFilesTogether(config, log)
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long units first: the Spark files (one JVM, minutes), then the files with the most
    tests marked slow; each file's tests keep their order. Short files fill in at the end,
    so both workers finish together."""
    slow = Counter(
        work_unit(item.nodeid.split("::")[0]) for item in items if item.get_closest_marker("slow")
    )

    def cost(item: pytest.Item) -> tuple[bool, int]:
        unit = work_unit(item.nodeid.split("::")[0])
        return unit != SPARK_GROUP, -slow[unit]

    items.sort(key=cost)


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database built per test session; copy it with `demo_db` before changing it."""
    return build_demo_database(tmp_path_factory.mktemp("demo-template") / "db.sqlite3")


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """A fresh demo database of this test's own, in WAL mode."""
    return build_demo_database(tmp_path / "db.sqlite3")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL server for the session (see tests/postgres_cluster.py)."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_db(postgres_cluster: PostgresCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database of this test's own on the session's server; its dbguard URL."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:50].lower()
    postgres_cluster.drop_database(name)
    url = postgres_cluster.create_database(name)
    try:
        yield url
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(scope="session")
def postgres_demo_template(postgres_cluster: PostgresCluster) -> str:
    """A database holding the demo (`dbguard demo --postgres` loads the same), loaded once per
    session. Nobody connects to it: copy it with `postgres_cluster.create_database(name,
    template=postgres_demo_template)`, which PostgreSQL refuses while a session is open."""
    from dbguard.config import DatabaseConfig
    from dbguard.demo.postgres import load_demo

    name = "demo_template"
    load_demo(DatabaseConfig(url=postgres_cluster.create_database(name)))
    return name


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """The one SparkSession (local[1]) of the Spark tests, built by dbguard with its own
    settings, stopped when the run ends. Every Spark test is in xdist group "spark", so one
    worker, one JVM."""
    reason = spark_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    from dbguard.config.spark import SparkConfig
    from dbguard.spark.session import spark_session

    session = spark_session(SparkConfig(master=MASTER))
    try:
        yield session
    finally:
        session.stop()
