"""2. `dbguard check` on the demo DB vs a bare `import great_expectations`."""

from __future__ import annotations

import shutil
import subprocess

from bench import datasets
from bench.context import REPO_ROOT, Context
from bench.measure import Section, Series, measure_rounds, ratio_check

RATIO_TARGET = 1.3  # issue 13 (round 1: 1.6×)


def run(context: Context) -> Section:
    demo = datasets.demo_shaped(context.data_dir, None).path
    backups = context.scratch("check") / "backups"
    shutil.rmtree(backups, ignore_errors=True)  # one fresh backup per run, not a pile
    config = context.write_config("check", database=demo, backup_dir=backups)
    section = Section(
        "check",
        "2. Full suite on the demo database: `dbguard check`",
        "The hourly quality run (checks/ on the live DB and its latest backup, HTML report) against "
        "the cost of importing Great Expectations alone. GNU time, runs interleaved.",
    )
    section.notes.append(_ensure_backup(context, config))
    check = Series(
        "dbguard check",
        [context.dbguard, "--config", str(config), "check"],
        ok_exit_codes=(0, 1),  # 1 = a critical finding: still a complete run
    )
    bare = Series(
        "python -c 'import great_expectations'", [context.python, "-c", "import great_expectations"]
    )
    # For information: the import as dbguard does it (collector paused, objects frozen:
    # dbguard.heavy_import), so a reader sees what of the gap that alone closes.
    frozen = Series(
        "the same import as dbguard does it (dbguard.heavy_import)",
        [
            context.python,
            "-c",
            "from dbguard.heavy_import import import_frozen; import_frozen('great_expectations')",
        ],
    )
    section.series = [check, bare, frozen]
    measure_rounds(
        section.series, rounds=context.settings.heavy_runs, cwd=REPO_ROOT, timeout=900, warmup=True
    )
    if check.samples:
        codes = ", ".join(map(str, sorted(set(check.exit_codes))))
        section.notes.append(f"`dbguard check` exit code: {codes} (0 = no critical finding).")
    section.checks = [
        ratio_check(
            "`check` (demo) / `import great_expectations` (wall)", check, bare, RATIO_TARGET
        ),
        ratio_check("`check` (demo) / the import as dbguard does it (wall)", check, frozen, None),
    ]
    return section


def _ensure_backup(context: Context, config: object) -> str:
    """One verified backup of the demo DB, so the backup checks and restore drill run too."""
    result = subprocess.run(
        [context.dbguard, "--config", str(config), "backup", "create"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return "A backup made by `dbguard backup create` beforehand (not timed), so the run includes the backup checks and restore drill."
    reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
    return f"No backup could be made beforehand (`dbguard backup create`: {reason}); the backup checks report their absence."
