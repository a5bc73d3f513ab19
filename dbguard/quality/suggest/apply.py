"""`dbguard suggest`: profile the live tables, keep the proposals no suite entry covers yet,
and (with `write`) append them to the suites.

Appending is all it does: entries already in a suite, an analyst's or an earlier
suggestion, are the very objects parsed from the file and are written back unchanged. A
suite without a schema snapshot gets one (the rules are proposed from that schema); an
existing snapshot is `dbguard baseline`'s to replace. A table without a suite gets a new
file. Nothing is written when nothing is new, so a second run changes no byte.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dbguard.catalog import open_catalog
from dbguard.config import Config
from dbguard.errors import SuiteError
from dbguard.quality.freshness import FRESHNESS_KEY
from dbguard.quality.schema_snapshot import snapshot_of, with_snapshot
from dbguard.quality.suggest.coverage import is_covered
from dbguard.quality.suggest.profile import TableProfile, profile_table
from dbguard.quality.suggest.proposal import NotProposed, Proposal
from dbguard.quality.suggest.propose import propose
from dbguard.quality.suite_meta import dbguard_meta
from dbguard.quality.suites import load_suites, write_suite

log = logging.getLogger(__name__)


@dataclass
class SuiteSuggestions:
    table: str
    path: Path
    created: bool  # the table had no suite
    rows: int
    proposals: list[Proposal] = field(default_factory=list)
    not_proposed: list[NotProposed] = field(default_factory=list)
    snapshot_added: int = 0  # columns in a schema snapshot added to the suite (0: none)
    written: bool = False


def suggest(
    config: Config,
    tables: list[str] | None = None,
    *,
    write: bool = False,
    now: datetime | None = None,
) -> list[SuiteSuggestions]:
    """What suggest proposes per table (written to the suites with `write`)."""
    from dbguard.quality.baseline import new_suite_document, new_suite_path

    moment = (now or datetime.now(UTC)).astimezone(UTC)
    captured_at = moment.isoformat(timespec="seconds")
    settings = config.analysts.suggest
    with open_catalog(config) as catalog:
        existing = catalog.tables()
        chosen = list(dict.fromkeys(tables)) if tables else existing
        missing = [table for table in chosen if table not in existing]
        if missing:
            raise SuiteError(
                f"table {missing[0]!r} is not in {catalog.label}",
                f"choose from: {', '.join(existing) or 'no tables'}",
            )
        profiles: dict[str, TableProfile] = {}
        for table in chosen:
            profiles[table] = profile_table(
                catalog,
                table,
                in_set_max_distinct=settings.in_set_max_distinct,
                in_set_max_length=settings.in_set_max_length,
            )
        shapes = {table: catalog.columns(table) for table in chosen}
    expectations_dir = Path(config.checks.expectations_dir)
    suites = {suite.table: suite for suite in load_suites(expectations_dir)}
    taken: set[Path] = set()
    results = []
    for table in chosen:
        suite = suites.get(table)
        if suite is not None:
            path, document = suite.path, dict(suite.data)
        else:
            path = new_suite_path(expectations_dir, table)
            while path in taken:  # two new tables whose names map to one file name
                path = path.with_name(f"{path.stem}_{len(taken) + 2}.json")
            # GX's own empty suite is only needed to write one (importing GX takes seconds).
            document = new_suite_document(table) if write else {"name": table, "expectations": []}
        taken.add(path)
        proposals, skipped = propose(
            profiles[table], settings, moment, config.analysts.freshness.naive_timestamps
        )
        result = SuiteSuggestions(table, path, suite is None, profiles[table].rows)
        result.proposals = new_proposals(document, proposals)
        result.not_proposed = skipped
        if snapshot_of(document) is None:
            result.snapshot_added = len(shapes[table])
        updated = with_proposals(document, result.proposals, shapes[table], captured_at)
        if write and (suite is None or updated != document):
            write_suite(path, updated)
            result.written = True
            log.info("suggest: %d rules added to %s", len(result.proposals), path)
        results.append(result)
    return results


def new_proposals(document: dict[str, Any], proposals: list[Proposal]) -> list[Proposal]:
    """The proposals nothing in the suite (nor an earlier proposal of this run) covers."""
    entries = list(document.get("expectations") or [])
    kept = []
    for proposal in proposals:
        if proposal.kind == "freshness":
            if FRESHNESS_KEY in dbguard_meta(document):
                continue
        elif is_covered(proposal, entries):
            continue
        if proposal.entry is not None:
            entries.append(proposal.entry)
        kept.append(proposal)
    return kept


def with_proposals(
    document: dict[str, Any],
    proposals: list[Proposal],
    columns: list[Any],
    captured_at: str,
) -> dict[str, Any]:
    """`document` with the proposals appended and a schema snapshot if it had none."""
    updated = with_snapshot(document, columns, captured_at, replace=False)
    entries = [proposal.entry for proposal in proposals if proposal.entry is not None]
    if entries:
        updated = {**updated, "expectations": [*updated.get("expectations", []), *entries]}
    for proposal in proposals:
        if proposal.freshness is not None:
            meta = dict(updated.get("meta") or {})
            meta["dbguard"] = {**dbguard_meta(updated), FRESHNESS_KEY: proposal.freshness}
            updated = {**updated, "meta": meta}
    return updated
