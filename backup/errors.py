"""Errors that mean "the operation failed or was refused" (exit 1), not "bad input" (exit 2).

All are BackupErrors, so library callers catch one family; each carries its
exit code, which the CLI's one error handler (dbguard.cli.main) uses.
"""

from __future__ import annotations

from dbguard.errors import BackupError, ExitCode


class BackupFailed(BackupError):
    """A backup or archive could not be made or did not verify; nothing was published."""

    exit_code = ExitCode.FAILED


class RestoreRefused(BackupError):
    """A restore was refused (bad backup, busy database, no confirmation) or failed before
    the database was changed: nothing changed."""

    exit_code = ExitCode.FAILED


class RestoreMismatch(RestoreRefused):
    """The database was replaced but does not match the backup afterwards (the safety copy
    holds the previous database)."""
