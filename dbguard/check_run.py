"""Run the quality suite in checks/ with pytest, in this process, and map its outcome to an exit code.

`dbguard check` is a thin wrapper over `run_checks`; `pytest checks/` runs the
same suite for people who know pytest. Every run writes one self-contained
HTML report `reports/quality_YYYYMMDD_HHMMSS.html` (UTC), JUnit XML beside it,
and refreshes `reports/latest.html`; the root conftest's hooks append the run
to the history.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dbguard.config import Config
from dbguard.database import require_database
from dbguard.errors import ConfigError, DbguardError, ExitCode
from dbguard.run_config import PresetConfig

log = logging.getLogger(__name__)

# The repository (editable install) holds checks/ and the root conftest.py.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = PROJECT_ROOT / "checks"
LATEST_NAME = "latest.html"
# Plugins with no use in a quality run that cost time: unraisableexception calls gc.collect()
# several times at session end, each walk going through GX's large object graph; hypothesis's
# plugin (dev extra) imports hypothesis at the terminal summary. pytest-html and
# pytest-metadata stay: they write the report.
DISABLED_PLUGINS = ("cacheprovider", "unraisableexception", "hypothesispytest")


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    junit: Path
    latest: Path


@dataclass(frozen=True)
class CheckRun:
    exit_code: ExitCode
    pytest_exit_code: int
    reports: ReportPaths | None = None


def report_paths(
    config: Config, report: Path | None = None, now: datetime | None = None
) -> ReportPaths:
    """Where this run's reports go: `report` (if given) or a new timestamped name in the
    reports folder; JUnit XML beside the HTML; latest.html in the reports folder."""
    reports_dir = Path(config.reports.dir)
    if report is not None:
        html = Path(report).expanduser().resolve()
        if html.is_dir():
            raise ConfigError(f"--report {report} is a folder", "pass the path of an .html file")
    else:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d_%H%M%S")
        html = reports_dir / f"quality_{stamp}.html"
        suffix = 2
        while html.exists():  # two runs in the same second keep both reports
            html = reports_dir / f"quality_{stamp}_{suffix}.html"
            suffix += 1
    return ReportPaths(html=html, junit=html.with_suffix(".xml"), latest=reports_dir / LATEST_NAME)


def pytest_arguments(
    config: Config,
    *,
    strict: bool,
    extra: list[str] | None = None,
    reports: ReportPaths | None = None,
    checks_dir: Path | None = None,
) -> list[str]:
    checks = Path(checks_dir) if checks_dir is not None else CHECKS_DIR
    root = checks.resolve().parent
    args = [
        str(checks),
        "--rootdir",
        str(root),
        "--confcutdir",
        str(root),
        "--db",
        str(config.database.path),
        "--backup-dir",
        str(config.backup.dir),
        *(option for plugin in DISABLED_PLUGINS for option in ("-p", f"no:{plugin}")),
        "-q",
    ]
    if (root / "pyproject.toml").is_file():
        args += ["-c", str(root / "pyproject.toml")]
    if config.source is not None:
        args += ["--dbguard-config", str(config.source)]
    if strict:
        args.append("--strict-warnings")
    if reports is not None:
        args += [
            f"--html={reports.html}",
            "--self-contained-html",
            f"--junitxml={reports.junit}",
            "-o",
            "junit_family=xunit2",
        ]
    return args + (extra or [])


def run_checks(
    config: Config,
    *,
    strict: bool = False,
    extra: list[str] | None = None,
    report: Path | None = None,
    write_report: bool = True,
    checks_dir: Path | None = None,
) -> CheckRun:
    """Run checks/ against the configured live DB and backups; write the reports.

    The result carries the report paths (`reports.html`, `.junit`, `.latest`).
    """
    # Missing is bad input (exit 2); present but damaged is a critical finding for the checks.
    require_database(config.database.path, sqlite_header=False)
    # A malformed suite is bad input: one line naming the file, exit 2, before pytest starts.
    from dbguard.quality.suites import load_suites, require_expectations_dir

    if checks_dir is None:  # the project's own checks/ read the suites; a test's may not
        require_expectations_dir(config.checks.expectations_dir)
    load_suites(config.checks.expectations_dir)
    import pytest

    reports = report_paths(config, report) if write_report else None
    if reports is not None:
        for folder in {reports.html.parent, reports.latest.parent}:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ConfigError(
                    f"cannot create report folder {folder}: {error.strerror}",
                    "set [reports] dir (or --report) to a folder you can write to",
                ) from None
    args = pytest_arguments(
        config, strict=strict, extra=extra, reports=reports, checks_dir=checks_dir
    )
    code = int(pytest.main(args, plugins=[PresetConfig(config)]))
    if reports is not None and reports.html.is_file():
        refresh_latest(reports.html, reports.latest)
    if code == pytest.ExitCode.OK:
        return CheckRun(ExitCode.OK, code, reports)
    if code == pytest.ExitCode.TESTS_FAILED:
        return CheckRun(ExitCode.FAILED, code, reports)
    if code == pytest.ExitCode.USAGE_ERROR:
        raise DbguardError("the quality suite could not start", "see the pytest error above")
    raise DbguardError(
        f"the quality suite stopped with pytest exit code {code}",
        "run with --traceback or `pytest checks/` to see why",
    )


def refresh_latest(report: Path, latest: Path) -> None:
    """Copy `report` to `latest` atomically: readers see the old or the new file, never half."""
    if report.resolve() == latest.resolve():
        return
    temporary = latest.with_name(f".{latest.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(report, temporary)
        os.replace(temporary, latest)
    finally:
        temporary.unlink(missing_ok=True)
