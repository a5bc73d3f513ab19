"""`[database.spark]` as dbguard.toml writes it: paths relative to the file, `catalog:` tables
and remote URLs as they are, keys as a column or a list, conf values as strings; and each
mistake refused in one line naming the key. No JVM: the configuration is read, not used."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbguard.config import load_config
from dbguard.errors import ConfigError


def write(folder: Path, text: str) -> Path:
    path = folder / "dbguard.toml"
    path.write_text(text)
    return path


def test_the_section_as_written(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "[database.spark]\n"
            'master = "spark://head:7077"\n'
            'tables = { orders = "lake/orders", sites = "catalog:ops.sites",'
            ' events = "s3a://bucket/events" }\n'
            'keys = { orders = "id", sites = ["region", "site_id"], events = "event_id" }\n'
            'conf = { "spark.executor.memory" = "4g", "spark.sql.shuffle.partitions" = 64,'
            ' "spark.sql.adaptive.enabled" = true }\n',
        )
    )
    database = config.database
    assert database.is_spark and not database.is_sqlite and database.engine == "spark"
    spark = database.spark
    assert spark.tables["orders"] == str(tmp_path / "lake" / "orders")
    assert spark.tables["events"] == "s3a://bucket/events"
    assert spark.catalog_table("sites") == "ops.sites" and spark.catalog_table("orders") is None
    assert spark.keys == {
        "orders": ("id",),
        "sites": ("region", "site_id"),
        "events": ("event_id",),
    }
    assert spark.conf == {
        "spark.executor.memory": "4g",
        "spark.sql.shuffle.partitions": "64",
        "spark.sql.adaptive.enabled": "true",
    }
    assert database.key == "spark:spark://head:7077" and database.latency_sql == "SELECT 1"


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ('master = "local[1]"\n', "names no tables"),
        ('tables = { t = "x" }\nkeys = { t = "id" }\n', "has no master"),
        ('master = "local[1]"\ntables = { t = "x" }\n', "table 't'"),
        ('master = "local[1]"\ntables = { t = "x" }\nkeys = { t = "id", u = "id" }\n', "keys.u"),
        ('master = "local[1]"\ntables = { t = 5 }\nkeys = { t = "id" }\n', "tables.t"),
        ('master = "local[1]"\ntables = { t = "x" }\nkeys = { t = [] }\n', "keys.t"),
        ('master = "local[1]"\ntables = "x"\n', "tables in"),
    ],
)
def test_mistakes_are_refused_naming_the_key(tmp_path: Path, section: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_config(write(tmp_path, "[database.spark]\n" + section))


def test_spark_beside_a_postgresql_url_or_replication_is_refused(tmp_path: Path) -> None:
    spark = '[database.spark]\nmaster = "local[1]"\ntables = { t = "x" }\nkeys = { t = "id" }\n'
    with pytest.raises(ConfigError, match="both url and spark"):
        load_config(write(tmp_path, '[database]\nurl = "postgresql+psycopg://u@h/db"\n' + spark))
    with pytest.raises(ConfigError, match=r"\[replication\] .* is for SQLite files"):
        load_config(
            write(tmp_path, spark + '[replication]\nenabled = true\nreplica = "file:///r"\n')
        )
