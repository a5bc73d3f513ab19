"""8. PostgreSQL: `dbguard check` on demo-shaped databases against the same rules as plain SQL
through psycopg on the same server, and `dbguard health --quick`."""

from __future__ import annotations

from bench import postgres_data
from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section, Series, measure_rounds, ratio_check
from bench.scenarios import scale
from bench.tools import hyperfine_wall_times


def run(context: Context) -> Section:
    sizes = context.settings.scale_rows
    section = Section(
        "postgres",
        "8. PostgreSQL: the full suite at "
        + " and ".join(f"{rows:,}" for rows in sizes)
        + " rows, and the quick health",
        "A throwaway PostgreSQL cluster (tests/postgres_cluster.py: fsync off, on a private "
        "socket) holding the scale benchmark's databases, copied in with COPY. `dbguard check` "
        "(checks/ with the repository's suites, re-baselined in a copy) against `python -m "
        "bench.plain_sql --url`: every expectation as one hand-written query through psycopg in "
        "a read-only session, then a row count of every table. Then `dbguard health --quick` on "
        "the smaller database. GNU time, runs interleaved (CPU: the client process only); the "
        "health's wall time from hyperfine. The check's target is the SQLite one; the health has none (importing "
        "psycopg alone takes longer than the SQLite health's 0.1 s).",
    )
    reason = postgres_data.unavailable()
    if reason:
        section.skipped = f"no PostgreSQL cluster can run here: {reason}."
        return section
    for rows in sizes:
        dbguard_series, plain_series = _measure_size(context, section, rows)
        section.series += [dbguard_series, plain_series]
        section.checks.append(
            ratio_check(
                f"PostgreSQL: `check` / plain SQL at {rows:,} rows (wall)",
                dbguard_series,
                plain_series,
                scale.RATIO_TARGET,
            )
        )
    health = _measure_health(context, min(sizes))
    section.series.append(health)
    # No target: importing psycopg alone costs more than the SQLite path's whole 0.1 s.
    section.checks.append(
        Check(
            "PostgreSQL: `health --quick` wall time",
            f"{health.wall_median:.3g} s"
            if health.measured
            else f"not measured ({health.failure})",
            "—",
            None,
        )
    )
    return section


def _measure_size(context: Context, section: Section, rows: int) -> tuple[Series, Series]:
    database = postgres_data.database(context.data_dir, rows)
    section.notes.append(
        f"{rows:,} rows: loaded into PostgreSQL in {database.load_seconds:.0f} s (not timed)."
    )
    config, expectations = scale.suites_copy(context, f"postgres_{rows}", database.url)
    section.notes.append(scale.rebaseline(context, config, rows))
    dbguard_series, plain_series, _ = scale.against_plain_sql(
        context,
        rows,
        config,
        ["--url", database.url, "--expectations", str(expectations)],
        labels=(
            f"dbguard check, PostgreSQL ({rows:,} rows)",
            f"plain SQL through psycopg ({rows:,} rows)",
        ),
    )
    if dbguard_series.samples:
        codes = ", ".join(map(str, sorted(set(dbguard_series.exit_codes))))
        section.notes.append(f"{rows:,} rows: `dbguard check` exit code {codes}.")
    return dbguard_series, plain_series


def _measure_health(context: Context, rows: int) -> Series:
    database = postgres_data.database(context.data_dir, rows)
    folder = context.scratch("postgres_health")
    config = context.write_config(
        "postgres_health", database=database.url, backup_dir=folder / "backups"
    )
    health = Series(
        f"dbguard health --quick, PostgreSQL ({rows:,} rows)",
        [context.dbguard, "--config", str(config), "health", "--quick"],
        ok_exit_codes=(0, 1, 2),  # Nagios answers; 3 (UNKNOWN) is an error
    )
    settings = context.settings
    measure_rounds([health], rounds=settings.light_runs, cwd=REPO_ROOT, timeout=120, warmup=True)
    if health.measured:
        walls = hyperfine_wall_times(
            {health.label: health.command},
            runs=settings.hyperfine_runs,
            warmup=settings.hyperfine_warmup,
            cwd=REPO_ROOT,
        )
        health.wall_override = walls[health.label]
        health.wall_tool = "hyperfine"
    return health
