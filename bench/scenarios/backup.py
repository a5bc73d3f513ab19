"""4. Online backup of a WAL database while a writer commits: dbguard vs `.backup`.

Each timed backup gets a writer of its own (bench/writer.py): started, given
time to commit, then the backup runs, then the writer is stopped. Its longest
commit inside the backup's window is the stall that backup caused.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import time
from pathlib import Path

from bench import datasets
from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section, Series, ratio_check
from bench.writer import start_writer

log = logging.getLogger(__name__)

RATIO_TARGET = 1.0  # against the same-work pipeline (issue 13; round 1: 1.2× `.backup`)
STALL_TARGET_MS = 50.0
WRITER_WARMUP_S = 0.5
WRITER_COOLDOWN_S = 0.3
SAME_WORK_SCRIPT = (
    'sqlite3 "$1" BEGIN "SELECT 1 FROM sqlite_master LIMIT 1" ".backup $2" >/dev/null'
    ' && sqlite3 "$2" "pragma integrity_check" && sha256sum "$2"'
)


def run(context: Context) -> Section:
    section = Section(
        "backup",
        "4. Backup of a live WAL database under a concurrent writer",
        "`dbguard backup create` (snapshot, integrity check, row counts, sha256, manifest, atomic "
        "publish) against the sqlite3 CLI's `.backup` inside a read transaction (`sqlite3 DB "
        "BEGIN 'SELECT 1 FROM sqlite_master LIMIT 1' '.backup OUT'`) and `.backup` followed by "
        "`integrity_check` and `sha256sum`, the same work dbguard does. A writer "
        "(bench/writer.py) commits small transfers every 2 ms during each run, with SQLite's "
        "default `synchronous = FULL` (an fsync of the WAL at every commit); the stall is its "
        "longest commit (BEGIN IMMEDIATE to COMMIT, lock and fsync waits included) that "
        "overlapped the backup. The database is a table of random 4 kB blobs, cached in RAM "
        "after its first read. GNU time, runs interleaved. (Round 2's rows for information "
        "only, `cp` and the writer at `synchronous = NORMAL`, are no longer run: RESULTS.md of "
        "round 2 has their figures.)",
        show_stalls=True,
    )
    section.notes.append(
        "Why the read transaction: a bare `sqlite3 DB '.backup OUT'` restarts every time the writer "
        "commits and never finished (killed after 20 s on a 200 MB database; with the read "
        "transaction: 0.3 s). Checked on this machine while writing the harness."
    )
    for size in context.settings.backup_sizes_mib:
        methods = measure_size(context, section, size)
        dbguard_series, sqlite_series, same_work_series = methods
        section.series += methods
        section.checks += [
            ratio_check(
                f"`backup create` / (`.backup` + integrity_check + sha256sum) at {size_label(size)} (wall)",
                dbguard_series,
                same_work_series,
                RATIO_TARGET,
            ),
            ratio_check(
                f"`backup create` / bare `.backup` at {size_label(size)} (wall, for information)",
                dbguard_series,
                sqlite_series,
                None,
            ),
            _stall_check(
                f"writer's longest stall during `backup create` at {size_label(size)}",
                dbguard_series,
            ),
            _stall_check(
                f"writer's longest stall during `.backup` at {size_label(size)}",
                sqlite_series,
                target=False,
            ),
        ]
    return section


def size_label(size_mib: int) -> str:
    return f"{size_mib / 1024:g} GiB" if size_mib >= 1024 else f"{size_mib} MiB"


def _stall_check(figure: str, series: Series, *, target: bool = True) -> Check:
    limit = f"< {STALL_TARGET_MS:g} ms (worst run)" if target else "—"
    if not series.measured or not series.stalls_ms:
        return Check(figure, f"not measured ({series.failure or 'no runs'})", limit, None)
    worst = max(series.stalls_ms)
    return Check(figure, f"{worst:.0f} ms", limit, worst < STALL_TARGET_MS if target else None)


def measure_size(context: Context, section: Section, size_mib: int) -> list[Series]:
    template = datasets.blob_database(context.data_dir, size_mib)
    work = context.scratch(f"backup_{size_mib}")
    live = work / "live.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template.path, live)
    _flush(live)
    built = "reused from the cache" if template.reused else "built in this run"
    section.notes.append(
        f"{size_label(size_mib)} database: {template.size_bytes / 2**20:.0f} MiB, generation took "
        f"{template.build_seconds:.1f} s ({built}); it is copied to a working file first, and "
        "every run starts after `sync`, with no dirty data waiting to be written back."
    )
    config = context.write_config(f"backup_{size_mib}", database=live, backup_dir=work / "unused")
    outputs = work / "out"
    dbguard_series = Series(
        f"dbguard backup create ({size_label(size_mib)})",
        [
            context.dbguard,
            "--config",
            str(config),
            "backup",
            "create",
            "--db",
            str(live),
            "--backup-dir",
            str(outputs / "dbguard"),
        ],
    )
    sqlite_series = Series(
        f"sqlite3 .backup in a read transaction ({size_label(size_mib)})",
        [
            "sqlite3",
            str(live),
            "BEGIN",
            "SELECT 1 FROM sqlite_master LIMIT 1",
            f".backup {outputs / 'sqlite3.sqlite3'}",
        ],
    )
    same_work_series = Series(
        f"sqlite3 .backup (read transaction) + integrity_check + sha256sum ({size_label(size_mib)})",
        ["sh", "-c", SAME_WORK_SCRIPT, "sh", str(live), str(outputs / "same-work.sqlite3")],
    )
    methods = [dbguard_series, sqlite_series, same_work_series]
    for _ in range(context.settings.heavy_runs):
        for series in methods:
            if series.failure:
                continue
            shutil.rmtree(outputs, ignore_errors=True)
            outputs.mkdir(parents=True)
            _run_with_writer(context, series, live, work)
    shutil.rmtree(outputs, ignore_errors=True)
    return methods


def _flush(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _run_with_writer(context: Context, series: Series, live: Path, work: Path) -> None:
    stats_path = work / "writer.json"
    # Start every run with nothing left to write back (the working copy, an earlier output):
    # otherwise the writer's fsyncs queue behind the kernel's writeback of someone else's data.
    os.sync()
    writer = start_writer(
        context.python, live, stats_path, "--synchronous", series.writer_synchronous
    )
    try:
        time.sleep(WRITER_WARMUP_S)
        window_start = time.time()
        sample = series.run_once(cwd=REPO_ROOT, timeout=1200)
        window_end = time.time()
        time.sleep(WRITER_COOLDOWN_S)
    finally:
        writer.send_signal(signal.SIGTERM)
        writer.wait(timeout=120)
    if sample is None:
        return
    stats = json.loads(stats_path.read_text())
    in_window = [
        (start, duration)
        for start, duration in stats["commit_times"]
        if start <= window_end and start + duration / 1000 >= window_start
    ]
    stall = max((duration for _, duration in in_window), default=float("nan"))
    series.stalls_ms.append(stall)
    series.commits_in_window.append(len(in_window))
    log.info(
        "%s: writer's longest commit in the window %.1f ms (%d commits)",
        series.label,
        stall,
        len(in_window),
    )
