"""`dbguard check` and `dbguard health --quick` on PostgreSQL, against the same rules as plain
SQL through psycopg on the same server.

    python -m bench.postgres                      # 1 M and 10 M rows of pue_drill_data, 3 runs
    python -m bench.postgres --rows 1000000 --runs 1

It starts a throwaway cluster (tests/postgres_cluster.py: initdb + pg_ctl on a free port,
fsync off, as the `postgres` user when run as root) and stops it at the end. Each size is the
demo's shape (bench.datasets.demo_shaped, cached in bench/.data/) copied into a fresh
database. Wall times are medians of --runs runs, interleaved; the suites are a copy of the
demo's with their row-count baselines re-captured by `dbguard baseline` (not timed), as the
SQLite scale benchmark does, so every rule passes on both sides. The plain SQL is
bench/plain_sql.py's `run_suites` on one psycopg connection, timed in-process (no
interpreter start-up). Writes bench/.data/POSTGRES.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import datasets
from bench.context import BENCH_DIR, REPO_ROOT
from bench.plain_sql import run_suites

sys.path.insert(0, str(REPO_ROOT / "tests"))  # the throwaway cluster the tests use

DBGUARD = str(Path(sys.executable).parent / "dbguard")


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def run_command(command: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> None:
    """Run a command to its end; an exit code outside `ok` means it did not complete."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=3600)
    if result.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)}: exit {result.returncode}\n{result.stderr}")


def plain_sql(url: str, expectations: Path) -> None:
    import psycopg

    from dbguard.config.database_url import libpq_conninfo
    from dbguard.postgres.connection import session_options

    with psycopg.connect(
        libpq_conninfo(url), autocommit=True, options=session_options("public")
    ) as connection:
        outcomes, _ = run_suites(connection, expectations)  # type: ignore[arg-type]
    failed = [outcome.rule for outcome in outcomes if not outcome.success]
    if failed:
        raise RuntimeError(f"plain SQL: rules failed on the bench data: {failed}")


def measure(url: str, folder: Path, runs: int) -> dict[str, list[float]]:
    shutil.rmtree(folder, ignore_errors=True)
    expectations = Path(shutil.copytree(REPO_ROOT / "expectations", folder / "expectations"))
    config = folder / "dbguard.toml"
    config.write_text(
        f"[database]\nurl = {json.dumps(url)}\n"
        f"[checks]\nexpectations_dir = {json.dumps(str(expectations))}\n"
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
    )
    run_command([DBGUARD, "--config", str(config), "baseline", "--accept"], folder, ok=(0,))
    series: dict[str, Callable[[], object]] = {
        "dbguard check": lambda: run_command([DBGUARD, "--config", str(config), "check"], folder),
        "plain SQL (psycopg)": lambda: plain_sql(url, expectations),
        # Nagios codes: 2 is CRITICAL (the demo's bands at other sizes), still a complete run.
        "dbguard health --quick": lambda: run_command(
            [DBGUARD, "--config", str(config), "health", "--quick"], folder, ok=(0, 1, 2)
        ),
    }
    found: dict[str, list[float]] = {name: [] for name in series}
    for _ in range(runs):
        for name, action in series.items():
            found[name].append(timed(action))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.postgres", description=__doc__)
    parser.add_argument("--rows", type=int, action="append", help="rows of pue_drill_data")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = args.rows or [1_000_000, 10_000_000]
    data_dir = BENCH_DIR / ".data"
    from postgres_cluster import PostgresCluster

    from dbguard.config import DatabaseConfig
    from dbguard.demo.postgres import load_demo

    cluster = PostgresCluster().start()
    lines = [
        "| rows of pue_drill_data | load (s) | dbguard check (s) | plain SQL (s) | ratio |"
        " health --quick (s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    try:
        for rows in sizes:
            source = datasets.demo_shaped(data_dir, rows).path
            name = f"bench_{rows}"
            url = cluster.create_database(name)
            started = time.perf_counter()
            load_demo(DatabaseConfig(url=url), source=source)
            load = time.perf_counter() - started
            found = measure(url, data_dir / "work" / f"postgres_{rows}", args.runs)
            check, plain, health = (statistics.median(found[key]) for key in found)
            lines.append(
                f"| {rows:,} | {load:.0f} | {check:.1f} | {plain:.2f} | {check / plain:.1f}× |"
                f" {health:.2f} |"
            )
            print(lines[-1], flush=True)
            cluster.drop_database(name)
    finally:
        cluster.stop()
    output = data_dir / "POSTGRES.md"
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
