"""GX's own expectation test definitions through `dbguard check`: for every case that applies
to SQLite, dbguard's verdict equals plain GX's (the case validated alone).

One `check --only expectations --json` per definition file, each in a child forked from a
process that imported GX once (the stdlib forkserver, as `dbguard serve`'s warm runs do), so
the run costs GX's import once, not once per file. Measured on these machines: 416 cases
in 56 files; about 17 s of CPU in the children, plus GX's import once (about 3 s).
Before dbguard validated a raising entry on its own and quantile rules apart, 4 cases
differed (two KL-divergence, two quantile cases).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path

import pytest
from gx_definitions import DEFINITIONS, compare_file, definition_files

PARALLEL = 2


@pytest.mark.slow
def test_dbguard_agrees_with_plain_gx_on_every_sqlite_case_of_gx_test_definitions(
    tmp_path: Path,
) -> None:
    files = definition_files()
    if not files:
        pytest.skip(f"GX's test definitions are not here ({DEFINITIONS}): nothing to compare")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["great_expectations", "dbguard.cli", "gx_definitions"])
    jobs = [(str(path), str(tmp_path / path.stem)) for path in files]
    with context.Pool(PARALLEL, maxtasksperchild=1) as pool:  # pytest.main once per child
        results = dict(zip(files, pool.starmap(compare_file, jobs), strict=True))
    failed_runs = {
        path.name: r["stderr"] for path, r in results.items() if r["exit"] not in (None, 0, 1)
    }
    assert not failed_runs
    differ = {path.name: r["differ"] for path, r in results.items() if r["differ"]}
    assert not differ
    verdicts: Counter[str] = Counter()
    for result in results.values():
        verdicts.update(result.get("verdicts", {}))
    # The definitions were really read and exercise both outcomes (416 cases when written).
    assert sum(verdicts.values()) > 300
    assert verdicts["pass"] > 100 and verdicts["fail"] > 100, verdicts
