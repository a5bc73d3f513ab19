"""A concurrent writer: commits small transfers into `writer_accounts` until told to stop.

    python -m bench.writer --db PATH --stats-json OUT [--duration S] [--ready-file F]

It stops after --duration seconds or on SIGTERM/SIGINT, then writes its stats:
commits, max_commit_ms, p99_commit_ms, and every commit's start (Unix
seconds) and duration (ms), so the harness can find the longest stall inside
the window a backup ran in. Each commit is timed from BEGIN IMMEDIATE
to the end of COMMIT, so a commit that waited on a lock counts its wait.
The same stats as tests/writer_process.py; this one also stops on a signal
and keeps commit times, which a benchmark needs.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

ACCOUNTS = 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--stats-json", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=3600.0)
    parser.add_argument("--interval-ms", type=float, default=2.0, help="pause between commits")
    parser.add_argument("--ready-file", type=Path, help="created after the first commit")
    parser.add_argument(
        "--synchronous",
        default="FULL",
        choices=("OFF", "NORMAL", "FULL"),
        help="PRAGMA synchronous (FULL, SQLite's default, fsyncs the WAL at every commit)",
    )
    args = parser.parse_args(argv)

    stopping = False

    def stop(_signal: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    connection = sqlite3.connect(args.db, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(f"PRAGMA synchronous = {args.synchronous}")
    _create_accounts(connection)
    rng = random.Random(7)
    durations: list[float] = []
    commit_times: list[tuple[float, float]] = []
    started = time.monotonic()
    while not stopping and time.monotonic() - started < args.duration:
        source, target = rng.sample(range(1, ACCOUNTS + 1), 2)
        amount = rng.randint(1, 100)
        wall_start = time.time()
        begin = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE writer_accounts SET balance = balance - ? WHERE id = ?", (amount, source)
        )
        connection.execute(
            "UPDATE writer_accounts SET balance = balance + ? WHERE id = ?", (amount, target)
        )
        connection.execute("COMMIT")
        elapsed_ms = (time.perf_counter() - begin) * 1000
        durations.append(elapsed_ms)
        commit_times.append((round(wall_start, 4), round(elapsed_ms, 3)))
        if len(durations) == 1 and args.ready_file:
            args.ready_file.write_text("ready\n")
        time.sleep(args.interval_ms / 1000)
    connection.close()

    ordered = sorted(durations)
    stats = {
        "commits": len(durations),
        "seconds": time.monotonic() - started,
        "max_commit_ms": ordered[-1] if ordered else 0.0,
        "p99_commit_ms": ordered[int(len(ordered) * 0.99)] if ordered else 0.0,
        "commit_times": commit_times,
    }
    args.stats_json.write_text(json.dumps(stats))
    return 0


def start_writer(
    python: str, db: Path, stats_json: Path, *options: str, timeout: float = 60.0
) -> subprocess.Popen[bytes]:
    """Start `python -m bench.writer` on `db` and return once it has committed (the caller
    stops it). Raises RuntimeError if it exits or does not commit within `timeout`."""
    ready = stats_json.with_name(stats_json.stem + ".ready")
    stats_json.unlink(missing_ok=True)
    ready.unlink(missing_ok=True)
    command = [python, "-m", "bench.writer", "--db", str(db), "--stats-json", str(stats_json)]
    command += ["--ready-file", str(ready), *options]
    writer = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if writer.poll() is not None or time.monotonic() > deadline:
            writer.kill()
            writer.wait()
            raise RuntimeError("the benchmark writer did not start committing")
        time.sleep(0.05)
    return writer


def _create_accounts(connection: sqlite3.Connection) -> None:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS writer_accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)"
    )
    if connection.execute("SELECT COUNT(*) FROM writer_accounts").fetchone()[0] == 0:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO writer_accounts (id, balance) VALUES (?, 1000)",
            ((account,) for account in range(1, ACCOUNTS + 1)),
        )
        connection.execute("COMMIT")


if __name__ == "__main__":
    raise SystemExit(main())
