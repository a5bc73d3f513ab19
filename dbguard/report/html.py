"""The HTML dbguard adds to pytest-html's report: the status summary and the severity columns.

pytest-html has no "warning" outcome (its issue 778): a warning finding is a
passed test, so the report shows severity in its own column and in the
summary's status. Every text is masked (secrets) and escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from dbguard.findings import Severity
from dbguard.report.charts import Chart
from dbguard.report.results import CheckResult, severity_counts, status_word

STATUS_COLOURS = {"OK": "#1e7d32", "WARNING": "#b26a00", "CRITICAL": "#b71c1c"}
SEVERITY_COLOURS = {
    Severity.OK: "#1e7d32",
    Severity.INFO: "#546e7a",
    Severity.WARNING: "#b26a00",
    Severity.CRITICAL: "#b71c1c",
}

STYLE = """
<style>
.dbguard-status{font-size:1.6em;font-weight:bold;color:#fff;padding:.4em .8em;
  border-radius:6px;display:inline-block;margin:.3em 0}
.dbguard-facts td{padding:1px 10px 1px 0;vertical-align:top}
.dbguard-sev{font-weight:bold;text-transform:uppercase}
.dbguard-charts{display:flex;flex-wrap:wrap;gap:8px;margin-top:.6em}
.dbguard-chart{border:1px solid #ddd;max-width:100%}
.dbguard-finding{border-left:4px solid #999;padding:2px 8px;margin:4px 0;white-space:pre-wrap}
.dbguard-notes li{color:#b26a00}
td.col-observed{min-width:24em}
td.col-remediation{min-width:18em}
</style>
"""

HEADER_CELLS = [
    '<th class="sortable" data-column-type="severity">Severity</th>',
    '<th class="sortable" data-column-type="target">Target</th>',
    "<th>Observed / expected</th>",
    "<th>Remediation</th>",
]


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


def summary_html(
    *,
    status: Severity,
    database: str,
    backup_dir: str,
    started_at: datetime,
    duration_seconds: float,
    results: Sequence[CheckResult],
    charts: Sequence[Chart],
    notes: Sequence[str],
    trend_runs: int,
) -> str:
    """The block at the top of the report: overall status, what was checked, counts, charts."""
    word = status_word(status)
    counts = severity_counts(results)
    count_text = ", ".join(
        f'<span class="dbguard-sev" style="color:{SEVERITY_COLOURS[severity]}">'
        f"{counts[severity.value]} {severity.value}</span>"
        for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO, Severity.OK)
    )
    worst = [r for r in results if r.severity in (Severity.CRITICAL, Severity.WARNING)]
    worst.sort(key=lambda r: -r.severity.rank)
    problem_items = "".join(
        f'<li><span class="dbguard-sev" style="color:{SEVERITY_COLOURS[r.severity]}">'
        f"{r.severity.value}</span> {escape(r.name)}: {escape(_observed(r))}</li>"
        for r in worst[:15]
    )
    notes_html = "".join(f"<li>{escape(note)}</li>" for note in notes)
    charts_html = (
        "".join(chart.img_tag() for chart in charts)
        if charts
        else "<p>No trend data yet: charts appear once runs have recorded metrics.</p>"
    )
    return (
        STYLE
        + f'<div id="dbguard-summary" data-status="{word}">'
        + f'<div class="dbguard-status" style="background:{STATUS_COLOURS[word]}">'
        + f"Status: {word}</div>"
        + '<table class="dbguard-facts">'
        + f"<tr><td>Database</td><td>{escape(database)}</td></tr>"
        + f"<tr><td>Backups</td><td>{escape(backup_dir)}</td></tr>"
        + f"<tr><td>Checked at</td><td>{escape(_local(started_at))}</td></tr>"
        + f"<tr><td>Took</td><td>{escape(_duration(duration_seconds))}</td></tr>"
        + f"<tr><td>Checks by severity</td><td>{count_text}</td></tr>"
        + "</table>"
        + (f"<h3>Problems</h3><ul>{problem_items}</ul>" if problem_items else "")
        + (f'<h3>Notes</h3><ul class="dbguard-notes">{notes_html}</ul>' if notes_html else "")
        + f"<h3>Trends (last {trend_runs} runs)</h3>"
        + f'<div class="dbguard-charts">{charts_html}</div>'
        + "</div>"
    )


def _observed(result: CheckResult) -> str:
    parts = [f.get("observed", "") for f in result.findings if f.get("observed")]
    return "; ".join(parts) or result.message or result.outcome


def row_cells(result: CheckResult | None) -> list[str]:
    """The cells of HEADER_CELLS for one test's row."""
    if result is None:
        return [
            '<td class="col-severity"></td>',
            '<td class="col-target"></td>',
            "<td></td>",
            "<td></td>",
        ]
    severity = result.severity
    shown = [f for f in result.findings if f.get("severity") == severity.value] or result.findings
    observed = "<br/>".join(
        f"observed: {escape(f.get('observed', ''))}<br/>expected: {escape(f.get('expected', ''))}"
        for f in shown
    ) or escape(result.message)
    # A passing check's remediation is noise in the table; the row's details keep it.
    remediation = (
        "<br/>".join(escape(f["remediation"]) for f in shown if f.get("remediation"))
        if severity in (Severity.WARNING, Severity.CRITICAL)
        else ""
    )
    return [
        f'<td class="col-severity"><span class="dbguard-sev" '
        f'style="color:{SEVERITY_COLOURS[severity]}">{severity.value}</span></td>',
        f'<td class="col-target">{escape(result.target)}</td>',
        f'<td class="col-observed">{observed}</td>',
        f'<td class="col-remediation">{remediation}</td>',
    ]


def findings_block(result: CheckResult, already_shown: str = "") -> str:
    """Every finding of one test, in full, for the row's extra (log) area.

    A finding that failed the test is already in the failure text below
    (`already_shown`): it is not repeated.
    """
    blocks = []
    for finding in result.findings:
        severity = finding.get("severity", "")
        header = f"[{severity.upper()}] {finding.get('check', result.name)}"
        if header in already_shown and f"observed: {finding.get('observed', '')}" in already_shown:
            continue
        colour = (
            SEVERITY_COLOURS.get(Severity(severity), "#999")
            if severity in set(Severity)
            else "#999"
        )
        lines = [f"[{severity.upper()}] {finding.get('check', result.name)}"]
        for key in ("target", "expected", "observed", "details", "remediation"):
            if finding.get(key):
                lines.append(f"{key}: {finding[key]}")
        blocks.append(
            f'<div class="dbguard-finding" style="border-color:{colour}">'
            f"{escape(chr(10).join(lines))}</div>"
        )
    return "".join(blocks)
