"""A stand-in for the demo's application: commits one valid `fault_record` row at a time.

    python tests/fault_writer.py --db PATH --rate 4 --duration S --ids-file OUT [--ready-file F]

Each commit inserts an open fault (a new id, SQLite's next) that passes every rule of
expectations/fault_record.json, and appends its id to the ids file after the COMMIT, so the
file names exactly the rows committed. Ends after `duration` seconds or on SIGTERM. The
incident diff and repair tests run it beside the damage to prove later writes are kept.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rate", type=float, default=4.0, help="commits per second")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--ids-file", required=True, type=Path)
    parser.add_argument("--ready-file", type=Path, default=None)
    args = parser.parse_args()

    stop = False

    def on_term(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    connection = sqlite3.connect(args.db, timeout=30.0, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 30000")
    if args.ready_file is not None:
        args.ready_file.write_text("ready")
    ends = time.monotonic() + args.duration
    with args.ids_file.open("a") as ids:
        while not stop and time.monotonic() < ends:
            started = time.monotonic()
            now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            cursor = connection.execute(
                "INSERT INTO fault_record (site, node_id, device_type, fault_type, severity,"
                " status, start_time, recovery_time, description)"
                " VALUES ('DC-Beijing-01', 1, 'UPS', 'power_loss', 'minor', 'open', ?, NULL,"
                " 'written by tests/fault_writer.py')",
                (now,),
            )
            ids.write(f"{cursor.lastrowid}\n")
            ids.flush()
            time.sleep(max(0.0, 1.0 / args.rate - (time.monotonic() - started)))
    connection.close()


if __name__ == "__main__":
    main()
