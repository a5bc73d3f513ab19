"""11. Spark: `dbguard check` on Spark local[2] against the same suites on SQLite and against
plain Spark SQL doing the same aggregates, at 1 M and 10 M rows, with the peak memory of the
whole process tree (Python and the JVM together)."""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
import statistics
import subprocess
import time
import tomllib
from pathlib import Path

import psutil

from bench import datasets
from bench.context import REPO_ROOT, Context, to_toml
from bench.measure import Check, Section, Series, ratio_check
from bench.scenarios import scale
from bench.tools import Sample, measured_environment

MASTER = "local[2]"
RATIO_TARGET = 1.5  # issue 22: check on Spark against plain Spark SQL, at 10 M rows
SAMPLE_SECONDS = 0.1
TREE_SAMPLER = "process-tree sampler (/proc, every 0.1 s)"


def run(context: Context) -> Section:
    sizes = context.settings.scale_rows
    section = Section(
        "spark",
        "11. Spark: the full suite on Parquet at "
        + " and ".join(f"{rows:,}" for rows in sizes)
        + " rows, against SQLite and plain Spark SQL",
        "The scale benchmark's demo-shaped databases, written once as Parquet (bench/.data, "
        "cached) through Spark itself. `dbguard check` with `[database.spark]` on "
        f"{MASTER} (checks/ with the repository's suites, re-baselined in a copy) against the "
        "same `dbguard check` on the SQLite file, and against `python -m bench.plain_sql "
        "--spark-config`: every expectation as one hand-written Spark SQL query in a session "
        f"built the same way ({MASTER}), then a row count of every table. One run each "
        "(a JVM start is part of every run). Wall time and peak memory from sampling the "
        "process tree in /proc every 0.1 s: GNU time sees the Python process only, not its "
        "JVM.",
    )
    from dbguard.spark.session import unavailable_reason

    reason = unavailable_reason()
    if reason:
        section.skipped = f"Spark cannot run here: {reason}."
        return section
    for rows in sizes:
        spark_series, sqlite_series, plain_series = _measure_size(context, section, rows)
        section.series += [spark_series, sqlite_series, plain_series]
        section.checks += [
            ratio_check(
                f"Spark: `check` on {MASTER} / `check` on SQLite at {rows:,} rows (wall)",
                spark_series,
                sqlite_series,
                None,
            ),
            ratio_check(
                f"Spark: `check` / plain Spark SQL at {rows:,} rows (wall)",
                spark_series,
                plain_series,
                RATIO_TARGET if rows == max(sizes) else None,
            ),
            _cpu_ratio(
                f"Spark: `check` / plain Spark SQL at {rows:,} rows (CPU time of the process"
                " tree, steadier than wall time on a loaded machine)",
                spark_series,
                plain_series,
            ),
            _memory(f"Spark: `check` peak memory, Python + JVM, at {rows:,} rows", spark_series),
            _memory(f"SQLite: `check` peak memory at {rows:,} rows", sqlite_series),
            _memory(f"plain Spark SQL peak memory, Python + JVM, at {rows:,} rows", plain_series),
        ]
    return section


def _cpu_ratio(figure: str, numerator: Series, denominator: Series) -> Check:
    if not (numerator.measured and denominator.measured):
        return Check(figure, "not measured", "—", None)
    ratio = statistics.median(numerator.cpu_s) / max(statistics.median(denominator.cpu_s), 1e-9)
    return Check(figure, f"{ratio:.2f}×", "—", None)


def _memory(figure: str, series: Series) -> Check:
    if not series.measured:
        return Check(figure, f"not measured ({series.failure or 'no runs'})", "—", None)
    return Check(figure, f"{series.rss_median:.0f} MiB", "—", None)


def _measure_size(context: Context, section: Section, rows: int) -> tuple[Series, Series, Series]:
    dataset = datasets.demo_shaped(context.data_dir, rows)
    parquet, seconds, reused = parquet_copy(context, dataset.path)
    section.notes.append(
        f"{rows:,} rows: Parquet in {parquet.name}/ "
        + ("reused from the cache" if reused else f"written in {seconds:.0f} s (not timed)")
        + "."
    )
    sqlite_config, expectations = scale.suites_copy(context, f"spark_sqlite_{rows}", dataset.path)
    section.notes.append(scale.rebaseline(context, sqlite_config, rows))
    spark_config = _spark_config(context, f"spark_{rows}", parquet, expectations, dataset.path)
    spark_series = Series(
        f"dbguard check, Spark {MASTER} ({rows:,} rows)",
        [context.dbguard, "--config", str(spark_config), "check"],
        ok_exit_codes=(0, 1),
    )
    sqlite_series = Series(
        f"dbguard check, SQLite ({rows:,} rows)",
        [context.dbguard, "--config", str(sqlite_config), "check"],
        ok_exit_codes=(0, 1),
    )
    plain_series = Series(
        f"plain Spark SQL, {MASTER} ({rows:,} rows)",
        [
            context.python,
            "-m",
            "bench.plain_sql",
            "--spark-config",
            str(spark_config),
            "--expectations",
            str(expectations),
        ],
        ok_exit_codes=(0, 1),
    )
    for series in (spark_series, sqlite_series, plain_series):
        series.wall_tool = TREE_SAMPLER
        sample = run_tree(series.command, timeout=1800)
        if sample.exit_code not in series.ok_exit_codes:
            series.failure = f"exit code {sample.exit_code}: {sample.stderr_tail[-300:]}"
        else:
            series.samples.append(sample)
    return spark_series, sqlite_series, plain_series


def run_tree(command: list[str], *, timeout: float) -> Sample:
    """Run `command`; its wall time, CPU time and the peak of the summed resident memory of
    it and every descendant (the JVM pyspark starts), sampled from /proc."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=measured_environment(),
    )
    root = psutil.Process(process.pid)
    peak, cpu = 0, {}
    while process.poll() is None:
        if time.perf_counter() - started > timeout:
            for child in root.children(recursive=True):
                child.kill()
            process.kill()
            break
        total = 0
        for member in [root, *root.children(recursive=True)]:
            try:
                total += member.memory_info().rss
                times = member.cpu_times()
                cpu[member.pid] = times.user + times.system
            except psutil.Error:
                continue
        peak = max(peak, total)
        time.sleep(SAMPLE_SECONDS)
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    return Sample(
        wall_s=wall,
        max_rss_kib=peak // 1024,
        exit_code=process.returncode,
        cpu_s=sum(cpu.values()),
        stderr_tail="\n".join((stderr or "").strip().splitlines()[-3:]),
    )


def parquet_copy(context: Context, database: Path) -> tuple[Path, float, bool]:
    """`database`'s tables as Parquet folders, written once and kept beside it; (folder,
    seconds it took, reused). Rewritten when the database's own recipe (its generator, beside
    it in NAME.json) or the Parquet writer's source changes."""
    from dbguard.spark import parquet

    folder = context.data_dir / f"{database.stem}.parquet"
    stamp = folder / "dbguard-source.json"
    database_stamp = database.with_name(database.name + ".json")
    recipe = {
        "source": database.name,
        "bytes": database.stat().st_size,
        "source_recipe": json.loads(database_stamp.read_text()).get("recipe")
        if database_stamp.is_file()
        else None,
        "writer": hashlib.sha256(inspect.getsource(parquet).encode()).hexdigest()[:16],
    }
    if stamp.is_file() and json.loads(stamp.read_text()) == recipe:
        return folder, 0.0, True
    started = time.perf_counter()
    subprocess.run(
        [
            context.python,
            "-c",
            "import sys; from pathlib import Path;"
            "from dbguard.config.spark import SparkConfig;"
            "from dbguard.spark.session import spark_session;"
            "from dbguard.spark.parquet import sqlite_to_parquet;"
            f"sqlite_to_parquet(spark_session(SparkConfig(master={MASTER!r})),"
            " Path(sys.argv[1]), Path(sys.argv[2]))",
            str(database),
            str(folder),
        ],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=3600,
    )
    stamp.write_text(json.dumps(recipe))
    return folder, time.perf_counter() - started, False


def _spark_config(
    context: Context, name: str, parquet: Path, expectations: Path, database: Path
) -> Path:
    """context.write_config's dbguard.toml, reading the Parquet folders with Spark instead of
    `database`, keyed as its SQLite tables are."""
    from dbguard.demo.spark import sqlite_keys

    folder = context.scratch(name)
    shutil.rmtree(folder / "reports", ignore_errors=True)
    path = context.write_config(
        name, database=database, backup_dir=folder / "backups", expectations_dir=expectations
    )
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    keys = sqlite_keys(database)
    data["database"] = {
        "spark": {
            "master": MASTER,
            "tables": {table: str(parquet / table) for table in keys},
            "keys": {table: list(columns) for table, columns in keys.items()},
        }
    }
    path.write_text(to_toml(data), encoding="utf-8")
    return path
