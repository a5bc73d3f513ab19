"""The HTML dbguard adds to pytest-html's report: the status summary and the severity columns.

pytest-html has no "warning" outcome (its issue 778): a warning finding is a
passed test, so the report shows severity in its own column and in the
summary's status. A finding reads as a sentence (its plain language) with the raw
expected/observed one click away. Every text is masked (secrets) by the caller,
escaped here, and no single text is longer than TEXT_LIMIT characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from dbguard.findings import Severity
from dbguard.report.charts import Chart
from dbguard.report.results import CheckResult, category, count_sentence, status_word
from dbguard.rules.problems import Problem, check_findings, group_problems

STATUS_COLOURS = {"OK": "#1e7d32", "WARNING": "#b26a00", "CRITICAL": "#b71c1c"}
SEVERITY_COLOURS = {
    Severity.OK: "#1e7d32",
    Severity.INFO: "#546e7a",
    Severity.WARNING: "#b26a00",
    Severity.CRITICAL: "#b71c1c",
}
CATEGORY_COLOURS = {
    "critical": "#b71c1c",
    "warning": "#b26a00",
    "ok": "#1e7d32",
    "skipped": "#546e7a",
}
# pytest-html sorts a column by its cell's text: a hidden rank first puts problems on top.
CATEGORY_RANK = {"critical": 1, "warning": 2, "ok": 3, "skipped": 4}
TEXT_LIMIT = 4000  # characters of one field shown in a cell (values inside are cut to 200)
PROBLEMS_SHOWN = 15

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
.dbguard-problems li{margin:.3em 0}
.dbguard-todo{color:#333}
.dbguard-checks{color:#777;font-size:.9em}
.dbguard-plain{color:#222}
.dbguard-raw summary{cursor:pointer;color:#777}
td.col-observed{min-width:24em}
td.col-remediation{min-width:18em}
#results-table td,.logwrapper .log,.dbguard-finding,.dbguard-problems{overflow-wrap:anywhere}
</style>
"""
# The summary is built inside pytest-html's Summary section, below the environment table;
# a reader wants the status and the problems first, so the block moves itself to the top.
MOVE_TO_TOP = (
    "<script>(function(){var s=document.getElementById('dbguard-summary');"
    "var e=document.getElementById('environment-header');"
    "if(s&&e){e.parentNode.insertBefore(s,e);}})();</script>"
)

HEADER_CELLS = [
    '<th class="sortable" data-column-type="severity">Severity</th>',
    '<th class="sortable" data-column-type="target">Target</th>',
    "<th>Observed / expected</th>",
    "<th>Remediation</th>",
]


def cut(text: str, limit: int = TEXT_LIMIT) -> str:
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


def _label(name: str) -> str:
    return f'<span class="dbguard-sev" style="color:{CATEGORY_COLOURS[name]}">{name}</span>'


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
    """The block at the top of the report: overall status, the problems with what to do,
    what was checked, the count of checks, charts."""
    word = status_word(status)
    # One cause, one problem (dbguard.rules.problems); the table below has every finding.
    problems = group_problems(check_findings(results))
    problem_items = "".join(_problem_item(problem) for problem in problems[:PROBLEMS_SHOWN])
    if len(problems) > PROBLEMS_SHOWN:
        problem_items += f"<li>… and {len(problems) - PROBLEMS_SHOWN} more in the table below</li>"
    notes_html = "".join(f"<li>{escape(note)}</li>" for note in notes)
    charts_html = (
        "".join(chart.svg for chart in charts)
        if charts
        else "<p>No trend data yet: charts appear once runs have recorded metrics.</p>"
    )
    return (
        STYLE
        + f'<div id="dbguard-summary" data-status="{word}">'
        + f'<div class="dbguard-status" style="background:{STATUS_COLOURS[word]}">'
        + f"Status: {word}</div>"
        + (
            f'<h3>Problems</h3><ul class="dbguard-problems">{problem_items}</ul>'
            if problem_items
            else "<p>No problems found.</p>"
        )
        + '<table class="dbguard-facts">'
        + f"<tr><td>Database</td><td>{escape(database)}</td></tr>"
        + f"<tr><td>Backups</td><td>{escape(backup_dir)}</td></tr>"
        + f"<tr><td>Checked at</td><td>{escape(_local(started_at))}</td></tr>"
        + f"<tr><td>Took</td><td>{escape(_duration(duration_seconds))}</td></tr>"
        + f'<tr><td>Checks</td><td id="dbguard-count">{escape(count_sentence(results))}</td></tr>'
        + "</table>"
        + (f'<h3>Notes</h3><ul class="dbguard-notes">{notes_html}</ul>' if notes_html else "")
        + f"<h3>Trends (last {trend_runs} runs)</h3>"
        + f'<div class="dbguard-charts">{charts_html}</div>'
        + "</div>"
        + MOVE_TO_TOP
    )


def _problem_item(problem: Problem) -> str:
    """A problem: its title and targets, what its lead finding saw, what to do, and (for a
    problem of several findings) the checks behind it."""
    lead = problem.findings[0]
    title = problem.title if len(problem.findings) > 1 else lead.check
    said = lead.plain_language or lead.observed
    todo = "; ".join(problem.actions)
    target = f" [{escape(', '.join(problem.targets))}]" if problem.targets else ""
    checks = "; ".join(
        f"{check} [{', '.join(targets)}]" if targets else check for check, targets in problem.checks
    )
    return (
        f"<li>{_label(problem.severity.value)} {escape(title)}{target}: {escape(cut(said))}"
        + (
            f'<br/><span class="dbguard-todo">What to do: {escape(cut(todo))}</span>'
            if todo
            else ""
        )
        + (
            f'<br/><span class="dbguard-checks">{len(problem.findings)} findings:'
            f" {escape(cut(checks))}</span>"
            if len(problem.findings) > 1
            else ""
        )
        + "</li>"
    )


def _shown(result: CheckResult) -> list[dict[str, str]]:
    """The findings at the result's own severity (the ones that decide its row)."""
    severity = result.severity.value
    return [f for f in result.findings if f.get("severity") == severity] or result.findings


def row_cells(result: CheckResult | None) -> list[str]:
    """The cells of HEADER_CELLS for one test's row."""
    if result is None:
        return [
            '<td class="col-severity"></td>',
            '<td class="col-target"></td>',
            "<td></td>",
            "<td></td>",
        ]
    name = category(result)
    shown = _shown(result)
    observed = "<br/>".join(_observed_cell(finding) for finding in shown) or escape(
        cut(result.message)
    )
    # A passing check's remediation is noise in the table; the row's details keep it.
    remediation = (
        "<br/>".join(escape(cut(f["remediation"])) for f in shown if f.get("remediation"))
        if name in ("critical", "warning")
        else ""
    )
    return [
        f'<td class="col-severity"><span hidden>{CATEGORY_RANK[name]}</span>{_label(name)}</td>',
        f'<td class="col-target">{escape(result.target)}</td>',
        f'<td class="col-observed">{observed}</td>',
        f'<td class="col-remediation">{remediation}</td>',
    ]


def _observed_cell(finding: dict[str, str]) -> str:
    raw = (
        f"observed: {escape(cut(finding.get('observed', '')))}<br/>"
        f"expected: {escape(cut(finding.get('expected', '')))}"
    )
    if finding.get("details"):
        raw += f"<br/>details: {escape(cut(finding['details']))}"
    plain = finding.get("plain_language")
    if not plain:
        return raw
    return (
        f'<div class="dbguard-plain">{escape(cut(plain))}</div>'
        f'<details class="dbguard-raw"><summary>raw</summary>{raw}</details>'
    )


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
        lines = [header]
        for key in ("plain_language", "target", "expected", "observed", "details", "remediation"):
            if finding.get(key):
                lines.append(f"{key.replace('_', ' ')}: {cut(finding[key])}")
        blocks.append(
            f'<div class="dbguard-finding" style="border-color:{colour}">'
            f"{escape(chr(10).join(lines))}</div>"
        )
    return "".join(blocks)
