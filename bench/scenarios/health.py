"""1. `dbguard health --quick` on the demo DB vs a bare interpreter vs the plan's monitor script."""

from __future__ import annotations

from bench import datasets
from bench.context import BENCH_DIR, REPO_ROOT, Context
from bench.measure import Section, Series, measure_rounds, ratio_check, value_check
from bench.tools import hyperfine_wall_times

WALL_TARGET_S = 0.1  # issue 13 (round 1: 0.3 s)
RSS_TARGET_MIB = 40


def run(context: Context) -> Section:
    demo = datasets.demo_shaped(context.data_dir, None).path
    config = context.write_config(
        "health", database=demo, backup_dir=context.scratch("health") / "backups"
    )
    health = Series(
        "dbguard health --quick",
        [context.dbguard, "--config", str(config), "health", "--quick"],
        ok_exit_codes=(0, 1, 2),  # Nagios OK / WARNING / CRITICAL are all answers; 3 is an error
    )
    bare = Series("python -c pass", [context.python, "-c", "pass"])
    monitor = Series(
        "plan's data_integrity_monitor (3 × COUNT(*))",
        [context.python, str(BENCH_DIR / "data_integrity_monitor.py"), str(demo)],
    )
    series = [health, bare, monitor]
    settings = context.settings
    measure_rounds(series, rounds=settings.light_runs, cwd=REPO_ROOT, timeout=120, warmup=True)
    measured = [item for item in series if not item.failure]
    if measured:
        walls = hyperfine_wall_times(
            {item.label: item.command for item in measured},
            runs=settings.hyperfine_runs,
            warmup=settings.hyperfine_warmup,
            cwd=REPO_ROOT,
        )
        for item in measured:
            item.wall_override = walls[item.label]
            item.wall_tool = "hyperfine"
    section = Section(
        "health",
        "1. Quick health: `dbguard health --quick` on the demo database",
        "The five-minute cron probe. Compared with starting the interpreter alone and with the "
        "plan's data_integrity_monitor logic (three COUNT(*) queries on the sqlite3 module). "
        f"Wall times: hyperfine, {settings.hyperfine_runs} runs after {settings.hyperfine_warmup} "
        f"warm-ups; peak memory: GNU time, {settings.light_runs} runs.",
        series=series,
    )
    section.checks = [
        value_check(
            "`health --quick` wall time", health, lambda s: s.wall_median, "s", WALL_TARGET_S
        ),
        value_check(
            "`health --quick` peak memory", health, lambda s: s.rss_median, "MiB", RSS_TARGET_MIB
        ),
        ratio_check("`health --quick` / `python -c pass` (wall)", health, bare, None),
        ratio_check("`health --quick` / plan's monitor script (wall)", health, monitor, None),
    ]
    return section
