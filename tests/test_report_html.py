"""Real pytest runs of a quality suite write the report: status, severity column, findings,
masked secrets, JUnit XML, latest.html, and the exit codes of `dbguard check`."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
from check_project import CRITICAL_CHECK, SAMPLE_CHECKS, make_project, run_project

from dbguard.history import History

# An alert URL nothing listens on: its (failed) alert is a note in the report, masked.
SECRET_WEBHOOK = "json://127.0.0.1:9/notify?token=s3cr3t-t0ken&room=ops"


@pytest.fixture
def warning_project(tmp_path: Path, demo_db_template: Path) -> Path:
    return make_project(
        tmp_path,
        demo_db_template,
        {"test_sample.py": SAMPLE_CHECKS},
        settings={"alerts": {"urls": [SECRET_WEBHOOK]}},
    )


@pytest.fixture(scope="module")
def warning_run(tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path) -> dict[str, Any]:
    """One run of the warning project, shared by the tests that only read its report."""
    project = make_project(
        tmp_path_factory.mktemp("warning-run"),
        demo_db_template,
        {"test_sample.py": SAMPLE_CHECKS},
        settings={"alerts": {"urls": [SECRET_WEBHOOK]}},
    )
    return run_project(project)


def test_warning_run_exits_0_and_reports_warning_status(warning_run: dict[str, Any]) -> None:
    result = warning_run
    assert result["exit_code"] == 0, result["output"]
    html = Path(result["html"]).read_text()
    assert 'data-status="WARNING"' in html
    assert "Status: WARNING" in html
    assert Path(result["html"]).name.startswith("quality_")
    assert Path(result["latest"]).read_bytes() == Path(result["html"]).read_bytes()


def test_critical_finding_exits_1_and_names_it_in_the_summary(
    tmp_path: Path, demo_db_template: Path
) -> None:
    project = make_project(
        tmp_path,
        demo_db_template,
        {"test_sample.py": SAMPLE_CHECKS, "test_critical.py": CRITICAL_CHECK},
    )
    result = run_project(project)
    assert result["exit_code"] == 1
    html = Path(result["html"]).read_text()
    assert 'data-status="CRITICAL"' in html
    assert "CRITICAL — dbguard quality report" in html  # the report's title
    assert "5 orphan comments" in html
    # The failure text shows the finding; the row's details do not repeat it above that.
    assert html.count("[CRITICAL] foreign keys") == 1
    history = History(project / "reports" / "history.sqlite3").recent_runs()
    assert history[0].status == "critical"


def test_report_shows_severity_expected_observed_and_remediation(
    warning_run: dict[str, Any],
) -> None:
    html = Path(warning_run["html"]).read_text()
    assert 'data-column-type="severity"' in html
    assert "observed: 3.4 in 2 rows" in html
    assert "expected: PUE between 1.0 and 3.0" in html
    assert "check the meter feeding" in html


def test_report_masks_database_password_and_webhook_token(warning_run: dict[str, Any]) -> None:
    html = Path(warning_run["html"]).read_text()
    assert "hunter2" not in html
    assert "s3cr3t-t0ken" not in html
    assert "postgresql://ops:****@db.example.com/energy" in html
    assert "dbguard alerts" in html  # the environment table names it, masked


def test_report_embeds_trend_charts_as_inline_png(warning_run: dict[str, Any]) -> None:
    html = Path(warning_run["html"]).read_text()
    assert html.count('src="data:image/png;base64,') >= 4
    for title in ("Rows per table (live)", "WAL and database size", "Disk, memory and CPU use"):
        assert f'alt="{title}"' in html


def test_junit_xml_is_written_beside_the_report_with_findings(warning_run: dict[str, Any]) -> None:
    result = warning_run
    junit = Path(result["junit"])
    assert junit == Path(result["html"]).with_suffix(".xml")
    tree = ElementTree.parse(junit)
    properties = {(prop.get("name"), prop.get("value")) for prop in tree.iter("property")}
    assert ("severity", "warning") in properties
    assert int(tree.getroot().find("testsuite").get("tests")) == 2  # type: ignore[union-attr]


def test_report_option_writes_where_asked_and_refreshes_latest(
    warning_project: Path, tmp_path: Path
) -> None:
    wanted = tmp_path / "elsewhere" / "my-report.html"
    result = run_project(warning_project, report=wanted)
    assert Path(result["html"]) == wanted and wanted.is_file()
    assert (tmp_path / "elsewhere" / "my-report.xml").is_file()
    assert (warning_project / "reports" / "latest.html").read_bytes() == wanted.read_bytes()


def test_two_runs_keep_two_reports(warning_project: Path) -> None:
    first = run_project(warning_project)["html"]
    second = run_project(warning_project)["html"]
    assert first != second
    assert Path(first).is_file() and Path(second).is_file()


def test_crash_after_a_warning_is_still_critical(tmp_path: Path, demo_db_template: Path) -> None:
    crash = (
        "from dbguard.findings import Finding, Severity\n\n"
        "def test_warns_then_crashes(record_finding):\n"
        "    record_finding(Finding('pue range', Severity.WARNING, 'a', 'b'))\n"
        "    raise RuntimeError('the check itself broke')\n"
    )
    project = make_project(tmp_path, demo_db_template, {"test_crash.py": crash})
    result = run_project(project)
    assert result["exit_code"] == 1
    assert 'data-status="CRITICAL"' in Path(result["html"]).read_text()


def test_strict_fails_on_a_warning_which_the_report_still_calls_a_warning(
    warning_project: Path,
) -> None:
    result = run_project(warning_project, strict=True)
    assert result["exit_code"] == 1
    assert 'data-status="WARNING"' in Path(result["html"]).read_text()


def test_plain_pytest_run_masks_secret_environment_entries(warning_project: Path) -> None:
    report = warning_project / "plain.html"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "checks",
            "-p",
            "no:cacheprovider",
            f"--html={report}",
            "--self-contained-html",
            "--metadata",
            "DEPLOY_API_TOKEN",
            "opaque-value-123",
            "--metadata",
            "Notify",
            SECRET_WEBHOOK,
        ],
        cwd=warning_project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    html = report.read_text()
    assert "DEPLOY_API_TOKEN" in html and "opaque-value-123" not in html
    assert "s3cr3t-t0ken" not in html
    assert 'data-status="WARNING"' in html  # `pytest checks/` gets the same report
