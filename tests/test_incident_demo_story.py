"""Issue 18's story on the demo, as a new user types it, through the real CLI: a good backup,
a bad DELETE of half of fault_record, `check` exits 1, the next backup holds the damage.

- `backup restore --latest --yes` restores the good backup and names the one it skipped;
- or `incident find`, `incident diff` (its loss recorded in the open incident), `incident
  repair` (plan, then --yes), `check` OK, `incident report`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alert_receiver import dbguard
from check_project import ROOT

pytestmark = pytest.mark.slow

ROWS = 272  # the demo's fault_record rows


def fault_rows(project: Path) -> int:
    db = project / "demo" / "db.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM fault_record").fetchone()[0])


def run(project: Path, *args: str, code: int = 0) -> str:
    done = dbguard(*args, cwd=project)
    assert done.returncode == code, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def backup_name(stdout: str) -> str:
    return Path(stdout.strip().splitlines()[-1]).name


def damaged_demo(project: Path) -> tuple[str, str]:
    """Steps 1–3 of the story; the good backup's name and the damaged one's."""
    project.mkdir()
    (project / "dbguard.toml").write_text(
        '[database]\npath = "demo/db.sqlite3"\n[backup]\ndir = "demo/backups"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\nlogs_dir = "logs"\n'
    )
    run(project, "demo", "--dir", "demo")
    good = backup_name(run(project, "backup", "create"))
    with contextlib.closing(sqlite3.connect(project / "demo" / "db.sqlite3")) as connection:
        connection.execute("DELETE FROM fault_record WHERE id % 2 = 0")  # the bad DELETE
        connection.commit()
    assert fault_rows(project) == ROWS // 2
    assert "CRITICAL" in run(project, "check", code=1)
    bad = backup_name(run(project, "backup", "create"))  # it verifies: the damage is in it
    return good, bad


@dataclass(frozen=True)
class Story:
    project: Path
    good: str  # the good backup's name
    bad: str  # the damaged one's


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    """Steps 1–3 once for the module, kept aside; each test gets a fresh copy of them at the
    very path they ran in (the history and the backups' records name absolute paths)."""
    base = tmp_path_factory.mktemp("story")
    project = base / "project"
    good, bad = damaged_demo(project)
    kept = base / "kept"
    project.rename(kept)
    yield Story(project, good, bad)
    shutil.rmtree(project, ignore_errors=True)


@pytest.fixture
def story(damaged: Story) -> Iterator[Story]:
    shutil.rmtree(damaged.project, ignore_errors=True)  # the previous test's copy
    shutil.copytree(damaged.project.parent / "kept", damaged.project, symlinks=True)
    yield damaged


def incident(project: Path) -> dict:
    (newest, *_) = json.loads(run(project, "incident", "list", "--json"))
    return newest


def test_restore_latest_takes_the_good_backup_then_check_closes_the_incident(
    story: Story,
) -> None:
    project, good, bad = story.project, story.good, story.bad
    restored = run(project, "backup", "restore", "--latest", "--yes")
    skipped = [line for line in restored.splitlines() if line.startswith("skipped ")]
    # named once, each failing rule once (two suites fail the same row count)
    assert skipped == [f"skipped {bad}: CRITICAL (fault_record row count)"], restored
    assert f"chose {good}: OK" in restored
    assert fault_rows(project) == ROWS
    assert "take a fresh backup now (dbguard backup create)" in restored
    assert "nothing to find" in run(project, "incident", "find")
    refused = dbguard("incident", "diff", cwd=project)  # nothing left to assess
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "passes its critical rules" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    run(project, "check", code=1)  # the newest backup still holds the damage …
    run(project, "backup", "create")  # … as the restore said
    run(project, "check")
    assert incident(project)["status"] == "closed"
    markdown = Path(run(project, "incident", "report").splitlines()[0])
    assert "restore" in markdown.read_text(encoding="utf-8")


def test_find_diff_repair_then_check_ok_and_the_post_mortem(story: Story) -> None:
    project, good, bad = story.project, story.good, story.bad
    found = run(project, "incident", "find", "--json")
    answer = json.loads(found)
    assert Path(answer["last_good"]["backup"]).name == good
    assert Path(answer["first_bad"]["backup"]).name == bad
    assert answer["flipped"] == ["fault_record row count"]
    diffed = run(project, "incident", "diff")
    assert f"fault_record: {ROWS // 2} deleted, 0 changed, 0 inserted" in diffed
    assert "unchanged: huijugugan, pue_comment, pue_data, pue_drill_data" in diffed
    opened = incident(project)
    assert f"loss recorded in incident {opened['id']}" in diffed
    # the loss is in the incident's record (records.record_assessment), not only printed
    assert opened["loss"]["fault_record"] == {"deleted": ROWS // 2, "changed": 0, "inserted": 0}
    assert opened["loss"]["pue_data"] == {"deleted": 0, "changed": 0, "inserted": 0}
    plan = run(project, "incident", "repair")
    assert f"fault_record: will put back {ROWS // 2} rows" in plan
    assert "nothing changed: pass --yes" in plan
    assert fault_rows(project) == ROWS // 2
    # live is repaired; the post-check still fails on the newest backup, and says what to do
    repaired = run(project, "incident", "repair", "--yes", code=1)
    assert f"fault_record: did put back {ROWS // 2} rows" in repaired
    assert "live passes; the critical findings are on the newest backup" in repaired
    (safety,) = [line for line in repaired.splitlines() if line.startswith("safety copy")]
    assert ".before_repair." in safety, safety  # a repair's, pruned with restores' copies
    assert fault_rows(project) == ROWS
    run(project, "backup", "create")
    run(project, "check")
    closed = incident(project)
    assert closed["status"] == "closed", closed
    assert [action["kind"] for action in closed["actions"]] == ["repair"]
    markdown = Path(run(project, "incident", "report").splitlines()[0])
    text = markdown.read_text(encoding="utf-8")
    assert "**Time to repair**" in text
    assert "| fault_record | 136 | 0 | 0 | 136 | 0 |" in text
