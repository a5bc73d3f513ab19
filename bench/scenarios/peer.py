"""9. A peer side by side: Soda Core and `dbguard check`, the same five checks on the same table.

Soda Core 4 has no SQLite data source, so both read pue_drill_data in PostgreSQL (the
throwaway cluster of bench/postgres_data.py). Soda is installed in a venv of its own under
bench/.data (its package metadata says "License: Proprietary": benchmarked, never a
dependency of dbguard) and runs offline with SODA_CORE_TELEMETRY_ENABLED=false.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import postgres_data, watcher
from bench.context import Context
from bench.measure import Check, Section, Series, measure_rounds, ratio_check

SODA_PACKAGE = "soda-postgres==4.28.0"
RATIO_TARGET = 1.0  # dbguard no slower than Soda
CATEGORIES = ["it", "cooling", "power_distribution", "lighting", "other"]
OFFLINE = {"SODA_CORE_TELEMETRY_ENABLED": "false"}


def run(context: Context) -> Section:
    rows = max(context.settings.scale_rows)
    section = Section(
        "peer",
        f"9. A peer: Soda Core and `dbguard check`, five checks on {rows:,} rows in PostgreSQL",
        "The same five checks of pue_drill_data: row count within ±10 % of the table's rows, "
        "no missing pue_id, no duplicate id, energy_kwh ≥ 0, category in its five values. Soda "
        f"Core ({SODA_PACKAGE}, `soda contract verify` with a contract holding the five) "
        "against `dbguard check` with one suite holding the five (written as the repository's "
        "suites write them: the duplicate check is an unexpected-rows query grouping by id); "
        "dbguard's other checks of a run (connection, server, system, history, report) come "
        "with it, as they do for a user. Both read the same database on the same server. "
        "`dbguard check` runs twice in each round: cold (`--cold`) and through a running "
        "watcher (issue 20: one `dbguard serve` on the same config, started before the rounds "
        "and reused, its own watch runs held off, a day apart, so that the cold and Soda runs "
        "beside it run on a quiet machine). GNU time, runs interleaved; CPU is the client "
        "process's only (the server's work, and the warm check's child, are in the wall time).",
    )
    reason = postgres_data.unavailable()
    if reason:
        section.skipped = f"no PostgreSQL cluster can run here: {reason}."
        return section
    soda, problem = soda_command(context.data_dir)
    if soda is None:
        section.skipped = f"Soda Core could not be installed: {problem}."
        return section
    database = postgres_data.database(context.data_dir, rows)
    folder = context.scratch("peer")
    total = _row_count(context, database.url)
    low, high = int(total * 0.9), int(total * 1.1)
    contract, data_source = _soda_files(folder, database, low, high)
    config = _dbguard_files(context, folder, database.url, low, high)
    soda_series = Series(
        "Soda Core: soda contract verify (5 checks)",
        [str(soda), "contract", "verify", "-ds", str(data_source), "-c", str(contract)],
        ok_exit_codes=(0, 1),  # 1: a check failed, still a complete verification
        environment=OFFLINE,
    )
    dbguard_series = Series(
        "dbguard check --cold (the same 5 rules)",
        [context.dbguard, "--config", str(config), "check", "--cold"],
        ok_exit_codes=(0, 1),
    )
    warm_series = Series(
        "dbguard check through a running watcher (the same 5 rules)",
        [context.dbguard, "--config", str(config), "check"],
        ok_exit_codes=(0, 1),
    )
    section.series = [dbguard_series, warm_series, soda_series]
    with watcher.serve(context, config):
        measure_rounds(
            section.series,
            rounds=context.settings.scale_runs,
            cwd=folder,
            timeout=1800,
            warmup=True,
        )
        section.notes.append(watcher.warm_note(config, warm_series, warmup=True))
    for series in section.series:
        if series.samples:
            codes = ", ".join(map(str, sorted(set(series.exit_codes))))
            section.notes.append(f"{series.label}: exit code {codes}.")
    section.notes.append(
        f"{rows:,}-row table ({total:,} rows counted); loaded into PostgreSQL in "
        f"{database.load_seconds:.0f} s (not timed). Soda counts a duplicated id's extra rows, "
        "GX every row of a duplicated group (SPEC); here there are none."
    )
    section.checks = [
        ratio_check(
            "`check` (5 rules) / Soda Core (5 checks), PostgreSQL (wall)",
            dbguard_series,
            soda_series,
            RATIO_TARGET,
        ),
        ratio_check(
            "`check` (5 rules) through a running watcher / Soda Core (5 checks), PostgreSQL (wall)",
            warm_series,
            soda_series,
            RATIO_TARGET,
        ),
        _memory_ratio(dbguard_series, soda_series),
    ]
    return section


def soda_command(data_dir: Path) -> tuple[Path | None, str]:
    """The `soda` CLI of a venv under bench/.data, installed on first use; or why there is none."""
    venv = data_dir / "soda-venv"
    soda = venv / "bin" / "soda"
    stamp = venv / f".installed-{SODA_PACKAGE.replace('==', '-')}"
    if soda.is_file() and stamp.is_file():
        return soda, ""
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(venv / "bin" / "pip"), "install", "--quiet", SODA_PACKAGE],
    ]
    for step in steps:
        try:
            result = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"{' '.join(step[:3])}: {error}"
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if "ERROR" in line]
            tail = (lines or result.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"`{' '.join(step[-2:])}` failed: {tail}"
    stamp.write_text("installed by bench/scenarios/peer.py\n")
    return soda, ""


def _row_count(context: Context, url: str) -> int:
    code = (
        "import sys, psycopg\n"
        "from dbguard.config.database_url import libpq_conninfo\n"
        "with psycopg.connect(libpq_conninfo(sys.argv[1])) as c:\n"
        "    print(c.execute('SELECT COUNT(*) FROM pue_drill_data').fetchone()[0])\n"
    )
    result = subprocess.run(
        [context.python, "-c", code, url], capture_output=True, text=True, check=True, timeout=600
    )
    return int(result.stdout.strip())


def _soda_files(
    folder: Path, database: postgres_data.Database, low: int, high: int
) -> tuple[Path, Path]:
    data_source = folder / "soda-data-source.yml"
    # A socket folder as the host (libpq's way); local connections are trusted, but Soda's
    # configuration requires a password key.
    data_source.write_text(
        "type: postgres\n"
        "name: bench\n"
        "connection:\n"
        f"  host: {database.sockets}\n"
        f"  port: {database.port}\n"
        "  user: postgres\n"
        "  password: unused\n"
        f"  database: {database.name}\n"
    )
    contract = folder / "soda-contract.yml"
    contract.write_text(
        f"dataset: bench/{database.name}/public/pue_drill_data\n"
        "checks:\n"
        "  - row_count:\n"
        "      threshold:\n"
        "        must_be_between:\n"
        f"          greater_than_or_equal: {low}\n"
        f"          less_than_or_equal: {high}\n"
        "columns:\n"
        "  - name: id\n"
        "    checks:\n"
        "      - duplicate:\n"
        "  - name: pue_id\n"
        "    checks:\n"
        "      - missing:\n"
        "  - name: category\n"
        "    checks:\n"
        "      - invalid:\n"
        f"          valid_values: {json.dumps(CATEGORIES)}\n"
        "  - name: energy_kwh\n"
        "    checks:\n"
        "      - invalid:\n"
        "          valid_min: 0\n"
    )
    return contract, data_source


def _dbguard_files(context: Context, folder: Path, url: str, low: int, high: int) -> Path:
    expectations = folder / "expectations"
    expectations.mkdir(exist_ok=True)
    for stale in expectations.glob("*.json"):
        stale.unlink()
    suite = {
        "name": "pue_drill_data",
        "expectations": [
            {
                "type": "expect_table_row_count_to_be_between",
                "kwargs": {"min_value": low, "max_value": high},
                "severity": "critical",
            },
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "pue_id"},
                "severity": "critical",
            },
            {
                "type": "unexpected_rows_expectation",
                "kwargs": {
                    "unexpected_rows_query": (
                        "SELECT id, COUNT(*) AS copies FROM {batch} GROUP BY id HAVING COUNT(*) > 1"
                    )
                },
                "severity": "critical",
                "meta": {"name": "id_is_unique"},
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "energy_kwh", "min_value": 0.0},
                "severity": "critical",
            },
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "category", "value_set": CATEGORIES},
                "severity": "critical",
            },
        ],
    }
    (expectations / "pue_drill_data.json").write_text(json.dumps(suite, indent=2) + "\n")
    config = context.write_config(
        "peer", database=url, backup_dir=folder / "backups", expectations_dir=expectations
    )
    return watcher.with_watch(config, watcher.QUIET)


def _memory_ratio(dbguard_series: Series, soda_series: Series) -> Check:
    figure = "`check` (5 rules) / Soda Core (5 checks), PostgreSQL (peak memory)"
    if not (dbguard_series.measured and soda_series.measured):
        return Check(figure, "not measured", "—", None)
    ratio = dbguard_series.rss_median / soda_series.rss_median
    return Check(
        figure,
        f"{ratio:.2f}× ({dbguard_series.rss_median:.0f} vs {soda_series.rss_median:.0f} MiB)",
        "—",
        None,
    )
