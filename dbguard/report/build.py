"""What the pytest-html hooks add, built from the run's state and the run history."""

from __future__ import annotations

import logging
from html import escape as html_escape

import pytest

from dbguard.report import session as run
from dbguard.report.charts import Chart, trend_charts
from dbguard.report.html import findings_block, row_cells, summary_html
from dbguard.report.results import status_word

log = logging.getLogger(__name__)

NO_LOG = "No log output captured."


def summary_block(pytest_config: pytest.Config) -> str:
    """The status summary and the trend charts, or "" outside a quality run."""
    state = run.run_state(pytest_config)
    if not state.active:
        return ""
    notes = [note for note in (state.config_error, state.history_error, *state.notes) if note]
    if state.library_logs is not None:
        notes += state.library_logs.messages
    history = run.history_of(state)
    if history is not None and history.recovered_from is not None:
        notes.append(
            f"the run history was unreadable and was moved aside to {history.recovered_from};"
            " a new history was started"
        )
    charts: list[Chart] = []
    trend_runs = state.config.reports.trend_runs if state.config else 30
    if history is not None:
        try:
            database = state.config.database.key if state.config else None
            runs = history.recent_runs(kind="check", limit=trend_runs, database=database)
            charts = trend_charts(runs)
        except Exception as error:  # a chart must never cost the report
            log.warning("could not draw the trend charts: %s", error)
            notes.append(f"trend charts could not be drawn: {error}")
    if state.html_report is not None:
        file_name = str(state.html_report.title).split(" — ")[-1]
        state.html_report.title = (
            f"{status_word(state.status)} — dbguard quality report — {file_name}"
        )
        arrange_rows(state.html_report)
    return summary_html(
        status=state.status,
        database=run.database_label(state),
        backup_dir=state.mask(str(state.config.backup.dir)) if state.config else "",
        started_at=state.started_at,
        duration_seconds=run.duration_seconds(state),
        results=list(state.results.values()),
        charts=charts,
        notes=[state.mask(note) for note in notes],
        trend_runs=trend_runs,
    )


def arrange_rows(html_report: object) -> None:
    """Problems first (by the severity column's hidden rank: critical, warning, ok, skipped),
    and the details of passed and skipped rows folded. pytest-html reads both from its
    report data when it writes the page; its ini options would apply to every project."""
    set_data = getattr(html_report, "set_data", None)
    if callable(set_data):
        set_data("initialSort", "severity")
        set_data("renderCollapsed", ["passed", "skipped"])


def table_row(report: pytest.TestReport) -> list[str]:
    state = run.state_of_report(report)
    result = state.results.get(report.nodeid) if state is not None else None
    cells = row_cells(result)
    if state is not None:
        cells = [state.mask(cell) for cell in cells]
    return cells


def extra_html(report: pytest.TestReport, data: list[str]) -> None:
    """Put the findings in full above the log, and mask secrets in the captured log."""
    state = run.state_of_report(report)
    mask = state.mask if state is not None else run.mask_secrets
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3 and data:
        # pytest-html prints a skip as the raw tuple ('checks/x.py', 50, 'Skipped: …').
        data[0] = html_escape(str(longrepr[2])) + "\n"
    if report.passed and data == [NO_LOG]:
        data.clear()  # pytest-html's filler for an empty log says nothing about a pass
    data[:] = [mask(entry) for entry in data]
    result = state.results.get(report.nodeid) if state is not None else None
    if result is not None and result.findings and report.when == "call":
        shown = report.longreprtext if report.failed else ""
        data.insert(0, findings_block(result, already_shown=shown))
