"""The report's six trend charts, drawn as inline SVG from the run history's metrics: which
charts, which series, every point, a log axis for row counts, and no matplotlib."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, timedelta

from dbguard import metrics
from dbguard.history import StoredRun
from dbguard.report.charts import trend_charts

SVG = "{http://www.w3.org/2000/svg}"
MIB = 1024 * 1024
TITLES = [
    "Rows per table (live)",
    "WAL and database size",
    "Disk, memory and CPU use",
    "Query latency",
    "Latest backup size",
    "Latest backup age",
]


def stored_run(number: int, started_at: datetime, values: dict[str, float]) -> StoredRun:
    return StoredRun(number, "check", started_at, 5.0, "demo.sqlite3", "ok", 0, {}, values, [])


def every_metric(hour: int) -> dict[str, float]:
    return {
        metrics.row_metric("pue_data"): 240.0 + hour,
        metrics.row_metric("pue_drill_data"): 13_680.0,
        metrics.row_metric("pue_data", "backup"): 240.0,  # not live: not charted
        metrics.WAL_BYTES: 4 * MIB,
        metrics.DB_BYTES: 12 * MIB,
        metrics.disk_metric("db"): 81.5,
        metrics.disk_metric("backups"): 40.0,
        metrics.MEMORY_PERCENT: 55.0,
        metrics.CPU_PERCENT: 12.0,
        metrics.LATENCY_MS: 1.5,
        metrics.CONNECT_MS: 2.5,
        metrics.BACKUP_BYTES: 11 * MIB,
        metrics.BACKUP_AGE_HOURS: hour,
        metrics.INTEGRITY_SECONDS: 0.2,  # recorded, but in no chart
    }


def three_hourly_runs() -> list[StoredRun]:
    start = datetime(2026, 11, 25, 8, tzinfo=UTC)
    # Given newest first, as the history returns them: each chart sorts oldest first.
    return [
        stored_run(hour, start + timedelta(hours=hour), every_metric(hour)) for hour in (2, 1, 0)
    ]


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed XML, or this raises


def series_of(svg: str) -> dict[str, list[str]]:
    """Each line's label and the tooltips of its points, in drawing order."""
    root = parsed(svg)
    lines = [line.get("data-label", "") for line in root.iter(f"{SVG}polyline")]
    tips = [circle.findtext(f"{SVG}title", "") for circle in root.iter(f"{SVG}circle")]
    return {label: [tip for tip in tips if tip.startswith(f"{label}: ")] for label in lines}


def test_the_six_charts_in_order_with_their_series() -> None:
    charts = trend_charts(three_hourly_runs())
    assert [chart.title for chart in charts] == TITLES
    expected = [
        ["pue_data", "pue_drill_data"],
        ["WAL", "database"],
        ["CPU", "disk (DB volume)", "disk (backup volume)", "memory"],
        ["latency query", "open + first query"],
        ["latest backup"],
        ["age"],
    ]
    assert [sorted(series_of(chart.svg)) for chart in charts] == [sorted(e) for e in expected]
    for chart in charts:
        root = parsed(chart.svg)
        assert root.get("class") == "dbguard-chart"
        assert root.get("aria-label") == chart.title
        assert chart.title in chart.svg  # the title is text in the page, findable


def test_every_point_is_drawn_with_its_value_scaled_to_the_unit() -> None:
    charts = {chart.title: chart.svg for chart in trend_charts(three_hourly_runs())}
    rows = series_of(charts["Rows per table (live)"])
    assert len(rows["pue_data"]) == 3
    # Oldest first, whatever order the history gave.
    assert [tip.split(" rows at ")[0] for tip in rows["pue_data"]] == [
        "pue_data: 240",
        "pue_data: 241",
        "pue_data: 242",
    ]
    sizes = series_of(charts["WAL and database size"])
    assert sizes["database"][0].startswith("database: 12 MiB at ")
    assert series_of(charts["Disk, memory and CPU use"])["disk (DB volume)"][0].startswith(
        "disk (DB volume): 81.5 % at "
    )


def test_row_counts_use_a_log_axis_other_charts_a_linear_one() -> None:
    charts = {chart.title: chart.svg for chart in trend_charts(three_hourly_runs())}

    def tick_labels(svg: str) -> list[str]:
        root = parsed(svg)
        return [
            text.text or ""
            for text in root.iter(f"{SVG}text")
            if text.get("text-anchor") == "end"  # the y axis's labels
        ]

    assert tick_labels(charts["Rows per table (live)"]) == ["100", "1,000", "10,000", "100,000"]
    assert tick_labels(charts["Latest backup age"]) == ["0", "0.5", "1", "1.5", "2"]


def test_a_chart_appears_only_when_its_metrics_were_recorded() -> None:
    start = datetime(2026, 11, 25, 8, tzinfo=UTC)
    runs = [stored_run(1, start, {metrics.row_metric("pue_data"): 240.0})]
    charts = trend_charts(runs)
    assert [chart.title for chart in charts] == ["Rows per table (live)"]
    assert trend_charts([]) == []


def test_a_single_run_spans_two_hours_not_a_point() -> None:
    start = datetime(2026, 11, 25, 8, tzinfo=UTC)
    (chart,) = trend_charts([stored_run(1, start, {metrics.LATENCY_MS: 1.0})])
    root = parsed(chart.svg)
    (circle,) = root.iter(f"{SVG}circle")
    # In the middle of the plot, with time ticks either side.
    assert 200 < float(circle.get("cx", "0")) < 260
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("y") == "198.0"]
    assert len(ticks) >= 3


def test_drawing_the_charts_imports_no_plotting_library() -> None:
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from dbguard.history import StoredRun\n"
        "from dbguard.report.charts import trend_charts\n"
        "run = StoredRun(1, 'check', datetime.now(UTC), 1.0, 'db', 'ok', 0, {}, "
        "{'latency_ms': 1.0, 'rows.t.live': 5.0}, [])\n"
        "assert len(trend_charts([run])) == 2\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'PIL')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
