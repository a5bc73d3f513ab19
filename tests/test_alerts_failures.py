"""A notifier that refuses or hangs never changes a check's outcome nor holds the run up; the
failure is a note in that run's report and a record in the history, and the next run
retries. Real pytest runs of a small quality suite, a real receiver on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from alert_receiver import Receiver, refusing_url
from check_project import CRITICAL_CHECK, SAMPLE_CHECKS, make_project, run_project

pytestmark = pytest.mark.slow  # real pytest runs of a quality suite, several seconds each


def project_with(tmp_path: Path, db: Path, urls: list[str], **alerts: Any) -> Path:
    return make_project(
        tmp_path,
        db,
        {"test_sample.py": SAMPLE_CHECKS, "test_critical.py": CRITICAL_CHECK},
        settings={"alerts": {"urls": urls, **alerts}} if urls else None,
    )


def sends(project: Path) -> list[tuple[str, str, str, int, str]]:
    with sqlite3.connect(project / "reports" / "history.sqlite3") as connection:
        return connection.execute(
            "SELECT source, status, kind, ok, destination FROM alert_sends ORDER BY id"
        ).fetchall()


@pytest.fixture(scope="module")
def refused_run(
    tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path
) -> tuple[Path, str, dict[str, Any], float]:
    """One run whose notifier refuses at once: it takes the run's normal time."""
    url = refusing_url()
    project = project_with(tmp_path_factory.mktemp("refused"), demo_db_template, [url])
    started = time.monotonic()
    result = run_project(project)
    return project, url, result, time.monotonic() - started


def test_refused_notifier_keeps_the_exit_code_notes_the_report_and_retries(
    refused_run: tuple[Path, str, dict[str, Any], float],
) -> None:
    project, url, first, _ = refused_run
    assert first["exit_code"] == 1  # the critical finding, as without alerts
    html = Path(first["html"]).read_text()
    assert "alert (problem, CRITICAL) to json://127.0.0.1:" in html
    assert "the next run retries" in html
    assert sends(project) == [("check", "critical", "problem", 0, url.replace("alerts", "****"))]

    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with Receiver(port=port) as receiver:
        second = run_project(project)
    assert second["exit_code"] == 1
    assert len(receiver.payloads) == 1  # the problem no one was told about yet
    assert "CRITICAL (was OK)" in receiver.messages()[0]
    assert "alert (problem" not in Path(second["html"]).read_text()
    assert sends(project)[-1][:4] == ("check", "critical", "problem", 1)


def test_hanging_notifier_is_abandoned_within_the_budget(
    tmp_path: Path,
    demo_db_template: Path,
    refused_run: tuple[Path, str, dict[str, Any], float],
) -> None:
    normal = refused_run[3]
    with Receiver(hang=True) as receiver:
        # apprise itself would wait 30 s for this one; the run's budget is 1 s.
        url = f"{receiver.url}?rto=30&cto=30"
        project = project_with(tmp_path, demo_db_template, [url], timeout_seconds=1)
        started = time.monotonic()
        result = run_project(project)
        took = time.monotonic() - started
    assert result["exit_code"] == 1
    assert receiver.payloads, "the notifier was reached"
    assert took < normal + 10, (took, normal)  # far from apprise's 30 s
    html = Path(result["html"]).read_text()
    assert "no answer within 1 s (abandoned)" in html
    assert sends(project)[0][3] == 0
