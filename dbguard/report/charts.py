"""Trend charts of the recent runs, drawn with matplotlib (Agg) as inline base64 PNG images.

The report must open offline, so every chart is a `data:` URI inside the HTML;
pytest-html's --self-contained-html only inlines images, file extras stay links.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from dbguard import metrics
from dbguard.history import StoredRun

MIB = 1024 * 1024


@dataclass(frozen=True)
class Chart:
    title: str
    png_base64: str

    def img_tag(self) -> str:
        from html import escape

        return (
            f'<img class="dbguard-chart" alt="{escape(self.title)}" title="{escape(self.title)}"'
            f' src="data:image/png;base64,{self.png_base64}"/>'
        )


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
    # The Figure API with the Agg canvas, not pyplot: no global state, and about half the time.
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    # Stored in UTC, shown in the reader's local time (the spec), named on the axis.
    local = datetime.now().astimezone().tzinfo
    zone = datetime.now(local).strftime("%Z") or "local"
    charts: list[Chart] = []
    for title, unit, pick, scale, log_scale in CHART_SPECS:
        series = _series(runs, pick)
        if not series:
            continue
        figure = Figure(figsize=(6.2, 2.6), dpi=90)
        # Fixed margins (room on the right for the legend): bbox_inches="tight" draws twice.
        figure.subplots_adjust(left=0.11, right=0.72, top=0.88, bottom=0.2)
        axes = figure.subplots()
        moments = set()
        for label, points in sorted(series.items()):
            times = [date2num(moment) for moment, _ in points]
            moments.update(times)
            values = [value / scale for _, value in points]
            axes.plot(times, values, marker="o", markersize=3, linewidth=1.2, label=label)
        if len(moments) == 1:  # one run: an hour either side, not a decade
            (only,) = moments
            axes.set_xlim(only - 1 / 24, only + 1 / 24)
        if log_scale and all(v > 0 for pts in series.values() for _, v in pts):
            axes.set_yscale("log")
        locator = AutoDateLocator(tz=local)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=local))
        axes.set_xlabel(f"time ({zone})", fontsize=7)
        axes.set_title(title, fontsize=10)
        axes.set_ylabel(unit, fontsize=8)
        axes.tick_params(labelsize=7)
        axes.grid(True, alpha=0.3)
        # Beside the plot, not over the lines it names.
        axes.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        charts.append(Chart(title, base64.b64encode(buffer.getvalue()).decode("ascii")))
    return charts
