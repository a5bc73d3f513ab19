"""The warm runner (dbguard.watch.warm): a real forkserver, real children. A child that
hangs is stopped at its timeout; a child killed mid-run is a run without a result and the
next run works; a forkserver killed with SIGKILL is started again by the next run. The
watcher reports a run that hung as a WARNING alert of its own, and its recovery."""

from __future__ import annotations

import dataclasses
import operator
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from alert_receiver import Receiver

from dbguard.config import load_config
from dbguard.watch.loop import Watcher
from dbguard.watch.warm import WarmResult, WarmRunner

LIGHT = ("dbguard.config",)  # nothing heavy: what a child needs to unpickle its arguments


def hang(kind: str, config: object) -> None:
    """A watch job that never ends (a locked database, a hung notifier)."""
    time.sleep(120)


def answer(kind: str, config: object) -> str:
    return f"{kind} done in {os.getpid()}"


# A run that does nothing, found by the child without importing this module (pytest and all:
# about 0.1 s a child; the forkserver cannot preload it, tests/ is not on its sys.path).
NOTHING = operator.is_not  # (kind, config) -> True


@pytest.fixture(scope="module")
def runner() -> WarmRunner:
    warm = WarmRunner(LIGHT)
    warm.start()
    return warm


def test_a_run_returns_what_its_fresh_child_returned(runner: WarmRunner) -> None:
    first = runner.run(os.getpid, (), timeout=30)
    second = runner.run(os.getpid, (), timeout=30)
    assert first.outcome == second.outcome == "done"
    assert first.value != second.value != os.getpid()  # a fresh child each time
    assert first.exit_code == 0


def test_a_hung_run_is_stopped_at_its_timeout(runner: WarmRunner) -> None:
    started = time.monotonic()
    result = runner.run(time.sleep, (120,), timeout=1)
    assert result.outcome == "timeout"
    assert time.monotonic() - started < 60  # stopped, not waited for
    assert result.pid is not None and not Path(f"/proc/{result.pid}").exists()


def test_a_child_killed_mid_run_costs_that_run_only(runner: WarmRunner) -> None:
    results: list[WarmResult] = []
    thread = threading.Thread(target=lambda: results.append(runner.run(time.sleep, (60,), 60)))
    thread.start()
    deadline = time.monotonic() + 30
    while runner.current_pid is None and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = runner.current_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=60)
    assert results and results[0].outcome == "crashed"
    assert results[0].exit_code == -signal.SIGKILL
    assert runner.run(os.getpid, (), timeout=30).outcome == "done"


def test_a_killed_forkserver_is_started_again_by_the_next_run(runner: WarmRunner) -> None:
    before = runner.forkserver_pid()
    assert before is not None
    os.kill(before, signal.SIGKILL)
    deadline = time.monotonic() + 10  # dead (a zombie until multiprocessing reaps it)
    while _state(before) not in ("Z", "") and time.monotonic() < deadline:
        time.sleep(0.05)
    result = runner.run(os.getpid, (), timeout=30)
    assert result.outcome == "done"
    assert runner.forkserver_pid() not in (None, before)


def test_the_watcher_alerts_a_hung_run_as_a_warning_and_then_its_recovery(
    runner: WarmRunner, tmp_path: Path
) -> None:
    with Receiver() as receiver:
        (tmp_path / "dbguard.toml").write_text(
            f'[database]\npath = "db.sqlite3"\n[reports]\nhistory = "history.sqlite3"\n'
            f'[alerts]\nurls = ["{receiver.url}"]\n[watch]\nrun_timeout = "1s"\n'
        )
        config = load_config(tmp_path / "dbguard.toml")
        watcher = Watcher(config, runner)
        hung = watcher.run("rules", config, target=hang)
        again = watcher.run("rules", config, target=hang)  # the same incident: no new alert
        patient = dataclasses.replace(
            config, watch=dataclasses.replace(config.watch, run_timeout="60s")
        )
        done = watcher.run("rules", patient, target=answer)  # time enough on a busy machine
        messages = receiver.messages()
    assert hung.outcome == again.outcome == "timeout"
    assert done.outcome == "done"
    assert len(messages) == 2, messages
    assert "dbguard watch: WARNING" in messages[0]
    assert "the rules run was still going after 1s: stopped" in messages[0]
    assert "RECOVERED" in messages[1]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def rss_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


def test_watching_does_not_grow_the_watchers_memory(runner: WarmRunner, tmp_path: Path) -> None:
    (tmp_path / "dbguard.toml").write_text('[database]\npath = "db.sqlite3"\n')
    config = load_config(tmp_path / "dbguard.toml")
    watcher = Watcher(config, runner)
    for _ in range(10):
        assert watcher.run("health", config, target=NOTHING).outcome == "done"
    after_10 = rss_kib()
    for _ in range(190):
        assert watcher.run("health", config, target=NOTHING).outcome == "done"
    assert rss_kib() <= 1.1 * after_10, (after_10, rss_kib())
