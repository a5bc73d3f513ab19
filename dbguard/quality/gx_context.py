"""An ephemeral Great Expectations context: no project folder, no progress bars, no network."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.database import read_only_uri

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext


def ephemeral_context() -> AbstractDataContext:
    """A fresh in-memory context. Importing GX costs seconds, so callers create one per run."""
    # GX 1.7+ has no analytics left, but older 1.x releases read this before importing anything.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # TQDM_DISABLE does not reach GX's bars; only the context's own setting does.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def sqlite_read_only_url(path: Path, *, immutable: bool = False) -> str:
    """SQLAlchemy URL opening `path` read-only through SQLite's URI syntax.

    `immutable` is for backups, which nothing writes: SQLite then takes no locks and
    creates no -wal/-shm beside them. Never for the live database, which changes.
    """
    return f"sqlite:///{read_only_uri(path)}{'&immutable=1' if immutable else ''}&uri=true"
