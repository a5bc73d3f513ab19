"""What `dbguard suggest` proposes for a table, and what it considered and left out, with why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Proposal:
    table: str
    kind: str  # not_null, unique, range, in_set, format, reference, freshness
    columns: tuple[str, ...]
    entry: dict[str, Any] | None = None  # a suite entry (None for freshness)
    freshness: dict[str, Any] | None = None  # meta.dbguard.freshness (freshness only)
    parent: str = ""


@dataclass(frozen=True)
class NotProposed:
    table: str
    what: str
    why: str
