"""Opening the run history: create it, repair a corrupt one, and say clearly when it cannot
be opened at all.

Only a file that *is* corrupt (not a database, malformed, failing quick_check)
is renamed aside (`history.sqlite3.corrupt-<timestamp>`) and a new history
started; the caller gets a note to report. A history that cannot be opened —
a read-only folder, a path under a regular file, permission denied, a lock held
too long — is a HistoryUnavailable error: nothing is moved, and the caller
decides whether that is a warning (check, health) or an input error (weekly).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from dbguard.errors import DbguardError
from dbguard.history.records import CHECK, utc_now
from dbguard.history.store import BUSY_TIMEOUT_SECONDS, History

log = logging.getLogger(__name__)

HINT = "set [reports] history in dbguard.toml to a file in a folder dbguard can write"


class HistoryUnavailable(DbguardError):
    """The run history cannot be opened or written (nothing was moved or changed)."""


class HistoryBusy(HistoryUnavailable):
    """Another run held the history's lock longer than this run was willing to wait."""


def open_history(
    path: Path, *, verify: bool = True, busy_timeout: float = BUSY_TIMEOUT_SECONDS
) -> History:
    """Open (creating if needed) the history at `path`.

    `verify` runs SQLite's quick_check, which reads the whole file: the five-minute
    health skips it (a file that is not a database is still caught). The returned
    History's `recovered_from` names a corrupt file that was renamed aside.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HistoryUnavailable(
            f"run history {path} cannot be opened: {error.strerror or error}", HINT
        ) from None
    history = History(path, busy_timeout=busy_timeout)
    try:
        history.initialise(verify)
        return history
    except sqlite3.OperationalError as error:
        raise unavailable(path, error) from None
    except sqlite3.DatabaseError as error:  # not a database, malformed, quick_check failed
        return _replace_corrupt(path, error, busy_timeout)


def unavailable(path: Path, error: sqlite3.OperationalError) -> HistoryUnavailable:
    """The error for an OperationalError from the history (busy, read-only, cannot open)."""
    if "locked" in str(error) or "busy" in str(error):
        return HistoryBusy(
            f"run history {path} is busy (another dbguard run holds its lock)",
            "this run is not recorded; it will be next time",
        )
    return HistoryUnavailable(f"run history {path} cannot be opened: {error}", HINT)


def _replace_corrupt(path: Path, error: sqlite3.DatabaseError, busy_timeout: float) -> History:
    aside = path.with_name(f"{path.name}.corrupt-{utc_now().strftime('%Y%m%d_%H%M%S')}")
    try:
        path.rename(aside)
    except OSError as rename_error:
        raise HistoryUnavailable(
            f"run history {path} is unreadable ({error}) and could not be moved aside: "
            f"{rename_error.strerror or rename_error}",
            HINT,
        ) from None
    log.warning("run history %s is unreadable (%s); moved aside to %s", path, error, aside)
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            try:
                companion.rename(Path(f"{aside}{suffix}"))
            except OSError as rename_error:  # the new history must not read it
                log.warning("could not move %s aside: %s", companion, rename_error)
    fresh = History(path, recovered_from=aside, busy_timeout=busy_timeout)
    try:
        fresh.initialise()
    except sqlite3.Error as fresh_error:
        raise HistoryUnavailable(
            f"run history {path} could not be started anew: {fresh_error}", HINT
        ) from None
    return fresh


def last_run_had_critical(history_path: Path, database: str | None = None) -> bool:
    """Whether the newest check run (of `database`, if given) had a critical finding.

    `dbguard baseline` refuses to capture from such a database unless told to.
    A missing or unreadable history means no known critical run: False.
    """
    history_path = Path(history_path)
    if not history_path.is_file():
        return False
    try:
        previous = History(history_path).previous_run(kind=CHECK, database=database)
    except sqlite3.Error as error:
        log.warning("cannot read run history %s: %s", history_path, error)
        return False
    return previous is not None and previous.status == "critical"
