"""The read-only catalog on a real PostgreSQL server (a throwaway cluster), against the same
demo in a SQLite file: the same tables, keys and counts; the engine's own refusals as
QueryError; a server gone mid-way as a connection failure; no session that can write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from postgres_cluster import PostgresCluster, database_name

from dbguard.catalog import Catalog, PostgresDatabase, QueryError, SqliteFile
from dbguard.config import DatabaseConfig
from dbguard.postgres.connection import PostgresUnreachable, connect, sqlalchemy_url


@pytest.fixture(scope="module")
def demo_url(postgres_cluster: PostgresCluster, postgres_demo_template: str) -> Iterator[str]:
    """A copy of the demo for this module's tests, which only read it."""
    name = "catalog_demo"
    postgres_cluster.drop_database(name)
    yield postgres_cluster.create_database(name, template=postgres_demo_template)
    postgres_cluster.drop_database(name)


@pytest.fixture
def postgres_catalog(demo_url: str) -> Iterator[Catalog]:
    with PostgresDatabase(DatabaseConfig(url=demo_url)).open() as catalog:
        yield catalog


@pytest.fixture
def sqlite_catalog(demo_db_template: Path) -> Iterator[Catalog]:
    with SqliteFile(demo_db_template, immutable=True).open() as catalog:
        yield catalog


def test_both_catalogs_describe_the_demo_alike(
    postgres_catalog: Catalog, sqlite_catalog: Catalog
) -> None:
    tables = sqlite_catalog.tables()
    assert postgres_catalog.tables() == tables == sorted(tables) and len(tables) == 5
    assert postgres_catalog.row_counts() == sqlite_catalog.row_counts()
    for table in tables:
        sqlite_columns = sqlite_catalog.columns(table)
        postgres_columns = postgres_catalog.columns(table)
        assert [(c.name, c.primary_key) for c in postgres_columns] == [
            (c.name, c.primary_key) for c in sqlite_columns
        ]
        assert postgres_catalog.unique_sets(table) == sqlite_catalog.unique_sets(table)
        assert postgres_catalog.foreign_keys(table) == sqlite_catalog.foreign_keys(table)
    assert postgres_catalog.unique_sets("pue_data") == (("id",), ("site", "month"))
    assert [key.parent for key in postgres_catalog.foreign_keys("fault_record")] == ["huijugugan"]
    assert {c.name: c.type for c in postgres_catalog.columns("pue_data")}["pue"] == (
        "double precision"
    )


def test_a_missing_table_has_no_columns(postgres_catalog: Catalog) -> None:
    assert postgres_catalog.columns("no_such_table") == []


def test_ignore_tables_apply_on_postgres(demo_url: str) -> None:
    with PostgresDatabase(DatabaseConfig(url=demo_url)).open(ignore=("pue_*",)) as catalog:
        assert catalog.tables() == ["fault_record", "huijugugan"]
        assert set(catalog.row_counts()) == {"fault_record", "huijugugan"}


def test_first_rows_count_every_row_and_return_a_few(postgres_catalog: Catalog) -> None:
    found = postgres_catalog.first_rows("SELECT id, site FROM pue_data WHERE id <= 25", 3)
    assert found.count == 25
    assert [row["id"] for row in found.rows] == [1, 2, 3] and set(found.rows[0]) == {"id", "site"}


def test_a_query_the_server_refuses_is_a_query_error_and_the_session_goes_on(
    postgres_catalog: Catalog,
) -> None:
    with pytest.raises(QueryError, match='column "utilisation" does not exist'):
        postgres_catalog.rows("SELECT utilisation FROM huijugugan")
    problem = postgres_catalog.problem("SELECT julianday(start_time) FROM fault_record")
    assert problem is not None and "julianday" in problem
    assert postgres_catalog.problem("SELECT id FROM fault_record") is None
    with postgres_catalog.snapshot():  # a failure inside a snapshot spoils nothing after it
        with pytest.raises(QueryError):
            postgres_catalog.rows("SELECT 1/0")
        assert postgres_catalog.value("SELECT COUNT(*) FROM huijugugan") == 28


def test_sessions_opened_the_way_dbguard_opens_them_refuse_writes(demo_url: str) -> None:
    database = DatabaseConfig(url=demo_url)
    with connect(database) as connection, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 1")
    # The engine Great Expectations gets, from the same read-only session options.
    import sqlalchemy

    engine = sqlalchemy.create_engine(sqlalchemy_url(database))
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW default_transaction_read_only").scalar() == "on"
            with pytest.raises(sqlalchemy.exc.InternalError, match="read-only transaction"):
                connection.exec_driver_sql("DELETE FROM pue_comment")
    finally:
        engine.dispose()


def test_the_sqlalchemy_url_keeps_the_query_and_adds_the_session_options() -> None:
    url = sqlalchemy_url(
        DatabaseConfig(
            url="postgresql+psycopg://app@/db?host=/run/pg&port=5433&options=-c%20work_mem%3D8MB",
            schema="sales",
        )
    )
    assert url.startswith("postgresql+psycopg://app@localhost/db?host=%2Frun%2Fpg&port=5433&")
    assert url.endswith(
        "options=-c%20work_mem%3D8MB%20-c%20default_transaction_read_only%3Don"
        "%20-c%20search_path%3Dsales"
    )
    plain = sqlalchemy_url(DatabaseConfig(url="postgresql+psycopg://app@db.example:5432/db"))
    assert plain.startswith("postgresql+psycopg://app@db.example:5432/db?options=")


def test_a_server_stopped_mid_way_is_a_connection_failure() -> None:
    cluster = PostgresCluster().start()
    try:
        url = cluster.create_database("going")
        catalog = PostgresDatabase(DatabaseConfig(url=url)).open()
        assert catalog.tables() == []
        cluster.stop()
        with pytest.raises(PostgresUnreachable, match="cannot reach"):
            catalog.row_counts(["anything"])
        with pytest.raises(PostgresUnreachable):
            catalog.columns("anything")
        catalog.close()
        # A new session finds nobody: the same failure, from connecting.
        with pytest.raises(PostgresUnreachable):
            PostgresDatabase(DatabaseConfig(url=url)).open()
        assert database_name(url) == "going"
    finally:
        cluster.stop()
