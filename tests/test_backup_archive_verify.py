"""Project archives are verified against their own manifest, as database backups are."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from backup.archive import create_archive, verify_archive
from backup.naming import manifest_path


def test_an_archive_with_another_archives_manifest_is_caught(tmp_path: Path) -> None:
    source = tmp_path / "project"
    source.mkdir()
    (source / "notes.txt").write_text("same content in both archives\n")
    first = create_archive(source, tmp_path / "archives", now=datetime(2026, 11, 1, tzinfo=UTC))
    second = create_archive(source, tmp_path / "archives", now=datetime(2026, 11, 8, tzinfo=UTC))
    assert verify_archive(second.path).ok

    shutil.copyfile(manifest_path(first.path), manifest_path(second.path))
    result = verify_archive(second.path)
    assert not result.ok
    assert any(f"belongs to {first.path.name}" in problem for problem in result.problems)
