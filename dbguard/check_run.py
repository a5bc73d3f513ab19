"""Run the quality suite in checks/ with pytest, in this process, and map its outcome to an exit code.

`dbguard check` is a thin wrapper over `run_checks`; `pytest checks/` runs the
same suite for people who know pytest. Every run writes one self-contained
HTML report `quality_YYYYMMDD_HHMMSS.html` (UTC), JUnit XML beside it, and
refreshes `latest.html`, in the reports folder of the database it checks
(see dbguard.report_files); the root conftest's hooks append the run to the
history. Bad input (a missing database, a file named with --db that is not
SQLite, a malformed suite, a reports folder it cannot write, no checks/
folder) stops the run before pytest starts; the database dbguard.toml names being gone is a
critical check run instead (dbguard.lost_database).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from dbguard.catalog import live_source
from dbguard.check_scope import PYTEST_OPTION, CheckScope, require_suite
from dbguard.config import Config, DatabaseConfig
from dbguard.errors import ConfigError, DbguardError, ExitCode
from dbguard.findings import Finding
from dbguard.report_files import (
    ReportPaths,
    is_other_database,
    refresh_latest,
    report_paths,
    reports_folder,
    require_writable,
)
from dbguard.run_config import PresetConfig

log = logging.getLogger(__name__)

# The repository (an editable install, or a run from the clone) holds checks/ and the root
# conftest.py. A plain `pip install .` does not: see `checks_folder`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = PROJECT_ROOT / "checks"
CHECKS_MARKER = "test_expectations.py"  # a checks/ folder that is dbguard's, not any tests
# Plugins with no use in a quality run that cost time: unraisableexception calls gc.collect()
# several times at session end, each walk going through GX's large object graph; hypothesis's
# plugin (dev extra) imports hypothesis at the terminal summary; xdist's (dev extra) imports
# execnet; anyio's (a dependency of starlette and httpx) wraps every fixture's setup.
# pytest-html and pytest-metadata stay: they write the report.
DISABLED_PLUGINS = (
    "cacheprovider",
    "unraisableexception",
    "hypothesispytest",
    "xdist",
    "xdist.looponfail",
    "anyio",
)


@dataclass(frozen=True)
class CheckRun:
    exit_code: ExitCode
    pytest_exit_code: int
    reports: ReportPaths | None = None
    # The database dbguard.toml names is gone: this critical finding instead of a pytest run.
    lost: Finding | None = None
    notes: tuple[str, ...] = ()


def checks_folder(config: Config) -> Path:
    """The project folder's checks/: beside the config file, in the current folder, or in the
    repository dbguard runs from. A plain `pip install .` ships no checks/ (analysts edit
    them with the suites, in the project folder), so without one this is a one-line error."""
    candidates = [Path.cwd() / "checks", CHECKS_DIR]
    if config.source is not None:
        candidates.insert(0, Path(config.source).parent / "checks")
    for candidate in candidates:
        if (candidate / CHECKS_MARKER).is_file():
            return candidate
    raise ConfigError(
        "dbguard check runs from its project folder (a clone of the dbguard repository, "
        f"holding checks/ and expectations/); found no checks/ beside "
        f"{config.source or 'the defaults'} or in {Path.cwd()}",
        "cd into the project folder, or pass --config PROJECT/dbguard.toml",
    )


def pytest_arguments(
    config: Config,
    *,
    strict: bool,
    extra: list[str] | None = None,
    reports: ReportPaths | None = None,
    checks_dir: Path | None = None,
) -> list[str]:
    checks = Path(checks_dir) if checks_dir is not None else checks_folder(config)
    root = checks.resolve().parent
    args = [
        str(checks),
        "--rootdir",
        str(root),
        "--confcutdir",
        str(root),
        # A PostgreSQL URL is not passed on (it may hold an expanded password): the run reads
        # its Config from the PresetConfig plugin.
        *(["--db", str(config.database.path)] if config.database.is_sqlite else []),
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
    configured_database: DatabaseConfig | None = None,
    only: CheckScope | None = None,
    plugins: Sequence[object] = (),
) -> CheckRun:
    """Run checks/ against `config`'s live DB and backups; write the reports.

    `configured_database` is the one dbguard.toml names; a run of any other database
    writes its reports into its own subfolder (None: this is the configured one).
    The result carries the report paths (`reports.html`, `.junit`, `.latest`).
    `only` runs the expectation suites alone (dbguard.check_scope), writing a report only
    when `report` names one; `plugins` join the pytest run (e.g. to collect its findings).
    """
    if only is not None and report is None:
        write_report = False
    other = is_other_database(config, configured_database)
    from dbguard.lost_database import check_lost_database, lost_reason

    if not other and (reason := lost_reason(config)):
        lost = check_lost_database(config, reason)
        return CheckRun(ExitCode.FAILED, 1, lost=lost.finding, notes=tuple(lost.notes))
    # Missing is bad input (exit 2) unless dbguard.toml names the database (above). A file named on the command line that is not SQLite at
    # all is a wrong path (exit 2); the configured live database turning into one is damage,
    # a critical finding for the checks to report. A PostgreSQL login refused is bad input;
    # a server that does not answer is a connection failure the checks report.
    live_source(config).require(sqlite_header=other)
    from dbguard.quality.suites import checked_suites, load_suites, require_expectations_dir

    if checks_dir is None:  # the project's own checks/ read the suites; a test's may not
        checks_dir = checks_folder(config)
        require_expectations_dir(config.checks.expectations_dir)
    reports = None
    if write_report:
        reports = report_paths(reports_folder(config, configured_database), report)
        require_writable(reports)
    # A malformed suite is bad input: one line naming the file, exit 2, before pytest starts.
    suites = checked_suites(
        load_suites(config.checks.expectations_dir), config.checks.ignore_tables
    )
    if only is not None:
        require_suite(only, [suite.table for suite in suites], config.checks.expectations_dir)
        extra = [PYTEST_OPTION, only.text, *(extra or [])]
    import pytest

    args = pytest_arguments(
        config, strict=strict, extra=extra, reports=reports, checks_dir=checks_dir
    )
    with _terminate_as_interrupt():
        code = int(pytest.main(args, plugins=[PresetConfig(config), *plugins]))
    if reports is not None and reports.html.is_file() and only is None:
        refresh_latest(reports.html, reports.latest)  # a partial run's report is not the latest
    if code == pytest.ExitCode.OK:
        return CheckRun(ExitCode.OK, code, reports)
    if code == pytest.ExitCode.TESTS_FAILED:
        return CheckRun(ExitCode.FAILED, code, reports)
    if code == pytest.ExitCode.USAGE_ERROR:
        raise DbguardError("the quality suite could not start", "see the pytest error above")
    if code == pytest.ExitCode.INTERRUPTED:
        raise DbguardError("the check run was interrupted", "its temporary files were removed")
    raise DbguardError(
        f"the quality suite stopped with pytest exit code {code}",
        "run with --traceback or `pytest checks/` to see why",
    )


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (cron's or systemd's stop) unwinds the run like Ctrl-C, so pytest tears its
    fixtures down and the restore drill's copy is removed."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
