"""A configuration that follows its file: read again when dbguard.toml changes.

For long-lived processes (the monitor mounted in an application, `dbguard serve`). Each
`current()` costs one `stat` of the file; the file is parsed again only when its size,
modification time, change time or inode differ from the last reading (an editor that
writes a new file and renames it changes the inode). A file that no longer parses, or is
gone, keeps the last good configuration in force and says why in `error` (and in the log,
once per change); the next good version is picked up as soon as it is saved.

A Config without a file (the defaults) has nothing to follow and never changes.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dbguard.config import Config, load_config
from dbguard.errors import DbguardError

log = logging.getLogger(__name__)

# What must stay the same for the file to count as unchanged: None when it cannot be read.
Stamp = tuple[int, int, int, int] | None


def file_stamp(path: Path) -> Stamp:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


@dataclass(frozen=True)
class ConfigState:
    """What the process runs with: the file, when it was read, and why a newer one was not."""

    source: Path | None
    loaded_at: datetime
    error: str  # "" when the file as it is now is the configuration in force

    def as_dict(self) -> dict[str, str | None]:
        return {
            "file": str(self.source) if self.source is not None else None,
            "loaded_at": self.loaded_at.isoformat(),
            "reload_error": self.error or None,
        }


class ReloadingConfig:
    """`current()` is the configuration of the file as it is now (or the last good one)."""

    def __init__(self, config: Config, load: Callable[[Path], Config] = load_config) -> None:
        self._config = config
        self._load = load
        self._stamp = file_stamp(config.source) if config.source is not None else None
        self._lock = threading.Lock()
        self.state = ConfigState(config.source, datetime.now(UTC), "")

    @property
    def follows_a_file(self) -> bool:
        return self._config.source is not None

    def changed(self) -> bool:
        """Has the file changed since it was last read? One stat, nothing parsed."""
        source = self._config.source
        return source is not None and file_stamp(source) != self._stamp

    def current(self) -> Config:
        """The configuration in force, after reading the file again if it changed."""
        if not self.changed():
            return self._config
        with self._lock:  # one reader at a time; the others then see its result
            source = self._config.source
            assert source is not None
            stamp = file_stamp(source)
            if stamp == self._stamp:
                return self._config
            self._stamp = stamp  # a bad version is reported once, not re-read per call
            try:
                config = self._load(source)
            except DbguardError as error:
                message = error.one_line()
                log.warning(
                    "%s changed but cannot be used: %s; keeping the configuration read at %s",
                    source,
                    message,
                    self.state.loaded_at.astimezone().isoformat(timespec="seconds"),
                )
                self.state = ConfigState(source, self.state.loaded_at, message)
                return self._config
            self._config = config
            self.state = ConfigState(source, datetime.now(UTC), "")
            log.info("%s changed: configuration read again", source)
            return config
