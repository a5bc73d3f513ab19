"""What the replica target adds to `dbguard check` on the demo database (replication running)."""

from __future__ import annotations

import shutil
import subprocess

from bench import datasets
from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section, Series, measure_rounds, ratio_check
from bench.scenarios.replication.common import (
    fresh,
    replica_config,
    replicating,
    snapshot_done,
    wait,
)


def measure_check_added_time(context: Context, section: Section) -> None:
    demo = datasets.demo_shaped(context.data_dir, None).path
    work = context.scratch("replication_check")
    live = work / "live.sqlite3"
    fresh(live)
    shutil.copyfile(demo, live)
    shutil.rmtree(work / "backups", ignore_errors=True)
    shutil.rmtree(work / "replica", ignore_errors=True)
    plain = replica_config(context, "replication_check", live, replication=False)
    plain = plain.rename(plain.with_name("plain.toml"))
    with_replica = replica_config(context, "replication_check", live)
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
    with replicating(context, with_replica, live):
        wait(lambda: snapshot_done(work / "replica"), "the first snapshot")
        measure_rounds(
            series,
            rounds=context.settings.scale_runs,  # a difference of seconds, for information: 2 rounds
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
