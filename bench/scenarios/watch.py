"""Always watching (issue 20): a real `dbguard serve` with the default [watch] intervals (quick
health every 30 s, the check every 60 s when the data changed) on the demo database.

- time from a bad DELETE (40 % of fault_record, by another process) to the alert at a local
  json:// receiver, median and worst of 5; between samples the backup is restored and a
  `dbguard check` (warm, through the watcher) sends the recovery;
- CPU of serve's process tree (serve, its forkserver and every child they reaped, from
  /proc) per hour of watching the unchanged database, and with one write a second;
- `dbguard check` through the running watcher against `dbguard check --cold` (wall, GNU
  time, interleaved).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import datasets, watcher
from bench.context import Context
from bench.measure import Check, Section, Series, measure_rounds, ratio_check
from bench.scenarios.endpoints import _Receiver, _server, _with_sections

DETECT_GOAL_S = 60.0
IDLE_GOAL_PERCENT = 1.0
WRITING_GOAL_PERCENT = 5.0
WARM_GOAL = 0.3
DAMAGE = "DELETE FROM fault_record WHERE rowid % 5 < 2"  # 40 %


def run(context: Context) -> Section:
    quick = context.settings.quick
    section = Section(
        "watch",
        "Always watching (issue 20)",
        "A real `dbguard serve` on the demo database with the default [watch] intervals (quick "
        "health every 30 s, the check every 60 s when the data changed, warm children of a "
        "preloaded forkserver), alerts to a local json:// receiver. Detection: from the bad "
        "DELETE (40 % of fault_record, by another process) to the alert's arrival, 5 samples; "
        "between samples the latest backup is restored and a `dbguard check` through the "
        "watcher sends the recovery message (as a cron run would), awaited. CPU: user+system "
        "of serve's process tree (serve, its forkserver, every child they reaped) from /proc, "
        "after the preload. `dbguard check` through the watcher against `--cold`: GNU time, "
        "interleaved.",
    )
    folder = context.scratch("watch")
    database = folder / "db.sqlite3"
    shutil.copyfile(datasets.demo_shaped(context.data_dir, None).path, database)
    receiver = _Receiver(hang=False)
    config = context.write_config("watch", database=database, backup_dir=folder / "backups")
    config = _with_sections(
        config,
        folder,
        {"alerts": {"urls": [receiver.url]}},
    )
    subprocess.run(
        [context.dbguard, "--config", str(config), "backup", "create"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    try:
        with _server(context, config):
            serve_pid = watcher.serve_pid(config)
            time.sleep(10 if quick else 20)  # the preload and the first health run
            # 30 s: one health run (every 30 s) per window; 120 s: two check cycles (every 60 s).
            _cpu(section, "watching the unchanged database", serve_pid, 20 if quick else 30, None)
            # While the data stands still, so no watch run of its own competes with them.
            _warm_against_cold(section, context, config, 1 if quick else 3)
            writer = watcher.rewriting_writer(database)
            try:
                _cpu(section, "one write a second", serve_pid, 30 if quick else 120, writer)
            finally:
                writer.set()
            _detection(section, context, config, database, receiver, 2 if quick else 5)
    finally:
        receiver.stop()
    return section


def _cpu(section: Section, what: str, pid: int, seconds: float, writer: Any) -> None:
    before = watcher.tree_cpu_seconds(pid)
    time.sleep(seconds)
    used = watcher.tree_cpu_seconds(pid) - before
    percent = used / seconds * 100
    goal = IDLE_GOAL_PERCENT if writer is None else WRITING_GOAL_PERCENT
    section.checks.append(
        Check(
            f"CPU of watching, {what} ({seconds:g} s window)",
            f"{percent:.2f} % of a core ({used * 3600 / seconds:.0f} CPU s per hour)",
            f"≤ {goal:g} %",
            percent <= goal,
        )
    )


def _detection(
    section: Section,
    context: Context,
    config: Path,
    database: Path,
    receiver: _Receiver,
    samples: int,
) -> None:
    delays: list[float] = []
    for sample in range(samples):
        count = len(receiver.arrivals)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-c", _script(DAMAGE), str(database)], check=True, timeout=60
        )
        if not receiver.wait_for(count + 1, 180):
            section.notes.append("detection: no alert within 180 s")
            break
        delays.append(receiver.arrivals[count] - started)
        if sample == samples - 1:
            break  # the restore and its recovery only prepare a next sample
        for command in (["backup", "restore", "--latest", "--yes"], ["check"]):
            # The check (warm, through the watcher) sends the recovery now, as a cron run
            # would, instead of the watcher's next check up to a rules_interval later.
            subprocess.run(
                [context.dbguard, "--config", str(config), *command],
                check=command[0] == "backup",
                capture_output=True,
                timeout=300,
            )
        if not receiver.wait_for(count + 2, 180):
            section.notes.append("detection: no recovery message within 180 s")
            break
    if delays:
        section.checks.append(
            Check(
                f"time from a 40 % DELETE to the alert, default intervals ({len(delays)} runs)",
                f"median {statistics.median(delays):.1f} s, worst {max(delays):.1f} s",
                f"≤ {DETECT_GOAL_S:g} s",
                max(delays) <= DETECT_GOAL_S,
            )
        )


def _script(statement: str) -> str:
    return (
        "import sqlite3, sys\n"
        "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "connection.execute('PRAGMA foreign_keys = OFF')\n"
        f"connection.execute({statement!r})\n"
        "connection.close()\n"
    )


def _warm_against_cold(section: Section, context: Context, config: Path, rounds: int) -> None:
    base = [context.dbguard, "--config", str(config), "check"]
    warm = Series("dbguard check through the running watcher", base, ok_exit_codes=(0, 1))
    cold = Series("dbguard check --cold", [*base, "--cold"], ok_exit_codes=(0, 1))
    section.series += [warm, cold]
    measure_rounds([warm, cold], rounds=rounds, cwd=config.parent, timeout=600)
    section.checks.append(ratio_check("check warm / cold (wall)", warm, cold, WARM_GOAL))
