"""The restore drill and the backup target share one validation of the restored copy: a backup
that holds bad data is still caught by both, and with the drill off the backup file itself is
checked. Real `pytest checks/` runs on a clean live DB whose only backup was taken of a broken
copy."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from quality_runs import Run, pytest_checks_command, run_all, write_config

from backup.snapshot import create_backup
from dbguard.check_run import PROJECT_ROOT

pytestmark = pytest.mark.slow

PUE_RANGE = "pue_data::expect_column_values_to_be_between[pue]"
PUE_RATIO = "pue_data::unexpected_rows_expectation[pue_matches_energy_ratio]"
BROKEN = {PUE_RANGE: "critical", PUE_RATIO: "critical"}
NAMES = ("drill_on", "drill_off")


@pytest.fixture(scope="module")
def runs(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    root = tmp_path_factory.mktemp("drill")
    broken = root / "broken.sqlite3"
    shutil.copyfile(demo_db_template, broken)
    with sqlite3.connect(broken) as connection:
        connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 17")
    connection.close()
    backup_dir = root / "backups"
    create_backup(broken, backup_dir)
    commands = []
    for name in NAMES:
        folder = root / name
        folder.mkdir()
        db = folder / "db.sqlite3"
        shutil.copyfile(demo_db_template, db)
        config = write_config(folder, PROJECT_ROOT / "expectations")
        if name == "drill_off":
            text = config.read_text().replace("[checks]\n", "[checks]\nrestore_drill = false\n")
            config.write_text(text)
        junit = folder / "junit.xml"
        commands.append((pytest_checks_command(config, db, backup_dir, junit), folder, junit))
    return dict(zip(NAMES, run_all(commands), strict=True))


def test_bad_data_in_the_backup_fails_its_expectation_and_the_restore_drill(
    runs: dict[str, Run],
) -> None:
    run = runs["drill_on"]
    assert run.returncode == 1, run.stdout[-3000:]
    assert run.not_ok("live") == {}
    assert run.not_ok("backup") == BROKEN
    assert "id=17, pue=9.9" in run.by_check(PUE_RANGE, "backup").properties.get("details", "")
    drill = run.by_check("backup::restore_drill", "restore-drill")
    assert drill.severity == "critical" and drill.outcome == "failed"
    assert drill.properties["observed"].startswith("2 of ")
    assert PUE_RANGE in drill.properties["details"] and PUE_RATIO in drill.properties["details"]
    assert drill.properties["remediation"].startswith(
        "the backup holds bad data too: restore an older verified backup"
    )


def test_with_the_drill_off_the_backup_file_itself_is_still_checked(
    runs: dict[str, Run],
) -> None:
    run = runs["drill_off"]
    assert run.returncode == 1, run.stdout[-3000:]
    assert run.not_ok("backup") == BROKEN
    (drill,) = [case for case in run.mine() if case.name == "test_restore_drill"]
    assert drill.outcome == "skipped"
