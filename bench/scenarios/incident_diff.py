"""`dbguard incident diff` on pue_drill_data at 1 M and 10 M rows: wall time and peak memory.

Issue 18's goal: memory flat as rows grow (peak RSS at 10 M ≤ 1.2× the one at 1 M), since the
diff is SQL over attached files (key joins, EXCEPT), never rows held in Python.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess

from bench import datasets
from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section, Series, measure_rounds

MEMORY_GROWTH_TARGET = 1.2
DAMAGE = (
    "DELETE FROM pue_drill_data WHERE id % 10 = 0",  # 10 % deleted
    "UPDATE pue_drill_data SET energy_kwh = energy_kwh + 1 WHERE id % 100 = 1",  # 1 % changed
    "INSERT INTO pue_drill_data (pue_id, item_code, category, energy_kwh)"
    " SELECT pue_id, item_code || '-later', category, energy_kwh FROM pue_drill_data"
    " WHERE id % 1000 = 2",  # 0.1 % inserted since
)


def run(context: Context) -> Section:
    sizes = context.settings.scale_rows
    section = Section(
        "incident_diff",
        "Incident diff: what was lost, at " + " and ".join(f"{rows:,}" for rows in sizes) + " rows",
        "`dbguard incident diff --from BACKUP` (printed form) between a backup of a database of "
        "the demo's shape and a copy damaged after it: 10 % of pue_drill_data deleted, 1 % "
        "changed, 0.1 % inserted. The backup is made with `dbguard backup create` and the "
        "damage done before timing; the time includes bringing the backup back into a scratch "
        "folder (verify and copy), as every diff does. GNU time.",
    )
    by_rows: dict[int, Series] = {}
    for rows in sizes:
        series = _measure(context, section, rows)
        by_rows[rows] = series
        section.series.append(series)
    if len(by_rows) >= 2:
        low, high = by_rows[min(by_rows)], by_rows[max(by_rows)]
        if low.measured and high.measured:
            growth = high.rss_median / low.rss_median
            section.checks.append(
                Check(
                    f"peak memory {min(by_rows):,} → {max(by_rows):,} rows",
                    f"{low.rss_median:.0f} → {high.rss_median:.0f} MiB ({growth:.2f}×)",
                    f"≤ {MEMORY_GROWTH_TARGET:g}×",
                    growth <= MEMORY_GROWTH_TARGET,
                )
            )
    return section


def _measure(context: Context, section: Section, rows: int) -> Series:
    dataset = datasets.demo_shaped(context.data_dir, rows)
    work = context.scratch(f"incident_diff_{rows}")
    backups, live = work / "backups", work / "live.sqlite3"
    shutil.rmtree(backups, ignore_errors=True)
    for leftover in work.glob("live.sqlite3*"):
        leftover.unlink()
    source = sqlite3.connect(f"file:{dataset.path}?mode=ro", uri=True)
    with contextlib.closing(source), contextlib.closing(sqlite3.connect(live)) as copy:
        source.backup(copy)
    config = context.write_config(f"incident_diff_{rows}", database=live, backup_dir=backups)
    created = subprocess.run(
        [context.dbguard, "--config", str(config), "backup", "create"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    series = Series(f"incident diff at {rows:,} rows", [])
    made = sorted(backups.glob("db_*.sqlite3")) if backups.is_dir() else []
    if created.returncode != 0 or not made:
        series.failure = f"backup create failed: {created.stderr.strip()[-300:]}"
        return series
    with contextlib.closing(sqlite3.connect(live, isolation_level=None)) as connection:
        for statement in DAMAGE:
            connection.execute(statement)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    series.command = [
        context.dbguard,
        "--config",
        str(config),
        "incident",
        "diff",
        "--from",
        made[-1].name,
    ]
    section.notes.append(
        f"{rows:,} rows: {dataset.path.name}, {dataset.size_bytes / 2**20:.0f} MiB"
        f" ({'reused from the cache' if dataset.reused else 'built in this run'})."
    )
    rounds = 1 if rows >= 10_000_000 else context.settings.heavy_runs
    measure_rounds([series], rounds=rounds, cwd=REPO_ROOT, timeout=3600)
    return series
