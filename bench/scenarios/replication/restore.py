"""Restore from the replica: `dbguard backup restore --from-replica` (Litestream's restore, then
dbguard's verified path) against a bare `litestream restore`, on a blob database."""

from __future__ import annotations

import shutil
import time

from bench import datasets
from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section, Series, measure_rounds, ratio_check
from bench.scenarios.backup import size_label
from bench.scenarios.replication.common import (
    LITESTREAM,
    fresh,
    replica_config,
    replicating,
    snapshot_done,
    wait,
)


def measure_restore(context: Context, section: Section, size_mib: int) -> None:
    template = datasets.blob_database(context.data_dir, size_mib)
    name = f"replication_restore_{size_mib}"
    work = context.scratch(name)
    live = work / "live.sqlite3"
    fresh(live)
    shutil.copyfile(template.path, live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    config = replica_config(context, name, live)
    started = time.monotonic()
    with replicating(context, config, live):
        wait(lambda: snapshot_done(work / "replica"), "the first snapshot", timeout=1800)
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
    smallest = min(context.settings.backup_sizes_mib)
    measure_rounds(
        series,
        # A round takes about 5 s at 200 MiB and 30 s at 1 GiB: three rounds at the small size
        # (a median of three), one at 1 GiB (its ratio matched 200 MiB's within 1 % in every
        # run so far), to keep `make bench` near 20 minutes.
        rounds=context.settings.scale_runs if size_mib == smallest else 1,
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
            fresh(path)
