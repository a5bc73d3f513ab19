"""Trend charts of the recent runs, as inline SVG inside the report's HTML.

The report must open offline, so every chart is part of the page itself (no file, no
network); dbguard.report.svg_chart draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dbguard import metrics
from dbguard.history import StoredRun
from dbguard.report.svg_chart import line_chart

MIB = 1024 * 1024


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str  # an <svg class="dbguard-chart"> element, to place in the HTML as it is


Series = dict[str, list[tuple[datetime, float]]]


def _series(runs: Sequence[StoredRun], pick: Callable[[str], str | None]) -> Series:
    """Per label, the (time, value) points of the runs that recorded it, oldest first."""
    series: Series = {}
    for run in sorted(runs, key=lambda run: run.started_at):
        for name, value in run.metrics.items():
            label = pick(name)
            if label is not None:
                series.setdefault(label, []).append((run.started_at, value))
    return series


def _rows_label(name: str) -> str | None:
    parsed = metrics.parse_row_metric(name)
    return parsed[0] if parsed is not None and parsed[1] == "live" else None


def _exact(names: dict[str, str]) -> Callable[[str], str | None]:
    return names.get


# (title, y label, metric picker, scale, log scale)
CHART_SPECS: list[tuple[str, str, Callable[[str], str | None], float, bool]] = [
    ("Rows per table (live)", "rows", _rows_label, 1.0, True),
    (
        "WAL and database size",
        "MiB",
        _exact({metrics.WAL_BYTES: "WAL", metrics.DB_BYTES: "database"}),
        MIB,
        False,
    ),
    (
        "Disk, memory and CPU use",
        "%",
        _exact(
            {
                metrics.disk_metric("db"): "disk (DB volume)",
                metrics.disk_metric("backups"): "disk (backup volume)",
                metrics.MEMORY_PERCENT: "memory",
                metrics.CPU_PERCENT: "CPU",
            }
        ),
        1.0,
        False,
    ),
    (
        "Query latency",
        "ms",
        _exact({metrics.LATENCY_MS: "latency query", metrics.CONNECT_MS: "open + first query"}),
        1.0,
        False,
    ),
    ("Latest backup size", "MiB", _exact({metrics.BACKUP_BYTES: "latest backup"}), MIB, False),
    ("Latest backup age", "hours", _exact({metrics.BACKUP_AGE_HOURS: "age"}), 1.0, False),
]


def trend_charts(runs: Sequence[StoredRun]) -> list[Chart]:
    """One chart per spec that has data in `runs` (newest last on the x axis)."""
    # Stored in UTC, shown in the reader's local time (the spec), named on the axis.
    local = datetime.now().astimezone().tzinfo or UTC
    zone = datetime.now(local).strftime("%Z") or "local"
    charts: list[Chart] = []
    for title, unit, pick, scale, log_scale in CHART_SPECS:
        series = _series(runs, pick)
        if not series:
            continue
        scaled = {
            label: [(moment, value / scale) for moment, value in points]
            for label, points in series.items()
        }
        svg = line_chart(title, unit, scaled, log_scale=log_scale, zone=local, zone_name=zone)
        charts.append(Chart(title, svg))
    return charts
