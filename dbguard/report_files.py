"""Where a run writes its reports, checked writable before any work, and latest.html refreshed.

`reports/` (the `[reports] dir`) belongs to the configured database: its
timestamped reports, its weekly reports and `reports/latest.html`. A run
against any other database (`--db OTHER`) writes into
`reports/<file name>-<hash of its full path>/`, so it never replaces the
configured database's reports and two databases of the same file name in
different folders keep apart.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dbguard.config import Config, DatabaseConfig
from dbguard.errors import ConfigError

LATEST_NAME = "latest.html"
WRITABLE_HINT = "set [reports] dir (or --report) to a folder you can write to"


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    junit: Path
    latest: Path


def is_other_database(config: Config, configured: DatabaseConfig | None) -> bool:
    """Whether `config` checks a database other than the configured one (None: it is that one)."""
    return configured is not None and _identity(config.database) != _identity(configured)


def reports_folder(config: Config, configured: DatabaseConfig | None = None) -> Path:
    """`[reports] dir` for the configured database, a subfolder of it for any other."""
    base = Path(config.reports.dir)
    if not is_other_database(config, configured):
        return base
    return base / database_folder_name(config.database)


def database_folder_name(database: DatabaseConfig) -> str:
    """`<file name>-<8 hex digits of its full path>` (for PostgreSQL, of its masked URL):
    safe in a path, one per database."""
    identity = _identity(database)
    shown = identity.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    name = re.sub(r"[^\w.-]", "_", shown).lstrip(".-")[:60] or "database"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:8]
    return f"{name}-{digest}"


def _identity(database: DatabaseConfig) -> str:
    if not database.is_sqlite:
        return database.key
    return str(Path(database.path).expanduser().resolve())


def report_paths(
    folder: Path, report: Path | None = None, now: datetime | None = None
) -> ReportPaths:
    """This run's reports: `report` (if given) or a new timestamped name in `folder`;
    JUnit XML beside the HTML; latest.html in `folder`."""
    if report is not None:
        html = Path(report).expanduser().resolve()
        if html.is_dir():
            raise ConfigError(f"--report {report} is a folder", "pass the path of an .html file")
    else:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d_%H%M%S")
        html = folder / f"quality_{stamp}.html"
        suffix = 2
        while html.exists():  # two runs in the same second keep both reports
            html = folder / f"quality_{stamp}_{suffix}.html"
            suffix += 1
    return ReportPaths(html=html, junit=html.with_suffix(".xml"), latest=folder / LATEST_NAME)


def require_writable(reports: ReportPaths) -> None:
    """Create the folders and prove each file can be written, before a run spends minutes."""
    for path in (reports.html, reports.junit, reports.latest):
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(
                f"cannot create report folder {folder}: {error.strerror}", WRITABLE_HINT
            ) from None
        if path.is_dir():
            raise ConfigError(f"cannot write report {path}: it is a folder", WRITABLE_HINT)
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".dbguard-write-test-"):
                pass
        except OSError as error:
            raise ConfigError(
                f"cannot write to report folder {folder}: {error.strerror}", WRITABLE_HINT
            ) from None


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
