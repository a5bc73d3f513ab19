"""`dbguard init`: set dbguard up for one's own SQLite database.

It writes a commented dbguard.toml beside the database (paths relative to it,
so they point at this folder, not at the demo), gives every table a suite in
`expectations/` holding its row-count baseline (`dbguard baseline`'s
`capture_baselines`) and the rules `dbguard suggest --write` proposes, as
warnings (`suggest`), and says where `dbguard check` will find its checks.

A second run keeps what is there: an existing dbguard.toml naming the same
database is kept (one naming another database is an error), and a table that
already has a suite keeps it byte for byte; only tables without one get a new
suite. `force` replaces dbguard.toml, after copying the old one aside. The
database itself is only ever opened read-only. PostgreSQL is not set up here:
its dbguard.toml holds a URL that `init` cannot guess safely.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dbguard.check_run import checks_folder
from dbguard.config import CONFIG_FILE_NAME, Config, load_config
from dbguard.config.database_url import is_url
from dbguard.database import SQLITE_HEADER, require_database
from dbguard.errors import ConfigError, DatabaseError
from dbguard.init_template import render_config

# What a file beside a database may be that is not a database to set up.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal", ".manifest.json", ".verified.json")


@dataclass(frozen=True)
class InitResult:
    database: Path
    config_path: Path
    config_written: bool  # False: an existing dbguard.toml for this database was kept
    config_copy: Path | None  # where --force put the old dbguard.toml
    expectations_dir: Path
    new_suites: list[str] = field(default_factory=list)  # tables given a suite now
    kept_suites: list[str] = field(default_factory=list)  # tables whose suite was left alone
    suggested_rules: int = 0
    checks_dir: Path | None = None  # where `dbguard check` finds checks/; None: nowhere

    def next_commands(self, cwd: Path) -> list[tuple[str, str]]:
        """The three commands to run next, each with what it does."""
        folder = self.config_path.parent
        prefix = "" if folder == cwd.resolve() else f"cd {_shell_word(str(folder))} && "
        return [
            (
                f"{prefix}dbguard backup create && dbguard check",
                "a first verified backup, then every check of the database and that backup",
            ),
            (
                f"{prefix}dbguard schedule --install",
                "cron: daily backup, hourly check, health every 5 minutes, weekly report",
            ),
            (
                f"{prefix}dbguard replicate",
                "continuous replication, once [replication] enabled = true in dbguard.toml",
            ),
        ]


def init_project(
    db: str | None, *, cwd: Path | None = None, force: bool = False, now: datetime | None = None
) -> InitResult:
    """Set dbguard up for the SQLite database `db` (None: the one in `cwd`)."""
    from dbguard.quality.baseline import capture_baselines
    from dbguard.quality.suggest.apply import suggest
    from dbguard.quality.suites import load_suites

    cwd = (cwd or Path.cwd()).resolve()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    database = _database(db, cwd)
    config_path = database.parent / CONFIG_FILE_NAME
    tables = _tables(database)
    config_written, config_copy = _write_config(config_path, database, force, moment)
    config = load_config(config_path)
    expectations_dir = Path(config.checks.expectations_dir)
    with_suite = {suite.table for suite in load_suites(expectations_dir)}
    new = [table for table in tables if table not in with_suite]
    kept = [table for table in tables if table in with_suite]
    rules = 0
    if new:
        # A table without a suite has no baseline that a bad last run could have spoiled.
        capture_baselines(config, new, accept=True, now=moment)
        suggested = suggest(config, new, write=True, now=moment)
        rules = sum(len(result.proposals) for result in suggested)
    return InitResult(
        database=database,
        config_path=config_path,
        config_written=config_written,
        config_copy=config_copy,
        expectations_dir=expectations_dir,
        new_suites=new,
        kept_suites=kept,
        suggested_rules=rules,
        checks_dir=_checks_dir(config),
    )


def _database(db: str | None, cwd: Path) -> Path:
    if db is not None and is_url(db):
        raise ConfigError(
            "dbguard init sets up a SQLite database, not a URL",
            "for PostgreSQL write [database] url in dbguard.toml (docs/postgresql.md), then run"
            " dbguard baseline and dbguard suggest --write",
        )
    if db is not None:
        path = Path(db).expanduser()
        path = path if path.is_absolute() else cwd / path
    else:
        path = _database_in(cwd)
    require_database(path)
    return path.absolute()


def _database_in(folder: Path) -> Path:
    """The one SQLite database in `folder` (what `dbguard init` without --db sets up)."""
    existing = folder / CONFIG_FILE_NAME
    if existing.is_file():  # a second run: the database the file already names
        configured = load_config(existing).database
        if not configured.is_sqlite:
            raise ConfigError(
                f"{existing} configures a {configured.engine} database; dbguard init sets up"
                " SQLite ones",
                "run dbguard baseline and dbguard suggest --write to give its tables suites",
            )
        return Path(configured.path)
    found = sorted(path for path in folder.iterdir() if _looks_like_database(path))
    if len(found) == 1:
        return found[0]
    if not found:
        raise DatabaseError(
            f"no SQLite database in {folder}",
            "pass --db with the path of your database, or cd into its folder",
        )
    names = ", ".join(path.name for path in found)
    raise DatabaseError(
        f"{len(found)} SQLite databases in {folder}: {names}", "choose one with --db NAME"
    )


def _looks_like_database(path: Path) -> bool:
    from backup.safety_copies import MARKERS

    if path.name.startswith(".") or path.name.endswith(COMPANION_SUFFIXES):
        return False
    if any(marker in path.name for marker in MARKERS) or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _tables(database: Path) -> list[str]:
    """The database's tables (read-only); a database without any is the wrong file."""
    from dbguard.catalog import SqliteFile

    with SqliteFile(database).open() as catalog:
        tables = catalog.tables()
    if not tables:
        raise DatabaseError(
            f"{database} has no tables", "pass --db with the database your application writes"
        )
    return tables


def _write_config(
    path: Path, database: Path, force: bool, moment: datetime
) -> tuple[bool, Path | None]:
    """Write dbguard.toml unless one for this database is there; (written, old copy)."""
    if path.is_file() and not force:
        configured = Path(load_config(path).database.path)
        if configured.resolve() == database.resolve():
            return False, None
        raise ConfigError(
            f"{path} already configures another database, {configured}",
            "pass --force to replace it (the old file is kept beside it), or use"
            " --config to keep both",
        )
    copy = None
    if path.is_file():
        copy = path.with_name(f"{path.name}.before_init.{moment:%Y%m%d_%H%M%S}")
        shutil.copy2(path, copy)
    text = render_config(database.name, moment.astimezone())
    with _unable_to_write(path):
        _write_text(path, text, replace=force)
    return True, copy


def _write_text(path: Path, text: str, *, replace: bool) -> None:
    """Write through a temporary file: a reader never sees half a file, and without
    `replace` an existing file is never overwritten (a hard link refuses an existing name)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with temporary.open("w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _unable_to_write(path: Path) -> Iterator[None]:
    try:
        yield
    except FileExistsError:
        raise ConfigError(
            f"{path} appeared while dbguard init ran", "run dbguard init again"
        ) from None
    except OSError as error:
        raise ConfigError(
            f"cannot write {path}: {error.strerror}",
            "run dbguard init as a user who can write that folder (the application's user)",
        ) from None


def _checks_dir(config: Config) -> Path | None:
    try:
        return checks_folder(config)
    except ConfigError:
        return None


def _shell_word(text: str) -> str:
    return shlex.quote(text)
