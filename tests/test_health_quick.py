"""`dbguard health [--quick]` through the real console script: one Nagios line, Nagios exit
codes, consecutive connection failures, baselines from the suites, and no heavy imports."""

from __future__ import annotations

import http.server
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from check_project import ROOT, toml_value

from dbguard.history import History

HEAVY = ("great_expectations", "pandas", "sqlalchemy", "matplotlib", "rich")


def write_config(folder: Path, db: Path, **sections: dict[str, object]) -> Path:
    values: dict[str, dict[str, object]] = {
        "database": {"path": str(db)},
        "backup": {"dir": "backups"},
        "checks": {"expectations_dir": str(ROOT / "expectations")},
        "reports": {"dir": "reports", "history": "reports/history.sqlite3"},
    }
    for name, extra in sections.items():
        values.setdefault(name, {}).update(extra)
    text = "".join(
        f"[{name}]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in items.items())
        for name, items in values.items()
    )
    path = folder / "dbguard.toml"
    path.write_text(text)
    return path


def health(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbguard", "--config", str(config), "health", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_healthy_demo_database_is_ok_with_one_line_and_perfdata(
    tmp_path: Path, demo_db: Path
) -> None:
    result = health(write_config(tmp_path, demo_db), "--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("DBGUARD OK - 14254 rows in 5 tables")
    _summary, perfdata = lines[0].split(" | ")
    assert "rows=14254;;;0" in perfdata.split()
    assert "rows_pue_data=240;216:264;180:300;0" in perfdata.split()


def test_full_health_also_runs_quick_check(tmp_path: Path, demo_db: Path) -> None:
    config = write_config(tmp_path, demo_db)
    full = health(config)
    assert full.returncode == 0
    run = History(tmp_path / "reports" / "history.sqlite3").recent_runs(kind="health")[0]
    assert "database::integrity" in {outcome.name for outcome in run.outcomes}
    # The full run says what it added to the quick one.
    assert "quick_check ok in " in full.stdout
    assert "quick_check" not in health(config, "--quick").stdout


def test_missing_db_option_is_unknown_exit_3(tmp_path: Path, demo_db: Path) -> None:
    # A --db typo is an input error; the configured database gone is CRITICAL
    # (test_lost_database).
    config = write_config(tmp_path, demo_db)
    result = health(config, "--quick", "--db", str(tmp_path / "nowhere.sqlite3"))
    assert result.returncode == 3
    assert result.stdout.startswith("DBGUARD UNKNOWN - database ")
    assert "does not exist" in result.stdout
    assert result.stderr.startswith("dbguard: error: ")


def test_rows_lost_against_the_suite_baseline_are_critical_exit_2(
    tmp_path: Path, demo_db: Path
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("DELETE FROM pue_data WHERE rowid > 150")  # 240 -> 150
    connection.close()
    result = health(write_config(tmp_path, demo_db), "--quick")
    assert result.returncode == 2
    assert result.stdout.startswith(
        "DBGUARD CRITICAL - rows pue_data: 150 rows (-37.5 % vs the baseline)"
    )


def test_database_over_size_threshold_is_a_warning_exit_1(tmp_path: Path, demo_db: Path) -> None:
    config = write_config(tmp_path, demo_db, database={"size_warning_mb": 0.1})
    result = health(config, "--quick")
    assert result.returncode == 1
    assert result.stdout.startswith("DBGUARD WARNING - database::size: 0.")


def test_connection_failures_warn_then_turn_critical_on_the_third_in_a_row(
    tmp_path: Path,
) -> None:
    """A database another process holds exclusively cannot be opened: a transient failure."""
    locked = tmp_path / "db.sqlite3"
    holder_code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('CREATE TABLE IF NOT EXISTS t (x)')\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code, str(locked)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        config = write_config(tmp_path, locked, database={"connect_timeout_seconds": 0.2})
        codes = [health(config, "--quick").returncode for _ in range(3)]
        assert codes == [1, 1, 2]
        last = health(config, "--quick").stdout
        assert "connection: failed" in last and "4 failure(s) in a row" in last
    finally:
        holder.kill()
        holder.wait()


def test_a_file_that_is_not_a_database_is_critical_at_once(tmp_path: Path) -> None:
    broken = tmp_path / "db.sqlite3"
    broken.write_bytes(b"not sqlite at all" * 100)
    result = health(write_config(tmp_path, broken), "--quick")
    assert result.returncode == 2
    assert result.stdout.startswith("DBGUARD CRITICAL")
    assert "not a SQLite database" in result.stdout


def test_quick_health_never_imports_heavy_libraries(tmp_path: Path, demo_db: Path) -> None:
    config = write_config(tmp_path, demo_db)
    probe = (
        "import sys\n"
        "from dbguard.cli import main\n"
        f"code = main(['--config', {str(config)!r}, 'health', '--quick'])\n"
        f"print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
        "print('CODE', code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "CODE 0" in result.stdout, result.stdout + result.stderr[-3000:]
    assert "HEAVY []" in result.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert not imported & set(HEAVY)


# Loaded only when used: the health URL's urllib.request, psutil (disk and memory are read
# as psutil reads them), apprise once it accepted the URLs, the alerts and replication
# machinery when not configured, and the other commands' modules.
NOT_NEEDED = (
    "urllib.request",
    "psutil",
    "apprise",
    "dbguard.replication",
    "dbguard.cli.check",
    "dbguard.cli.backup",
    "dbguard.cli.serve",
)


def loaded_by_quick_health(config: Path) -> list[str]:
    probe = (
        "import sys\n"
        "from dbguard.cli import main\n"
        f"code = main(['--config', {str(config)!r}, 'health', '--quick'])\n"
        "assert code == 0, code\n"
        f"print('LOADED', ' '.join(m for m in {NOT_NEEDED!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("LOADED")]
    return line.split()[1:]


def test_quick_health_loads_only_what_it_uses(tmp_path: Path, demo_db: Path) -> None:
    assert loaded_by_quick_health(write_config(tmp_path, demo_db)) == []
    # With an alert URL: apprise checks it at the first load, not at the next ones.
    (tmp_path / "reports").mkdir(exist_ok=True)
    config = write_config(tmp_path, demo_db, alerts={"urls": ["json://127.0.0.1:9/alerts"]})
    assert "apprise" in loaded_by_quick_health(config)
    assert loaded_by_quick_health(config) == []


class SlowHandler(http.server.BaseHTTPRequestHandler):
    delay = 0.0

    def do_GET(self) -> None:
        time.sleep(self.delay)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[tuple[str, type[SlowHandler]]]:
    handler = type("Handler", (SlowHandler,), {"delay": 0.0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tools/monitor/health/quick", handler
    finally:
        server.shutdown()
        server.server_close()


def test_slow_health_url_is_a_warning_and_fast_is_ok(
    tmp_path: Path, demo_db: Path, slow_server: tuple[str, type[SlowHandler]]
) -> None:
    url, handler = slow_server
    system = {"health_url": url, "response_warning_seconds": 0.3, "response_critical_seconds": 3}
    config = write_config(tmp_path, demo_db, system=system)
    fast = health(config, "--quick")
    assert fast.returncode == 0 and "response=" in fast.stdout
    handler.delay = 0.6
    slow = health(config, "--quick")
    assert slow.returncode == 1
    assert slow.stdout.startswith("DBGUARD WARNING - health url: answered in 0.")


def test_unreachable_health_url_is_a_warning(tmp_path: Path, demo_db: Path) -> None:
    system = {
        "health_url": "http://127.0.0.1:9/health?token=abcdef123",
        "response_critical_seconds": 2,
    }
    result = health(write_config(tmp_path, demo_db, system=system), "--quick")
    assert result.returncode == 1
    assert "health url: request failed" in result.stdout
    assert "abcdef123" not in result.stdout


def test_corrupted_history_does_not_stop_the_health_check(tmp_path: Path, demo_db: Path) -> None:
    config = write_config(tmp_path, demo_db)
    history = tmp_path / "reports" / "history.sqlite3"
    history.parent.mkdir()
    history.write_bytes(b"\x00garbage" * 500)
    result = health(config, "--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(history.parent.glob("history.sqlite3.corrupt-*"))
    assert History(history).recent_runs(kind="health")[0].status == "ok"


def test_history_under_a_regular_file_is_a_warning_not_a_false_move(
    tmp_path: Path, demo_db: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the history's folder should be")
    config = write_config(tmp_path, demo_db, reports={"history": str(blocker / "history.sqlite3")})
    result = health(config, "--quick")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "run history: run history" in result.stdout and "cannot be opened" in result.stdout
    assert "moved aside" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert blocker.read_text().startswith("a file where")


def test_a_history_that_is_a_folder_is_left_alone(tmp_path: Path, demo_db: Path) -> None:
    folder = tmp_path / "reports" / "history.sqlite3"
    folder.mkdir(parents=True)
    result = health(write_config(tmp_path, demo_db), "--quick")
    assert result.returncode == 1
    assert "cannot be opened" in result.stdout
    assert folder.is_dir() and not list(folder.parent.glob("*.corrupt-*"))


def test_a_locked_history_is_skipped_with_a_note_well_under_a_second(
    tmp_path: Path, demo_db: Path
) -> None:
    config = write_config(tmp_path, demo_db)
    assert health(config, "--quick").returncode == 0  # creates the history
    history = tmp_path / "reports" / "history.sqlite3"
    holder_code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code, str(history)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = health(config, "--quick")
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not recorded" in result.stdout
    # Not a timing assertion on dbguard's speed: the old 15 s busy wait must be gone.
    assert elapsed < 10


def test_health_names_the_file_a_symlink_points_at(tmp_path: Path, demo_db: Path) -> None:
    link = tmp_path / "current.sqlite3"
    link.symlink_to(demo_db)
    result = health(write_config(tmp_path, link), "--quick")
    assert result.returncode == 0
    assert f"— {demo_db.resolve()}" in result.stdout
