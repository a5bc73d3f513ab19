"""What dbguard keeps in a suite's own meta (`meta.dbguard`): the table's schema snapshot and
its freshness rule. Read here as plain JSON, so the checks can find the suites that hold one
while pytest collects, without building the suites with GX a second time."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbguard.quality.suites import SuiteFile, checked_suites, suite_paths

log = logging.getLogger(__name__)


def dbguard_meta(document: dict[str, Any]) -> dict[str, Any]:
    meta = document.get("meta")
    found = meta.get("dbguard") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def suites_with(expectations_dir: Path, key: str, ignore: Sequence[str]) -> list[SuiteFile]:
    """Every suite whose `meta.dbguard` holds `key`, in file order, but those of tables
    `ignore` (`[checks] ignore_tables`) names. Unreadable files are skipped here: the run
    loads every suite strictly before any check starts."""
    found = []
    for path in suite_paths(Path(expectations_dir)):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            log.debug("skipping %s: %s", path, error)
            continue
        named = isinstance(document, dict) and isinstance(document.get("name"), str)
        if named and key in dbguard_meta(document):
            found.append(SuiteFile(path=path, data=document))
    return checked_suites(found, ignore)
