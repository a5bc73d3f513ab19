"""The replication commands as a user runs them: bad input is one line and exit 2 (health and
`replica status`, which exit with Nagios's codes: 3 UNKNOWN),
`dbguard replicate` passes SIGTERM/SIGINT on and keeps Litestream's exit code, and `dbguard
schedule` prints the systemd unit and the @reboot fallback."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import sysconfig
from contextlib import closing
from pathlib import Path

import pytest
from replication_support import (
    dbguard,
    litestream_pids,
    ltx_files,
    make_database,
    replicating,
    wait_for,
    write_config,
)

from dbguard.check_run import PROJECT_ROOT
from dbguard.config import load_config
from dbguard.errors import NagiosCode
from dbguard.schedule import render_block
from dbguard.schedule_units import render_systemd_unit


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbguard: error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return make_database(tmp_path / "app.sqlite3")


def test_a_bad_replica_url_is_one_line(tmp_path: Path, database: Path) -> None:
    config = write_config(tmp_path, database, replica="ftp://backup.example.com/db")
    for arguments, code in (
        (("replicate",), 2),
        (("replica", "status"), NagiosCode.UNKNOWN),
        (("backup", "restore", "--from-replica", "--yes"), 2),
    ):
        result = dbguard(config, *arguments)
        assert result.returncode == code
        assert_one_line_error(result, "ftp://backup.example.com/db", "s3://")
    health = dbguard(config, "health", "--quick")
    assert health.returncode == 3 and health.stdout.startswith("DBGUARD UNKNOWN")


def test_missing_s3_credentials_are_one_line_naming_the_variables(
    tmp_path: Path, database: Path
) -> None:
    config = write_config(tmp_path, database, replica="s3://bucket/db")
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "LITESTREAM_"))
    }
    for arguments, code in ((("replicate",), 2), (("replica", "status"), NagiosCode.UNKNOWN)):
        result = dbguard(config, *arguments, environment=environment)
        assert result.returncode == code
        assert_one_line_error(
            result, "LITESTREAM_ACCESS_KEY_ID", "LITESTREAM_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"
        )


def test_no_litestream_in_the_venv_nor_on_path_is_one_line(tmp_path: Path, database: Path) -> None:
    """dbguard run by a Python whose folder holds no litestream, with a PATH without one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python3"
    python.symlink_to(Path(sys.executable).resolve())
    config = write_config(tmp_path, database)
    environment = {
        **os.environ,
        "PATH": str(bin_dir),
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), sysconfig.get_paths()["purelib"]]),
    }
    result = subprocess.run(
        [str(python), "-m", "dbguard", "--config", str(config), "replicate"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert_one_line_error(result, "cannot find the litestream executable", str(bin_dir))


def test_replication_not_configured_and_misused_flags_are_one_line(
    tmp_path: Path, database: Path
) -> None:
    config = write_config(tmp_path, database, enabled=False)
    assert_one_line_error(dbguard(config, "replicate"), "replication is not configured")
    status = dbguard(config, "replica", "status")
    assert status.returncode == NagiosCode.UNKNOWN  # never 2, which a monitor reads as CRITICAL
    assert_one_line_error(status, "replication is not configured")
    result = dbguard(config, "backup", "restore", "--latest", "--timestamp", "2026-01-01T00:00:00")
    assert result.returncode == 2
    assert_one_line_error(result, "--timestamp goes with --from-replica")
    enabled = write_config(tmp_path, database)
    result = dbguard(enabled, "backup", "restore", "--from-replica", "--timestamp", "noon")
    assert result.returncode == 2
    assert_one_line_error(result, "not an ISO 8601 time")


def config_in_use(pid: int) -> Path:
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return Path(arguments[arguments.index(b"-config") + 1].decode())


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_replicate_passes_the_signal_on_and_keeps_litestreams_exit_code(
    tmp_path: Path, database: Path, stop: signal.Signals
) -> None:
    config = write_config(tmp_path, database)
    with replicating(config, database) as replicator:
        (pid,) = litestream_pids(database)
        generated = config_in_use(pid)
        assert stat.S_IMODE(generated.stat().st_mode) == 0o600
        assert stat.S_IMODE(generated.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "backups" / "replica").stat().st_mode) == 0o700
        second = dbguard(config, "replicate")  # one replicator per database
        assert second.returncode == 2
        assert_one_line_error(second, "already replicates")
        with closing(sqlite3.connect(database, isolation_level=None)) as connection:
            connection.execute("INSERT INTO replication_rows (committed_at) VALUES (1.0)")
        wait_for(lambda: len(ltx_files(tmp_path / "backups" / "replica")) >= 2, "replication")
        replicator.send_signal(stop)
        assert replicator.wait(timeout=30) == 0  # Litestream's own exit code after a clean stop
        wait_for(lambda: not litestream_pids(database), "litestream to exit")
        assert not generated.exists() and not generated.parent.exists()
    log = (tmp_path / "replicate.log").read_text()
    assert log.count("signal received, litestream shutting down") == 1  # passed on once


def test_print_config_shows_the_generated_configuration(tmp_path: Path, database: Path) -> None:
    config = write_config(tmp_path, database, retention="2d")
    result = dbguard(config, "replicate", "--print-config")
    assert result.returncode == 0, result.stderr
    assert f'path: "{database}"' in result.stdout and "retention: 48h" in result.stdout
    assert f'path: "{tmp_path / "backups" / "replica"}"' in result.stdout


def test_schedule_prints_the_systemd_unit_and_the_reboot_fallback(
    tmp_path: Path, database: Path
) -> None:
    config = load_config(write_config(tmp_path, database))
    executable = Path("/opt/dbguard 100%/bin/dbguard")
    with_systemd = render_block(config, executable, systemd=True)
    without = render_block(config, executable, systemd=False)
    reboot = [line for line in without.splitlines() if line.startswith("@reboot ")]
    assert len(reboot) == 1
    assert reboot[0].endswith(f"replicate >> {tmp_path}/logs/replicate.log 2>&1")
    assert not any(line.startswith("@reboot") for line in with_systemd.splitlines())
    assert "# @reboot " in with_systemd
    unit = render_systemd_unit(config, executable)
    assert 'ExecStart="/opt/dbguard 100%%/bin/dbguard" "--config"' in unit
    assert unit.rstrip().endswith("WantedBy=multi-user.target")
    assert "KillMode=mixed" in unit and "Restart=always" in unit
    plain = load_config(write_config(tmp_path, database, enabled=False))
    assert "replicate" not in render_block(plain, executable, systemd=False)


@pytest.mark.slow
def test_a_killed_dbguard_takes_litestream_with_it_and_its_folder_goes_at_the_next_start(
    tmp_path: Path, database: Path
) -> None:
    config = write_config(tmp_path, database)
    with replicating(config, database) as replicator:
        (pid,) = litestream_pids(database)
        left_behind = config_in_use(pid).parent
        replicator.kill()  # SIGKILL: dbguard cannot clean up
        replicator.wait(timeout=10)
        wait_for(lambda: not litestream_pids(database), "litestream to follow its parent")
    assert left_behind.exists()
    with replicating(config, database):
        assert not left_behind.exists()
