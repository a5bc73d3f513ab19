"""`check`'s replica target, with real Litestream replicas of the demo database and real
`pytest checks/` runs: a healthy replica restores, passes every suite and reconciles with
live; a replica with one flipped byte in an LTX file its restore needs is critical and the
finding names it; without [replication] the replica checks are skipped, saying why."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from quality_runs import Case, Run, pytest_checks_command, run_all
from replication_support import ltx_files, replicating, wait_for, write_config

from backup.snapshot import create_backup
from dbguard.check_run import CHECKS_DIR, PROJECT_ROOT
from dbguard.replication.binary import find_litestream

pytestmark = pytest.mark.slow

REPLICA_CHECKS = {
    "test_replica_keeps_up",
    "test_replica_restores",
    "test_replica_row_counts_reconcile",
}


def prepare(root: Path, name: str, demo_db_template: Path) -> tuple[Path, Path, Path]:
    folder = root / name
    folder.mkdir()
    db = folder / "db.sqlite3"
    shutil.copyfile(demo_db_template, db)
    config = write_config(folder, db, expectations=PROJECT_ROOT / "expectations")
    create_backup(db, folder / "backups")
    return folder, db, config


def flip_a_byte_in_the_restores_last_file(replica: Path) -> Path:
    """Ask Litestream which files a restore reads; damage the last of them."""
    plan = subprocess.run(
        [str(find_litestream()), "restore", "-dry-run", "-json", "-o", "/nonexistent/out",
         replica.as_uri()],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    last = json.loads(plan.stdout)["files"][-1]
    damaged = replica / "ltx" / str(last["level"]) / last["name"]
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    return damaged


@pytest.fixture(scope="module")
def runs(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    root = tmp_path_factory.mktemp("replica-check")
    damaged_folder, damaged_db, damaged_config = prepare(root, "damaged", demo_db_template)
    with replicating(damaged_config, damaged_db):
        wait_for(lambda: len(ltx_files(damaged_folder / "backups" / "replica")) >= 2, "a snapshot")
    flip_a_byte_in_the_restores_last_file(damaged_folder / "backups" / "replica")

    healthy_folder, healthy_db, healthy_config = prepare(root, "healthy", demo_db_template)
    plain = root / "plain"
    plain.mkdir()
    plain_config = plain / "dbguard.toml"
    plain_config.write_text(healthy_config.read_text().split("[replication]")[0])
    junit = healthy_folder / "junit.xml"
    command = pytest_checks_command(healthy_config, healthy_db, healthy_folder / "backups", junit)
    commands = [(command, healthy_folder, junit)]
    # The other two need only the replica's own checks: no suite runs on a replica that
    # does not restore, and none is configured in the third.
    for folder, db, config in (
        (damaged_folder, damaged_db, damaged_config),
        (plain, healthy_db, plain_config),
    ):
        junit = folder / "junit.xml"
        command = [*pytest_checks_command(config, db, folder / "backups", junit), "-rs"]
        command[command.index(str(CHECKS_DIR))] = str(CHECKS_DIR / "test_replica.py")
        commands.append((command, folder, junit))
    with replicating(healthy_config, healthy_db):
        wait_for(lambda: len(ltx_files(healthy_folder / "backups" / "replica")) >= 2, "a snapshot")
        results = run_all(commands)
    return dict(zip(("healthy", "damaged", "plain"), results, strict=True))


def replica_cases(run: Run) -> dict[str, Case]:
    return {case.name: case for case in run.cases if case.name in REPLICA_CHECKS}


def test_a_healthy_replica_restores_passes_every_suite_and_reconciles(runs: dict[str, Run]) -> None:
    run = runs["healthy"]
    assert run.returncode == 0, run.stdout[-3000:]
    cases = replica_cases(run)
    assert set(cases) == REPLICA_CHECKS
    assert {name: case.severity for name, case in cases.items()} == dict.fromkeys(
        REPLICA_CHECKS, "ok"
    )
    assert "expectations met" in cases["test_replica_restores"].properties["observed"]
    on_replica = [case for case in run.cases if case.name.endswith("-replica]")]
    assert on_replica and all(case.outcome == "passed" for case in on_replica)
    on_live = [case for case in run.cases if case.name.endswith("-live]")]
    assert len(on_replica) == len(on_live)


def test_a_damaged_replica_is_critical_and_named(runs: dict[str, Run]) -> None:
    run = runs["damaged"]
    assert run.returncode == 1, run.stdout[-3000:]
    restores = replica_cases(run)["test_replica_restores"]
    assert restores.severity == "critical" and restores.outcome == "failed"
    observed = restores.properties["observed"]
    assert "/damaged/backups/replica" in observed and "cannot be restored" in observed
    failed = {case.name for case in run.cases if case.outcome == "failed"}
    assert failed == {"test_replica_restores"}
    assert "dbguard status: CRITICAL" in run.stdout


def test_without_replication_the_replica_checks_are_skipped_saying_why(
    runs: dict[str, Run],
) -> None:
    run = runs["plain"]
    assert run.returncode == 0, run.stdout[-3000:]
    cases = replica_cases(run)
    assert set(cases) == REPLICA_CHECKS
    assert all(case.outcome == "skipped" for case in cases.values())
    assert "replication is not configured" in run.stdout
