"""The state of one quality run, kept in pytest's stash, and what the root conftest's hooks do.

The hooks in conftest.py only call these functions. A session is a dbguard
quality run when one of its checks uses the `record_finding` or
`record_metric` fixture; the project's own tests (which load the same root
conftest) are left alone.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from dbguard.check_scope import run_scope
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Severity
from dbguard.history import History, Outcome, RunRecord, open_history, utc_now
from dbguard.redact import MASK, mask_secrets
from dbguard.report.library_logs import LibraryLogs
from dbguard.report.results import CheckResult, findings_from_properties, outcome_of
from dbguard.run_config import run_config

log = logging.getLogger(__name__)

QUALITY_FIXTURES = ("record_finding", "record_metric")
# Environment entries whose whole value is secret, whatever it looks like.
SECRET_NAME = re.compile(r"token|secret|passw|credential|api.?key|private.?key", re.IGNORECASE)


@dataclass
class RunState:
    started_at: datetime
    config: Config | None
    config_error: str = ""
    active: bool = False
    history: History | None = None
    history_error: str = ""
    results: dict[str, CheckResult] = field(default_factory=dict)
    finished_at: datetime | None = None
    status: Severity = Severity.OK
    metrics: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None
    # Warnings about the run itself (an alert that could not be sent), for the report's notes.
    notes: list[str] = field(default_factory=list)
    # pytest-html's ReportData, to put the status in the report's title.
    html_report: Any = None
    # Warnings Great Expectations logged during the run, shown as notes (see LibraryLogs).
    library_logs: LibraryLogs | None = None
    # `dbguard check --only …`: some checks only, so not a run for the history or the alerts.
    partial: bool = False

    def secrets(self) -> list[str]:
        if self.config is None:
            return []
        return self.config.secrets()

    def mask(self, text: str) -> str:
        return mask_secrets(text, self.secrets())


RUN_STATE_KEY = pytest.StashKey[RunState]()


def quality_config(pytest_config: pytest.Config) -> Config:
    """The dbguard configuration of this run: `dbguard check`'s own, else dbguard.toml plus
    the pytest options (as checks/conftest.py's `config` fixture builds it)."""
    return run_config(pytest_config)


def start(pytest_config: pytest.Config) -> RunState:
    try:
        config: Config | None = quality_config(pytest_config)
        error = ""
    except DbguardError as problem:
        config, error = None, problem.one_line()
    state = RunState(started_at=utc_now(), config=config, config_error=error)
    try:
        state.partial = run_scope(pytest_config) is not None
    except DbguardError:  # a wrong scope: checks/conftest.py stops the run, saying why
        state.partial = True
    pytest_config.stash[RUN_STATE_KEY] = state
    return state


def run_state(pytest_config: pytest.Config) -> RunState:
    state = pytest_config.stash.get(RUN_STATE_KEY, None)
    return state if state is not None else start(pytest_config)


def activate(session: pytest.Session) -> None:
    """After collection: decide whether this is a quality run and open its history."""
    state = run_state(session.config)
    state.active = any(
        name in getattr(item, "fixturenames", ())
        for item in session.items
        for name in QUALITY_FIXTURES
    )
    if state.active and state.config is not None:
        state.history = history_of(state)
    if state.active and state.library_logs is None:
        state.library_logs = LibraryLogs()


def history_of(state: RunState) -> History | None:
    """The run history, opened once per run; None (and a note) if it cannot be opened, and
    None for a partial run (`check --only`), which neither reads nor writes it."""
    if state.partial:
        return None
    if state.history is not None or state.config is None or state.history_error:
        return state.history
    try:
        state.history = open_history(state.config.reports.history)
    except DbguardError as error:  # HistoryUnavailable: a warning finding; the checks still run
        state.history_error = error.message
        log.warning("%s", state.history_error)
    return state.history


# pytest-html's row hooks get the report but not the config: the report carries the run.
REPORT_RUN_ATTRIBUTE = "_dbguard_run"


def record_report(pytest_config: pytest.Config, report: pytest.TestReport) -> None:
    state = run_state(pytest_config)
    if not state.active:  # another session loading this conftest (the project's own tests)
        return
    setattr(report, REPORT_RUN_ATTRIBUTE, state)
    outcome = outcome_of(report.when, report.outcome)
    result = state.results.get(report.nodeid)
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        state.results[report.nodeid] = CheckResult(
            nodeid=report.nodeid,
            outcome=outcome,
            findings=[
                {key: state.mask(value) for key, value in finding.items()}
                for finding in findings_from_properties(report.user_properties)
            ],
            message=state.mask(_message(report)),
            duration=report.duration,
            failed_on_warning=report.failed
            and report.longreprtext.lstrip().startswith("[WARNING]"),
        )
    elif report.when == "teardown" and report.outcome == "failed" and result is not None:
        result.outcome = "error"
        result.message = state.mask(_message(report))


def _message(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    return report.longreprtext.strip().splitlines()[-1] if report.longreprtext else ""


def metrics_of(pytest_config: pytest.Config) -> dict[str, float]:
    """The numbers checks recorded with `record_metric` (checks/conftest.py's METRICS_KEY)."""
    for plugin in pytest_config.pluginmanager.get_plugins():
        key = getattr(plugin, "METRICS_KEY", None)
        if isinstance(key, pytest.StashKey):
            stored = pytest_config.stash.get(key, None)
            if isinstance(stored, dict):
                return {str(name): float(value) for name, value in stored.items()}
    return {}


def finish(session: pytest.Session, exit_status: int) -> None:
    """At session end: the overall status, and one record appended to the run history."""
    state = run_state(session.config)
    if not state.active:
        return
    state.finished_at = utc_now()
    if state.library_logs is not None:
        state.library_logs.close()
    worst = Severity.worst([result.severity for result in state.results.values()])
    state.status = Severity.OK if worst is Severity.INFO else worst
    if exit_status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        # Interrupted, a collection error, an internal error: the checks did not all run.
        state.status = Severity.CRITICAL
    state.metrics = metrics_of(session.config)
    if state.partial:  # it would close incidents and resolve alerts it never looked at
        return
    history = history_of(state)
    if history is None or state.config is None:
        return
    from dbguard.report.results import severity_counts

    record = RunRecord(
        kind="check",
        started_at=state.started_at,
        finished_at=state.finished_at,
        database=state.config.database.key,
        status=state.status.value,
        exit_code=int(exit_status),
        metrics=state.metrics,
        outcomes=[
            Outcome(
                name=result.name,
                severity=result.severity.value,
                outcome=result.outcome,
                nodeid=result.nodeid,
                target=result.target,
                duration_seconds=result.duration,
                subjects=result.subjects,
            )
            for result in state.results.values()
        ],
        counts=severity_counts(state.results.values()),
    )
    from dbguard.incident.records import record_run

    try:
        # The one place a check run reaches the history: it may open or close an incident.
        state.run_id = record_run(history, record).run_id
    except Exception as error:  # the report must still be written
        state.history_error = f"could not append this run to the history: {error}"
        log.warning("%s", state.history_error)
    from dbguard.alerts.sources import notify_check

    html = session.config.getoption("htmlpath", None)
    report = (Path.cwd() / Path(html).expanduser()).resolve() if html else None
    state.notes += notify_check(state.config, state.status, state.results.values(), report).notes


def terminal_summary(pytest_config: pytest.Config) -> list[str]:
    """The status line and the warnings and criticals, for the end of the terminal output."""
    state = run_state(pytest_config)
    if not state.active or state.finished_at is None:
        return []
    from dbguard.report.terminal import summary_lines

    lines = summary_lines(list(state.results.values()), state.status, database_label(state))
    return lines + [f"dbguard: warning: {note}" for note in state.notes]


def database_label(state: RunState) -> str:
    if state.config is None:
        return "(configuration not loaded)"
    return state.mask(state.config.database.key)


def duration_seconds(state: RunState) -> float:
    end = state.finished_at or utc_now()
    return max(0.0, (end - state.started_at).total_seconds())


def state_of_report(report: object) -> RunState | None:
    state = getattr(report, REPORT_RUN_ATTRIBUTE, None)
    return state if isinstance(state, RunState) else None


def mask_metadata(metadata: dict[str, Any], pytest_config: pytest.Config) -> None:
    """Mask secrets in the environment table's values, and say what was checked."""
    state = run_state(pytest_config)
    for key, value in list(metadata.items()):
        if isinstance(value, str):
            secret_name = SECRET_NAME.search(key) is not None
            metadata[key] = MASK if secret_name and value else state.mask(value)
    if state.config is not None:
        metadata["dbguard database"] = database_label(state)
        metadata["dbguard config"] = state.mask(str(state.config.source or "(defaults)"))
        if state.config.alerts.urls:
            from dbguard.config.alerts import mask_alert_url

            metadata["dbguard alerts"] = ", ".join(map(mask_alert_url, state.config.alerts.urls))
