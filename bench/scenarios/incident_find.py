"""`dbguard incident find` over a replica's history: wall time and probe count (issue 18).

How the history is made (simulated, not 24 real hours): `dbguard replicate` (real Litestream,
`sync_interval = 100ms`) runs while tests/numbered_writer.py commits one row every 100 ms
(into its own table: rows added to fault_record would cross its critical band by
themselves, and find would rightly find that), so each write becomes one Litestream
transaction: one write a second, ten times faster. Two thirds through, the bad DELETE of 40 % of fault_record and an UPDATE of
10 pue_data rows to pue = 9.9 run; the writer goes on. Litestream compacts as it would
(level 1 every 30 s of real time). Then `incident find --json` runs on the stopped replica.
A real 24-hour replica after Litestream's compaction restores at about a few hundred points
(hourly, 5-minute and 30-second boundaries plus recent transactions); bisection costs about
log2(points) + 3 probes, so the measured history's probe count (60 s: about 600
transactions) bounds that one's. The two sizes' histories are made at the same time (a
writer and a Litestream each, light work) to keep `make bench` near 20 minutes.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from functools import partial
from pathlib import Path

from bench import datasets
from bench.context import REPO_ROOT, Context, to_toml
from bench.measure import Check, Section, Series, measure_rounds, value_check
from bench.scenarios.replication.common import fresh, not_failing, replicating, wait

NUMBERED_WRITER = REPO_ROOT / "tests" / "numbered_writer.py"
SYNC_INTERVAL = "100ms"
WRITE_RATE = 10.0  # writes a second: one per sync
HISTORY_S = 60.0  # 600 transactions, more points than a compacted 24 h replica restores at
GOAL_5MB_S = 20.0
SMALL_MIB = 5  # the seed's database
BIG_MIB = 200
DEMO_ROWS = 14_254  # rows in the demo database (0.7 MiB)


def run(context: Context) -> Section:
    seconds = 20.0 if context.settings.quick else HISTORY_S
    section = Section(
        "incident",
        "Incident find: when the damage began (issue 18)",
        f"`dbguard incident find --json` on a replica holding {seconds:g} s of history at "
        f"{WRITE_RATE:g} writes a second (one Litestream transaction each), the damage two "
        "thirds through; at the seed's size (5 MiB) and at 200 MiB (the demo's shape with more "
        "pue_drill_data rows, baselines captured for each). The history is simulated, both "
        "sizes' at once (see bench/scenarios/incident_find.py); the finds run one after the "
        "other once it is made. GNU time; the probe count comes from find's JSON.",
    )
    sizes = [(f"{SMALL_MIB} MiB", _rows_for(context, SMALL_MIB))]
    if not context.settings.quick:
        sizes.append((f"{BIG_MIB} MiB", _rows_for(context, BIG_MIB)))
    histories: list[tuple[str, Path, Path]] = []
    not_failing(section, "incident find", _histories, context, section, sizes, seconds, histories)
    for label, config, work in histories:
        not_failing(
            section, f"incident find at {label}", _find, context, section, label, config, work
        )
    small = next((s for s in section.series if s.label.endswith(f" {SMALL_MIB} MiB")), None)
    if small is not None:
        section.checks.append(
            value_check(
                f"incident find at {SMALL_MIB} MiB (wall, median)",
                small,
                lambda s: s.wall_median,
                "s",
                GOAL_5MB_S,
            )
        )
    return section


def _rows_for(context: Context, size_mib: int) -> int:
    """pue_drill_data rows that make the demo-shaped database about `size_mib`."""
    demo = datasets.demo_shaped(context.data_dir, None)
    per_row = demo.size_bytes / DEMO_ROWS
    return int(size_mib * 2**20 / per_row)


def _histories(
    context: Context,
    section: Section,
    sizes: list[tuple[str, int]],
    seconds: float,
    made: list[tuple[str, Path, Path]],
) -> None:
    """One replica history per size, all written at the same time (a writer and a `dbguard
    replicate` each: light work, so they barely compete); (label, config, work) into `made`."""
    prepared = []
    for label, drill_rows in sizes:
        name = "incident-" + label.replace(" ", "").lower()
        work = context.scratch(name)
        template = datasets.demo_shaped(context.data_dir, drill_rows)
        database = work / "db.sqlite3"
        fresh(database)
        shutil.rmtree(work / "replica", ignore_errors=True)
        shutil.rmtree(work / "backups", ignore_errors=True)
        shutil.copyfile(template.path, database)
        config = _config(context, name, database, work)
        prepared.append((label, config, work, database, template.size_bytes))
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        for _, config, _, database, _ in prepared:
            stack.enter_context(replicating(context, config, database))
        for _, _, work, _, _ in prepared:
            wait(partial(_snapshot_made, work), "the first snapshot")
        writers = [_writer(database, seconds) for _, _, _, database, _ in prepared]
        try:
            time.sleep(seconds * 2 / 3)
            for _, _, _, database, _ in prepared:
                _damage(database)
            for writer in writers:
                writer.wait(timeout=seconds + 60)
        finally:
            for writer in writers:
                if writer.poll() is None:
                    writer.kill()
        time.sleep(1.0)  # the last transactions reach the replicas
    sizes_text = ", ".join(f"{size / 2**20:.0f} MiB" for *_, size in prepared)
    section.notes.append(
        f"The histories ({sizes_text} databases) took {time.perf_counter() - started:.0f} s "
        "to make, together."
    )
    made.extend((label, config, work) for label, config, work, _, _ in prepared)


def _snapshot_made(work: Path) -> bool:
    return any((work / "replica" / "ltx").glob("*/*.ltx"))


def _writer(database: Path, seconds: float) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(NUMBERED_WRITER), "--db", str(database)]
    return subprocess.Popen([*command, "--rate", str(WRITE_RATE), "--duration", str(seconds)])


def _find(context: Context, section: Section, label: str, config: Path, work: Path) -> None:
    output = work / "find.json"
    series = Series(
        f"incident find at {label}",
        ["sh", "-c", 'exec "$@" > "$0"', str(output), context.dbguard, "--config", str(config),
         "incident", "find", "--json"],
    )  # fmt: skip
    rounds = 1 if label == f"{BIG_MIB} MiB" else context.settings.heavy_runs
    measure_rounds([series], rounds=rounds, cwd=work, timeout=1800)
    section.series.append(series)
    if series.measured:
        found = json.loads(output.read_text())
        good, bad = found.get("last_good") or {}, found.get("first_bad") or {}
        section.checks.append(
            Check(
                f"incident find at {label}: probes / recovery points (wall time: the table)",
                f"{found['probes']} / {found['points']}",
                "—",
                None,
            )
        )
        section.notes.append(
            f"{label}: {found['points']} recovery points, {found['probes']} probes; "
            f"last good {good.get('txid') or good.get('backup')}, first bad "
            f"{bad.get('txid') or bad.get('backup') or bad.get('live')}; {found['precision']}"
        )


def _config(context: Context, name: str, database: Path, work: Path) -> Path:
    """Replicating every 100 ms, with suites whose row-count baselines fit this database."""
    import tomllib

    expectations = work / "expectations"
    shutil.rmtree(expectations, ignore_errors=True)
    shutil.copytree(REPO_ROOT / "expectations", expectations)
    config = context.write_config(
        name, database=database, backup_dir=work / "backups", expectations_dir=expectations
    )
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data["replication"] = {
        "enabled": True,
        "replica": str(work / "replica"),
        "sync_interval": SYNC_INTERVAL,
    }
    config.write_text(to_toml(data), encoding="utf-8")
    subprocess.run(
        [context.dbguard, "--config", str(config), "baseline", "--accept"],
        cwd=work, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return config


def _damage(database: Path) -> None:
    with closing(sqlite3.connect(database, isolation_level=None, timeout=30)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "DELETE FROM fault_record WHERE id IN (SELECT id FROM fault_record ORDER BY id "
            "LIMIT (SELECT count(*) * 4 / 10 FROM fault_record))"
        )
        connection.execute(
            "UPDATE pue_data SET pue = 9.9 WHERE id IN (SELECT id FROM pue_data ORDER BY id LIMIT 10)"
        )
        connection.execute("COMMIT")
