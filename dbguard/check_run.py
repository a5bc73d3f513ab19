"""Run the quality suite in checks/ with pytest, in this process, and map its outcome to an exit code.

`dbguard check` is a thin wrapper over `run_checks`; `pytest checks/` runs the
same suite for people who know pytest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dbguard.config import Config
from dbguard.database import require_database
from dbguard.errors import DbguardError, ExitCode

# The repository (editable install) holds checks/ and the root conftest.py.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKS_DIR = PROJECT_ROOT / "checks"


@dataclass(frozen=True)
class CheckRun:
    exit_code: ExitCode
    pytest_exit_code: int


def pytest_arguments(config: Config, *, strict: bool, extra: list[str] | None = None) -> list[str]:
    args = [
        str(CHECKS_DIR),
        "--rootdir",
        str(PROJECT_ROOT),
        "-c",
        str(PROJECT_ROOT / "pyproject.toml"),
        "--db",
        str(config.database.path),
        "--backup-dir",
        str(config.backup.dir),
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    if config.source is not None:
        args += ["--dbguard-config", str(config.source)]
    if strict:
        args.append("--strict-warnings")
    return args + (extra or [])


def run_checks(config: Config, *, strict: bool = False, extra: list[str] | None = None) -> CheckRun:
    """Run checks/ against the configured live DB and backups."""
    require_database(config.database.path)
    import pytest

    code = int(pytest.main(pytest_arguments(config, strict=strict, extra=extra)))
    if code == pytest.ExitCode.OK:
        return CheckRun(ExitCode.OK, code)
    if code == pytest.ExitCode.TESTS_FAILED:
        return CheckRun(ExitCode.FAILED, code)
    if code == pytest.ExitCode.USAGE_ERROR:
        raise DbguardError("the quality suite could not start", "see the pytest error above")
    raise DbguardError(
        f"the quality suite stopped with pytest exit code {code}",
        "run with --traceback or `pytest checks/` to see why",
    )
