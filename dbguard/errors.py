"""The one error family the CLI turns into `dbguard: error: …` lines, and the exit codes.

Every error a user can cause (a missing file, a malformed suite, a wrong flag)
is a DbguardError carrying a message (what is wrong) and a hint (how to fix
it). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Exit codes of every command but `health`. They never change meaning."""

    OK = 0
    FAILED = 1  # a check found a critical problem, a backup failed, a restore was refused
    USAGE = 2  # bad input: option, configuration, missing file, malformed suite


class NagiosCode(enum.IntEnum):
    """Exit codes of `dbguard health`, as Nagios plugins use them."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


class DbguardError(Exception):
    """An error caused by input the user can fix."""

    # What the CLI exits with (outside `health`, which says UNKNOWN): bad input by default.
    exit_code = ExitCode.USAGE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = f"{self.message} ({self.hint})" if self.hint else self.message
        # SQLite's integrity_check and some OS messages span lines; the CLI promises one.
        return " ".join(text.split())


class OperationFailed(DbguardError):
    """The input was fine but the operation failed or was refused (a backup that did not
    verify, a restore refused because the database stayed busy): exit 1."""

    exit_code = ExitCode.FAILED


class ConfigError(DbguardError):
    """dbguard.toml or a command-line option is wrong."""


class DatabaseError(DbguardError):
    """The database is missing, unreadable or not SQLite."""


class NotSQLiteError(DatabaseError):
    """The file exists but is not a SQLite database (damaged or the wrong file)."""


class BackupError(DbguardError):
    """A backup could not be created, verified, pruned or restored."""


class SuiteError(DbguardError):
    """An expectation suite file is malformed or does not fit the database."""


class ReplicationError(OperationFailed):
    """Litestream could not read or restore the replica (unreachable, damaged, empty): exit 1."""
