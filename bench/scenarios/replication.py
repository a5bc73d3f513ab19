"""6. Continuous replication: Litestream run by `dbguard replicate` on this machine.

- RPO after kill -9: a writer commits numbered rows at about 200 a second
  (tests/numbered_writer.py); either the writer alone is killed (Litestream keeps
  running; two sync intervals later the replica is restored) or the writer, Litestream
  and dbguard are killed at the same instant (a host crash). The loss is the time
  between the newest row in the live database and the newest row the restore holds.
- The writer's worst commit (bench/writer.py, synchronous=FULL, a commit every 2 ms)
  at 200 MiB with replication off and on (Litestream's first snapshot included).
- Restore from the replica at 200 MiB and 1 GiB: `dbguard backup restore --from-replica`
  (Litestream's restore, then dbguard's verified path) against a bare `litestream restore`.
- What the replica target adds to `dbguard check` on the demo database.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

from bench import datasets
from bench.context import REPO_ROOT, Context, to_toml
from bench.measure import Check, Section, Series, measure_rounds, ratio_check
from bench.scenarios.backup import size_label

log = logging.getLogger(__name__)

RPO_TARGET_S = 1.0
STALL_TARGET_MS = 50.0
WRITE_RATE = 200
RPO_WRITE_S = 4.0
STALL_WINDOW_S = 20.0
SYNC_INTERVAL_S = 1.0  # the default of [replication] sync_interval
NUMBERED_WRITER = REPO_ROOT / "tests" / "numbered_writer.py"
LITESTREAM = Path(sys.executable).with_name("litestream")


def run(context: Context) -> Section:
    section = Section(
        "replication",
        "6. Continuous replication (Litestream run by `dbguard replicate`)",
        "Litestream 0.5 as `dbguard replicate` runs it, with the default `sync_interval = 1s`, "
        "into a folder replica on the same disk. RPO: a writer commits numbered rows at about "
        f"{WRITE_RATE} a second and is killed with SIGKILL — alone (Litestream keeps running; the "
        "replica is restored two sync intervals later), or together with Litestream and dbguard "
        "(a host crash) — and the loss is the time between the newest row in the live database "
        "and the newest row a restore from the replica holds. Writer stall: bench/writer.py "
        "(synchronous=FULL, a commit every 2 ms) for "
        f"{STALL_WINDOW_S:g} s on the {size_label(min(context.settings.backup_sizes_mib))} blob "
        "database, replication off and on (started 1 s "
        "into the window, so Litestream's first snapshot of the whole database is inside it). "
        "Restore: `dbguard backup restore --from-replica --db NEW --yes` (Litestream restores into "
        "a temporary file; dbguard checks it, describes it with a manifest, then restores it through the "
        "verified path) against a bare `litestream restore -o NEW`. Check: `dbguard check` on the "
        "demo database with and without the replica target (replication running). GNU time.",
    )
    _rpo(context, section)
    _writer_stall(context, section)
    for size in context.settings.backup_sizes_mib:
        _not_failing(section, f"restore at {size_label(size)}", _restore, context, section, size)
    _not_failing(section, "check's added time", _check_added_time, context, section)
    return section


def _not_failing(section: Section, what: str, function: Callable[..., None], *args: object) -> None:
    """Run one measurement; a failure is noted in the results instead of ending the bench."""
    try:
        function(*args)
    except (RuntimeError, OSError, sqlite3.Error, subprocess.SubprocessError) as error:
        log.warning("%s not measured: %s", what, error)
        section.notes.append(f"{what}: not measured ({error}).")


# -- helpers -------------------------------------------------------------------------------


def _config(context: Context, name: str, database: Path, *, replication: bool = True) -> Path:
    """The benchmark's dbguard.toml, replicating `database` into <work>/replica (or not)."""
    work = context.scratch(name)
    config = context.write_config(name, database=database, backup_dir=work / "backups")
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data["replication"] = {"enabled": replication, "replica": str(work / "replica")}
    config.write_text(to_toml(data), encoding="utf-8")
    return config


def _litestream_pids(database: Path) -> list[int]:
    from backup.holders import processes_holding

    return processes_holding(database, command="litestream") or []


def _wait(condition: object, what: str, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def _snapshot_done(replica: Path) -> bool:
    return any(path.suffix == ".ltx" for path in (replica / "ltx" / "9").glob("*.ltx"))


def _snapshot_completed_at(log_file: Path) -> float | None:
    """When Litestream logged "snapshot complete" (Unix time), if it did."""
    from datetime import datetime

    for line in log_file.read_text(errors="replace").splitlines():
        if "snapshot complete" in line and line.startswith("time="):
            stamp = line.split()[0].removeprefix("time=").replace("Z", "+00:00")
            return datetime.fromisoformat(stamp).timestamp()
    return None


@contextlib.contextmanager
def _replicating(
    context: Context, config: Path, database: Path
) -> Iterator[subprocess.Popen[bytes]]:
    log_file = (config.parent / "replicate.log").open("ab")
    process = subprocess.Popen(
        [context.dbguard, "--config", str(config), "replicate"],
        cwd=config.parent,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: bool(_litestream_pids(database)) or process.poll() is not None, "litestream")
        if process.poll() is not None:
            raise RuntimeError(f"dbguard replicate exited with {process.returncode}")
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for pid in _litestream_pids(database):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log_file.close()


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(path.with_name(f".{path.name}-litestream"), ignore_errors=True)


def _rows(database: Path) -> dict[int, float]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return dict(connection.execute("SELECT id, committed_at FROM replication_rows").fetchall())


def _restore(context: Context, section: Section, size_mib: int) -> None:
    template = datasets.blob_database(context.data_dir, size_mib)
    name = f"replication_restore_{size_mib}"
    work = context.scratch(name)
    live = work / "live.sqlite3"
    _fresh(live)
    shutil.copyfile(template.path, live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    config = _config(context, name, live)
    started = time.monotonic()
    with _replicating(context, config, live):
        _wait(lambda: _snapshot_done(work / "replica"), "the first snapshot", timeout=1800)
        snapshot_s = time.monotonic() - started
    replica_mib = sum(path.stat().st_size for path in (work / "replica").rglob("*.ltx")) / 2**20
    section.notes.append(
        f"{size_label(size_mib)}: Litestream's first snapshot took about {snapshot_s:.0f} s "
        f"(from `dbguard replicate` starting); the replica holds {replica_mib:.0f} MiB of LTX "
        f"files for a {template.size_bytes / 2**20:.0f} MiB database: the snapshot (level 9) and "
        "the first transaction's file (levels 0 and 1) each hold every page, and random blobs "
        "do not compress."
    )
    out = work / "restored.sqlite3"
    remove = f"rm -f {out} {out}-wal {out}-shm {out}.manifest.json; "
    dbguard_series = Series(
        f"dbguard backup restore --from-replica ({size_label(size_mib)})",
        [
            "sh",
            "-c",
            remove
            + f"{context.dbguard} --config {config} backup restore --from-replica --db {out} --yes",
        ],
    )
    bare_series = Series(
        f"litestream restore -o ({size_label(size_mib)})",
        ["sh", "-c", remove + f"{LITESTREAM} restore -o {out} {(work / 'replica').as_uri()}"],
    )
    series = [dbguard_series, bare_series]
    measure_rounds(
        series,
        # At 1 GiB a round takes about 25 s: fewer rounds keep `make bench` near 15 minutes.
        rounds=context.settings.heavy_runs if size_mib < 1024 else context.settings.scale_runs,
        cwd=REPO_ROOT,
        timeout=1800,
        slow_single_run_s=context.settings.slow_round_s,
    )
    section.series += series
    section.checks.append(
        ratio_check(
            f"restore from the replica at {size_label(size_mib)}: dbguard / bare litestream (wall)",
            dbguard_series,
            bare_series,
            None,
        )
    )
    if dbguard_series.measured:
        section.checks.append(
            Check(
                f"restore from the replica at {size_label(size_mib)} (dbguard, wall)",
                f"{dbguard_series.wall_median:.1f} s",
                "—",
                None,
            )
        )
    for path in (out, work / "replica", live):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            _fresh(path)


# -- RPO -----------------------------------------------------------------------------------


def _rpo(context: Context, section: Section) -> None:
    runs = max(1, context.settings.heavy_runs)
    results: dict[str, list[tuple[float, int]]] = {"writer": [], "crash": []}
    for number in range(runs):
        for mode in ("writer", "crash"):
            try:
                results[mode].append(_rpo_once(context, mode, number))
            except (RuntimeError, OSError, sqlite3.Error, subprocess.SubprocessError) as error:
                log.warning("RPO run (%s) failed: %s", mode, error)
    for mode, label in (
        ("writer", "writer killed, Litestream keeps running"),
        ("crash", "writer, Litestream and dbguard killed together (host crash)"),
    ):
        figures = results[mode]
        if not figures:
            section.checks.append(
                Check(f"RPO after kill -9, {label}", "not measured", "≤ 1 s", None)
            )
            continue
        seconds = [lost for lost, _ in figures]
        commits = [rows for _, rows in figures]
        section.checks.append(
            Check(
                f"RPO after kill -9, {label}: median / worst of {len(figures)} runs",
                f"{statistics.median(seconds):.2f} s / {max(seconds):.2f} s "
                f"({statistics.median(commits):.0f} / {max(commits)} commits lost)",
                f"≤ {RPO_TARGET_S:g} s",
                max(seconds) <= RPO_TARGET_S,
            )
        )
    section.notes.append(
        "RPO runs: each on a new database and replica; the writer commits for "
        f"{RPO_WRITE_S:g} s before the kill. After a host crash nothing ships the last second "
        "of WAL: Litestream turns new WAL frames into an LTX file every `monitor-interval` and "
        "uploads every `sync-interval` (dbguard sets both to `sync_interval`), so up to one "
        "interval, plus the time to write the file, can be lost."
    )


def _rpo_once(context: Context, mode: str, number: int) -> tuple[float, int]:
    name = f"replication_rpo_{mode}_{number}"
    work = context.scratch(name)
    live = work / "live.sqlite3"
    _fresh(live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    with contextlib.closing(sqlite3.connect(live, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(
            "CREATE TABLE replication_rows (id INTEGER PRIMARY KEY, committed_at REAL NOT NULL)"
        )
    config = _config(context, name, live)
    ready = work / "writer.ready"
    ready.unlink(missing_ok=True)
    with _replicating(context, config, live) as replicator:
        _wait(lambda: _snapshot_done(work / "replica"), "the first snapshot")
        writer = subprocess.Popen(
            [
                context.python,
                str(NUMBERED_WRITER),
                "--db",
                str(live),
                "--rate",
                str(WRITE_RATE),
                "--duration",
                "600",
                "--ready-file",
                str(ready),
            ]
        )
        try:
            _wait(lambda: ready.exists(), "the writer", timeout=30)
            time.sleep(RPO_WRITE_S)
            victims = [writer.pid]
            if mode == "crash":
                victims += [*_litestream_pids(live), replicator.pid]
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
        finally:
            if writer.poll() is None:
                writer.kill()
            writer.wait(timeout=30)
        if mode == "writer":
            time.sleep(2 * SYNC_INTERVAL_S)
        restored = work / "restored.sqlite3"
        _fresh(restored)
        result = subprocess.run(
            [
                context.dbguard,
                "--config",
                str(config),
                "backup",
                "restore",
                "--from-replica",
                "--db",
                str(restored),
                "--yes",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"restore failed: {result.stderr.strip()}")
    live_rows, restored_rows = _rows(live), _rows(restored)
    lost = max(live_rows.values(), default=0.0) - max(restored_rows.values(), default=0.0)
    lost_commits = len(set(live_rows) - set(restored_rows))
    log.info("RPO (%s): %.3f s, %d commits lost of %d", mode, lost, lost_commits, len(live_rows))
    _fresh(restored)
    return max(0.0, lost), lost_commits


# -- writer stall ---------------------------------------------------------------------------


def _writer_stall(context: Context, section: Section) -> None:
    size = min(context.settings.backup_sizes_mib)
    template = datasets.blob_database(context.data_dir, size)
    runs = max(1, min(3, context.settings.heavy_runs))
    worst: dict[str, list[float]] = {"off": [], "on": [], "steady": []}
    p99: dict[str, list[float]] = {"off": [], "on": []}
    for number in range(runs):
        for mode in ("off", "on"):
            try:
                stats, snapshot_at = _writer_run(context, template.path, size, mode, number)
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                log.warning("writer run (replication %s) failed: %s", mode, error)
                continue
            worst[mode].append(stats["max_commit_ms"])
            p99[mode].append(stats["p99_commit_ms"])
            if snapshot_at is not None:
                after = [ms for start, ms in stats["commit_times"] if start > snapshot_at]
                if after:
                    worst["steady"].append(max(after))
    for mode, label, target in (
        ("off", "replication off", False),
        ("on", "replication on (first snapshot included)", True),
        ("steady", "replication on, after the first snapshot", False),
    ):
        values = worst[mode]
        figure = (
            f"writer's worst commit at {size_label(size)}, {label} (worst of {len(values)} runs)"
        )
        if not values:
            section.checks.append(Check(figure, "not measured", "—", None))
            continue
        measured = f"{max(values):.0f} ms"
        if mode in p99:
            measured += f" (p99 {statistics.median(p99[mode]):.1f} ms)"
        section.checks.append(
            Check(
                figure,
                measured,
                f"≤ {STALL_TARGET_MS:g} ms" if target else "—",
                max(values) <= STALL_TARGET_MS if target else None,
            )
        )


def _writer_run(
    context: Context, template: Path, size: int, mode: str, number: int
) -> tuple[dict[str, object], float | None]:
    name = f"replication_stall_{mode}"
    work = context.scratch(name)
    live = work / "live.sqlite3"
    _fresh(live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    shutil.copyfile(template, live)
    os.sync()
    config = _config(context, name, live)
    stats_path = work / "writer.json"
    ready = work / "writer.ready"
    stats_path.unlink(missing_ok=True)
    ready.unlink(missing_ok=True)
    writer = subprocess.Popen(
        [
            context.python,
            "-m",
            "bench.writer",
            "--db",
            str(live),
            "--stats-json",
            str(stats_path),
            "--ready-file",
            str(ready),
            "--duration",
            str(STALL_WINDOW_S),
        ],
        cwd=REPO_ROOT,
    )
    snapshot_at: float | None = None
    (work / "replicate.log").unlink(missing_ok=True)
    try:
        _wait(lambda: ready.exists() or writer.poll() is not None, "the writer", timeout=60)
        if mode == "on":
            time.sleep(1.0)
            with _replicating(context, config, live):
                writer.wait(timeout=STALL_WINDOW_S + 60)
            completed = _snapshot_completed_at(work / "replicate.log")
            # Steady state: from a second after Litestream finished its first snapshot.
            snapshot_at = None if completed is None else completed + 1.0
        writer.wait(timeout=STALL_WINDOW_S + 60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(timeout=30)
    stats = json.loads(stats_path.read_text())
    log.info(
        "writer, replication %s (%s): worst commit %.1f ms, p99 %.1f ms, %d commits",
        mode,
        size_label(size),
        stats["max_commit_ms"],
        stats["p99_commit_ms"],
        stats["commits"],
    )
    _fresh(live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    return stats, snapshot_at


# -- check ----------------------------------------------------------------------------------


def _check_added_time(context: Context, section: Section) -> None:
    demo = datasets.demo_shaped(context.data_dir, None).path
    work = context.scratch("replication_check")
    live = work / "live.sqlite3"
    _fresh(live)
    shutil.copyfile(demo, live)
    shutil.rmtree(work / "backups", ignore_errors=True)
    shutil.rmtree(work / "replica", ignore_errors=True)
    plain = _config(context, "replication_check", live, replication=False)
    plain = plain.rename(plain.with_name("plain.toml"))
    with_replica = _config(context, "replication_check", live)
    subprocess.run(
        [context.dbguard, "--config", str(plain), "backup", "create"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    without_series = Series(
        "dbguard check, no replication (demo)",
        [context.dbguard, "--config", str(plain), "check"],
        ok_exit_codes=(0, 1),
    )
    with_series = Series(
        "dbguard check, with the replica target (demo)",
        [context.dbguard, "--config", str(with_replica), "check"],
        ok_exit_codes=(0, 1),
    )
    series = [without_series, with_series]
    with _replicating(context, with_replica, live):
        _wait(lambda: _snapshot_done(work / "replica"), "the first snapshot")
        measure_rounds(
            series,
            rounds=context.settings.scale_runs,  # a difference of seconds: 3 rounds tell it
            cwd=REPO_ROOT,
            timeout=900,
            warmup=True,
        )
    section.series += series
    section.checks.append(
        ratio_check(
            "`check` with the replica target / without (wall)", with_series, without_series, None
        )
    )
    if with_series.measured and without_series.measured:
        added = with_series.wall_median - without_series.wall_median
        section.checks.append(
            Check(
                "`check`'s added time for the replica target (wall, medians)",
                f"{added:.1f} s",
                "—",
                None,
            )
        )
