"""5. `dbguard backup verify` on a 1 GiB backup vs `pragma integrity_check` plus `sha256sum`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bench import datasets
from bench.context import REPO_ROOT, Context
from bench.measure import Section, Series, measure_rounds, ratio_check
from bench.scenarios.backup import size_label

VERIFY_SCRIPT = 'sqlite3 "$1" "pragma integrity_check" && sha256sum "$1"'


def run(context: Context) -> Section:
    size_mib = max(context.settings.backup_sizes_mib)
    template = datasets.blob_database(context.data_dir, size_mib)
    work = context.scratch("verify")
    backups = work / "backups"
    shutil.rmtree(backups, ignore_errors=True)
    config = context.write_config("verify", database=template.path, backup_dir=backups)
    section = Section(
        "verify",
        f"5. Verifying a {size_label(size_mib)} backup",
        "`dbguard backup verify FILE` (integrity check, row counts and sha256 against the manifest) "
        f"against `sh -c '{VERIFY_SCRIPT}'`. The backup is made first with `dbguard backup create` "
        "(not timed). GNU time, runs interleaved; peak memory of the shell pipeline is its largest "
        "process.",
    )
    backup, note = _make_backup(context, config, template.path, backups)
    section.notes.append(note)
    verify = Series(
        "dbguard backup verify",
        [context.dbguard, "--config", str(config), "backup", "verify", str(backup)],
    )
    if not backup.name.startswith("db_"):
        verify.failure = "no backup made by `dbguard backup create` to verify"
    plain = Series(
        "sqlite3 integrity_check + sha256sum", ["sh", "-c", VERIFY_SCRIPT, "sh", str(backup)]
    )
    section.series = [verify, plain]
    measure_rounds(section.series, rounds=context.settings.heavy_runs, cwd=REPO_ROOT, timeout=900)
    section.checks = [
        ratio_check("`backup verify` / integrity_check + sha256sum (wall)", verify, plain, None)
    ]
    return section


def _make_backup(context: Context, config: Path, database: Path, backups: Path) -> tuple[Path, str]:
    result = subprocess.run(
        [context.dbguard, "--config", str(config), "backup", "create", "--db", str(database)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    made = sorted(backups.glob("db_*.sqlite3")) if backups.is_dir() else []
    if result.returncode == 0 and made:
        return made[
            -1
        ], f"Backup under test: {made[-1].name}, {made[-1].stat().st_size / 2**20:.0f} MiB."
    reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
    fallback = backups / "sqlite3-backup.sqlite3"
    backups.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sqlite3", str(database), f".backup {fallback}"], check=True)
    return fallback, (
        f"`dbguard backup create` failed ({reason}); the plain side verifies a `.backup` copy instead."
    )
