"""Temporary folders a run makes (a restore drill's copy of a backup): gone when the run ends.

A folder is removed when its `with` block ends, whatever the outcome. A run
killed outright (SIGKILL, power loss) cannot clean up, so each new folder's
name carries the process id and the next run removes folders whose process no
longer exists. Folders live in the system temp folder (`$TMPDIR`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "dbguard-"


@contextmanager
def scratch_folder(purpose: str) -> Iterator[Path]:
    """A new empty folder `$TMPDIR/dbguard-<purpose>-<pid>-<random>`, removed afterwards."""
    remove_abandoned(purpose)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{purpose}-{os.getpid()}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_abandoned(purpose: str) -> list[Path]:
    """Remove the `purpose` folders of runs that no longer exist; return what was removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}{purpose}-*-*"):
        pid_text = folder.name[len(f"{PREFIX}{purpose}-") :].split("-", 1)[0]
        if not pid_text.isdigit() or not folder.is_dir() or _running(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        log.info("removed %s, left behind by a run that was killed", folder)
        removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
