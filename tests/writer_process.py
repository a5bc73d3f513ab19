"""A stand-in for the application: commits money transfers to a WAL database as fast as it can.

    python tests/writer_process.py --db PATH --duration S --stats-json OUT [--ready-file F]

Creates `writer_accounts(id, balance)` with 100 accounts of 1000 each if the
table is missing; every commit moves an amount between two accounts, so the
sum of balances is constant (100000) in every consistent snapshot. Writes
`{"commits", "max_commit_ms", "p99_commit_ms", "mean_commit_ms", "seconds"}`
to the stats file when done (or on SIGTERM). The bench reuses this script.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import time
from pathlib import Path

ACCOUNTS = 100
START_BALANCE = 1000
TOTAL = ACCOUNTS * START_BALANCE


def prepare(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS writer_accounts ("
        "id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)"
    )
    connection.execute("BEGIN IMMEDIATE")
    (count,) = connection.execute("SELECT COUNT(*) FROM writer_accounts").fetchone()
    if count == 0:
        connection.executemany(
            "INSERT INTO writer_accounts (id, balance) VALUES (?, ?)",
            [(number, START_BALANCE) for number in range(1, ACCOUNTS + 1)],
        )
    connection.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--duration", required=True, type=float)
    parser.add_argument("--stats-json", required=True, type=Path)
    parser.add_argument("--ready-file", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    stop = False

    def on_term(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    connection = sqlite3.connect(args.db, timeout=30.0, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 30000")
    prepare(connection)
    if args.ready_file is not None:
        args.ready_file.write_text("ready\n")
    rng = random.Random(args.seed)
    durations: list[float] = []
    started = time.monotonic()
    deadline = started + args.duration
    while not stop and time.monotonic() < deadline:
        source, target = rng.sample(range(1, ACCOUNTS + 1), 2)
        amount = rng.randint(1, 50)
        began = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE writer_accounts SET balance = balance - ? WHERE id = ?", (amount, source)
        )
        connection.execute(
            "UPDATE writer_accounts SET balance = balance + ? WHERE id = ?", (amount, target)
        )
        connection.execute("COMMIT")
        durations.append((time.perf_counter() - began) * 1000)
    connection.close()
    ordered = sorted(durations)
    stats = {
        "commits": len(durations),
        "max_commit_ms": round(ordered[-1], 3) if ordered else 0.0,
        "p99_commit_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 3) if ordered else 0.0,
        "mean_commit_ms": round(sum(ordered) / len(ordered), 3) if ordered else 0.0,
        "seconds": round(time.monotonic() - started, 3),
    }
    args.stats_json.write_text(json.dumps(stats, indent=2) + "\n")


if __name__ == "__main__":
    main()
