"""3. `dbguard check` on big databases of the demo's shape vs the same rules as plain SQL."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from bench import datasets, watcher
from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section, Series, measure_rounds, ratio_check, value_check

RATIO_TARGET = 1.5  # issue 13 (round 1: 2×)
WARM_RATIO_TARGET = 1.2  # issue 20: through a running watcher
RSS_TARGET_MIB = 400


def run(context: Context) -> Section:
    section = Section(
        "scale",
        "3. Scale: the full suite on pue_drill_data at "
        + " and ".join(f"{rows:,}" for rows in context.settings.scale_rows)
        + " rows",
        "`dbguard check --db BIG` (checks/ with the repository's suites, re-baselined for the big "
        "database in a copy; no backup folder, so the backup checks report a missing backup and "
        "nothing runs on a backup) against `python -m bench.plain_sql`: every expectation in the "
        "same suites as one hand-written query on the sqlite3 module, plus the database-health "
        "SQL (integrity/quick check, foreign keys, journal mode). The same `dbguard check` "
        "through a running watcher too (issue 20): one `dbguard serve` per database, started "
        "before the rounds and reused, its own watch runs held off (a day apart) so that the "
        "cold runs (`--cold`) beside it run on a quiet machine; for the warm runs GNU time sees "
        "the client only (wall is the figure; the work is in the watcher's child). GNU time, "
        "runs interleaved.",
    )
    by_rows: dict[int, tuple[Series, Series]] = {}
    for rows in context.settings.scale_rows:
        dbguard_series, plain_series, warm_series = _measure_size(context, section, rows)
        by_rows[rows] = (dbguard_series, plain_series)
        section.series += [dbguard_series, warm_series, plain_series]
        section.checks += [
            ratio_check(
                f"`check` / plain SQL at {rows:,} rows (wall)",
                dbguard_series,
                plain_series,
                RATIO_TARGET,
            ),
            ratio_check(
                f"`check` through a running watcher / plain SQL at {rows:,} rows (wall)",
                warm_series,
                plain_series,
                WARM_RATIO_TARGET,
            ),
            value_check(
                f"`check` peak memory at {rows:,} rows",
                dbguard_series,
                lambda s: s.rss_median,
                "MiB",
                RSS_TARGET_MIB,
            ),
        ]
    if len(by_rows) >= 2:
        small, large = min(by_rows), max(by_rows)
        for index, name in ((0, "`check`"), (1, "plain SQL")):
            low, high = by_rows[small][index], by_rows[large][index]
            if low.measured and high.measured:
                growth = high.wall_median / low.wall_median
                section.checks.append(
                    Check(
                        f"{name} growth {small:,} → {large:,} rows (wall, ×{large / small:g} rows)",
                        f"{growth:.2f}×",
                        "—",
                        None,
                    )
                )
    return section


def _measure_size(context: Context, section: Section, rows: int) -> tuple[Series, Series, Series]:
    """(cold `check`, plain SQL, `check` through a running watcher)"""
    dataset = datasets.demo_shaped(context.data_dir, rows)
    size_mib = dataset.size_bytes / 2**20
    built = "reused from the cache" if dataset.reused else "built in this run"
    section.notes.append(
        f"{rows:,}-row database: {dataset.path.name}, {size_mib:.0f} MiB; generation took "
        f"{dataset.build_seconds:.1f} s ({built})."
    )
    config, expectations = suites_copy(context, f"scale_{rows}", dataset.path)
    section.notes.append(rebaseline(context, config, rows))
    section.notes.append(_plain_sql_coverage(context, dataset.path, expectations, rows))
    config = watcher.with_watch(config, watcher.QUIET)
    warm_series = Series(
        f"dbguard check through a running watcher ({rows:,} rows)",
        [context.dbguard, "--config", str(config), "check"],
        ok_exit_codes=(0, 1),
    )
    with watcher.serve(context, config):
        dbguard_series, plain_series, rounds = against_plain_sql(
            context,
            rows,
            config,
            ["--db", str(dataset.path), "--expectations", str(expectations)],
            labels=(f"dbguard check --cold ({rows:,} rows)", f"plain SQL ({rows:,} rows)"),
            rounds=context.settings.scale_runs,
            beside=[warm_series],
        )
        section.notes.append(
            watcher.warm_note(config, warm_series, rows == min(context.settings.scale_rows))
        )
    if dbguard_series.samples:
        codes = sorted(set(dbguard_series.exit_codes))
        section.notes.append(
            f"{rows:,} rows: `dbguard check` exit code {', '.join(map(str, codes))}"
            + (" (critical findings: the missing backup)" if 1 in codes else "")
            + "."
        )
    if rounds < context.settings.scale_runs:
        section.notes.append(
            f"At {rows:,} rows one round took over {context.settings.slow_round_s:.0f} s, so it ran "
            f"{rounds} time(s) only (the time budget of `make bench`)."
        )
    return dbguard_series, plain_series, warm_series


def suites_copy(context: Context, name: str, database: Path | str) -> tuple[Path, Path]:
    """A dbguard.toml for `database` (a file or a PostgreSQL URL) reading a copy of the
    repository's suites, which `rebaseline` may rewrite; no history yet. (config, suites)"""
    folder = context.scratch(name)
    expectations = folder / "expectations"
    shutil.rmtree(expectations, ignore_errors=True)
    source = REPO_ROOT / "expectations"
    if source.is_dir():
        shutil.copytree(source, expectations)
    else:
        expectations.mkdir(parents=True)
    backups = folder / "backups"
    backups.mkdir(exist_ok=True)
    shutil.rmtree(folder / "reports", ignore_errors=True)  # no history: the baseline may capture
    config = context.write_config(
        name, database=database, backup_dir=backups, expectations_dir=expectations
    )
    return config, expectations


def against_plain_sql(
    context: Context,
    rows: int,
    config: Path,
    plain_arguments: list[str],
    labels: tuple[str, str],
    *,
    rounds: int | None = None,
    beside: list[Series] | None = None,
) -> tuple[Series, Series, int]:
    """`dbguard check` and `python -m bench.plain_sql ARGUMENTS`, interleaved with the series
    `beside` (then `check` runs with --cold: a watcher may be running); the rounds run.
    `rounds`: heavy_runs unless given."""
    cold = ["--cold"] if beside else []
    dbguard_series = Series(
        labels[0], [context.dbguard, "--config", str(config), "check", *cold], ok_exit_codes=(0, 1)
    )
    plain_series = Series(
        labels[1],
        [context.python, "-m", "bench.plain_sql", *plain_arguments],
        ok_exit_codes=(0, 1),  # 1: a rule failed, still a complete run; a crash is 2
    )
    done = measure_rounds(
        [dbguard_series, *(beside or []), plain_series],
        rounds=context.settings.heavy_runs if rounds is None else rounds,
        cwd=REPO_ROOT,
        timeout=1800,
        slow_single_run_s=context.settings.slow_round_s,
        warmup=rows == min(context.settings.scale_rows),  # bytecode caches, once
    )
    return dbguard_series, plain_series, done


def rebaseline(context: Context, config: Path, rows: int) -> str:
    result = subprocess.run(
        [context.dbguard, "--config", str(config), "baseline"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if result.returncode == 0:
        return f"{rows:,} rows: row-count baselines re-captured in a copy of the suites with `dbguard baseline` (not timed)."
    reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return (
        f"{rows:,} rows: `dbguard baseline` failed ({reason}); the suites keep the demo's row-count "
        "baselines, so those expectations fail as critical (timing still comparable: both sides run them)."
    )


def _plain_sql_coverage(context: Context, database: Path, expectations: Path, rows: int) -> str:
    result = subprocess.run(
        [
            context.python,
            "-m",
            "bench.plain_sql",
            "--db",
            str(database),
            "--expectations",
            str(expectations),
            "--json",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return f"{rows:,} rows: plain SQL could not run: {result.stderr.strip()[-300:]}"
    missing = report["not_mirrored"]
    failed = [item["rule"] for item in report["failed"]]
    text = f"{rows:,} rows: plain SQL ran {report['rules']} rules ({len(failed)} failed"
    text += f": {', '.join(failed[:6])}{' …' if len(failed) > 6 else ''})" if failed else ")"
    if missing:
        text += f"; not mirrored: {', '.join(missing)}"
    return text + "."
