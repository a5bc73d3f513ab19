"""The writer's worst commit (bench/writer.py, synchronous=FULL, a commit every 2 ms) on the
blob database with replication off and on, Litestream's first snapshot inside the window."""

from __future__ import annotations

import json
import logging
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import datasets
from bench.context import Context
from bench.measure import Check, Section
from bench.scenarios.backup import size_label
from bench.scenarios.replication.common import (
    fresh,
    replica_config,
    replicating,
    snapshot_completed_at,
)
from bench.writer import start_writer

log = logging.getLogger(__name__)

STALL_TARGET_MS = 50.0
# Long enough for Litestream's first snapshot of the 200 MiB database (about 4 s, started 1 s
# in) to fall inside the window with some steady state after it; each run is one window.
STALL_WINDOW_S = 10.0
STEADY_AFTER_S = 1.0  # steady state: from this long after the first snapshot completed


def measure_writer_stall(context: Context, section: Section) -> None:
    size = min(context.settings.backup_sizes_mib)
    template = datasets.blob_database(context.data_dir, size)
    runs = max(1, min(3, context.settings.heavy_runs))
    worst: dict[str, list[float]] = {"off": [], "on": [], "steady": []}
    p99: dict[str, list[float]] = {"off": [], "on": []}
    snapshot_offsets: list[float] = []  # when the first snapshot completed, into the window
    steady_spans: list[float] = []  # how long the steady state after it lasted
    for number in range(runs):
        for mode in ("off", "on"):
            try:
                stats, snapshot_at = _writer_run(context, template.path, size, mode, number)
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                log.warning("writer run (replication %s) failed: %s", mode, error)
                continue
            worst[mode].append(stats["max_commit_ms"])
            p99[mode].append(stats["p99_commit_ms"])
            if snapshot_at is not None and stats["commit_times"]:
                first, last = stats["commit_times"][0][0], stats["commit_times"][-1][0]
                snapshot_offsets.append(snapshot_at - STEADY_AFTER_S - first)
                steady_spans.append(max(0.0, last - snapshot_at))
                after = [ms for start, ms in stats["commit_times"] if start > snapshot_at]
                if after:
                    worst["steady"].append(max(after))
    for mode, label, target in (
        ("off", "replication off", False),
        ("on", "replication on (first snapshot included)", True),
        ("steady", "replication on, after the first snapshot", False),
    ):
        values = worst[mode]
        figure = (
            f"writer's worst commit at {size_label(size)}, {label} (worst of {len(values)} runs)"
        )
        if not values:
            section.checks.append(Check(figure, "not measured", "—", None))
            continue
        measured = f"{max(values):.0f} ms"
        if mode in p99:
            measured += f" (p99 {statistics.median(p99[mode]):.1f} ms)"
        section.checks.append(
            Check(
                figure,
                measured,
                f"≤ {STALL_TARGET_MS:g} ms" if target else "—",
                max(values) <= STALL_TARGET_MS if target else None,
            )
        )
    section.notes.append(_window_note(snapshot_offsets, steady_spans, len(worst["on"])))


def _window_note(offsets: list[float], spans: list[float], runs_on: int) -> str:
    """Where Litestream's first snapshot fell in the writer's window, so the figures can be read."""
    parts = [f"Writer runs: {STALL_WINDOW_S:g} s each."]
    if offsets:
        parts.append(
            f"With replication on, Litestream's first snapshot was complete {_span(offsets)} s "
            "into the window; the figure after the first snapshot covers commits from "
            f"{STEADY_AFTER_S:g} s after it to the end of the window ({_span(spans)} s per run)."
        )
    missing = runs_on - len(offsets)
    if missing:
        parts.append(
            f"In {missing} run(s) with replication on, Litestream logged no completed snapshot "
            "before the window ended (not counted after the first snapshot)."
        )
    return " ".join(parts)


def _span(values: list[float]) -> str:
    low, high = f"{min(values):.1f}", f"{max(values):.1f}"
    return low if low == high else f"{low}–{high}"


def _writer_run(
    context: Context, template: Path, size: int, mode: str, number: int
) -> tuple[dict[str, Any], float | None]:
    name = f"replication_stall_{mode}"
    work = context.scratch(name)
    live = work / "live.sqlite3"
    fresh(live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    shutil.copyfile(template, live)
    os.sync()
    config = replica_config(context, name, live)
    stats_path = work / "writer.json"
    writer = start_writer(context.python, live, stats_path, "--duration", str(STALL_WINDOW_S))
    snapshot_at: float | None = None
    (work / "replicate.log").unlink(missing_ok=True)
    try:
        if mode == "on":
            time.sleep(1.0)
            with replicating(context, config, live):
                writer.wait(timeout=STALL_WINDOW_S + 60)
            completed = snapshot_completed_at(work / "replicate.log")
            # Steady state: from a second after Litestream finished its first snapshot.
            snapshot_at = None if completed is None else completed + STEADY_AFTER_S
        writer.wait(timeout=STALL_WINDOW_S + 60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(timeout=30)
    stats = json.loads(stats_path.read_text())
    log.info(
        "writer, replication %s (%s): worst commit %.1f ms, p99 %.1f ms, %d commits",
        mode,
        size_label(size),
        stats["max_commit_ms"],
        stats["p99_commit_ms"],
        stats["commits"],
    )
    fresh(live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    return stats, snapshot_at
