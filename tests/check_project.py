"""A throwaway copy of the quality-suite layout (root conftest.py, checks/conftest.py, chosen
checks) under tmp_path, run by a real pytest in a subprocess through `run_checks`.

The report tests use it with small sample checks whose findings they choose;
the copies of the two conftests are taken from the repository at test time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SAMPLE_CHECKS = """
from dbguard.findings import Finding, Severity


def test_rows_recorded(record_finding, record_metric):
    record_metric("rows.pue_data.live", 240)
    record_metric("rows.fault_record.live", 272)
    record_metric("wal_bytes", 4096)
    record_metric("db_bytes", 716800)
    record_metric("memory_percent", 31.5)
    record_metric("backup_bytes", 700000)
    record_metric("backup_age_hours", 2.5)
    record_finding(Finding("rows pue_data", Severity.OK, "216-264 rows", "240 rows", target="live"))


def test_pue_range(record_finding):
    record_finding(Finding(
        "pue range", Severity.WARNING, "PUE between 1.0 and 3.0", "3.4 in 2 rows",
        "check the meter feeding postgresql://ops:hunter2@db.example.com/energy", target="live",
    ))
"""

CRITICAL_CHECK = """
from dbguard.findings import Finding, Severity


def test_foreign_keys(record_finding):
    record_finding(Finding(
        "foreign keys", Severity.CRITICAL, "0 orphan comments", "5 orphan comments",
        "restore the latest verified backup", target="backup",
    ))
"""


def toml_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value))


def make_project(
    tmp_path: Path,
    db: Path,
    checks: dict[str, str],
    *,
    include: tuple[str, ...] = (),
    settings: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """A project folder with the real conftests, the named real checks and the given ones."""
    project = tmp_path / "project"
    (project / "checks").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "conftest.py", project / "conftest.py")
    shutil.copy(ROOT / "checks" / "conftest.py", project / "checks" / "conftest.py")
    for name in include:
        shutil.copy(ROOT / "checks" / name, project / "checks" / name)
    for name, text in checks.items():
        (project / "checks" / name).write_text(text)
    sections: dict[str, dict[str, Any]] = {
        "database": {"path": str(db)},
        "backup": {"dir": "backups"},
        "checks": {"expectations_dir": "expectations"},
        "reports": {"dir": "reports", "history": "reports/history.sqlite3", "logs_dir": "logs"},
    }
    for section, values in (settings or {}).items():
        sections.setdefault(section, {}).update(values)
    text = "".join(
        f"[{section}]\n"
        + "".join(f"{key} = {toml_value(value)}\n" for key, value in values.items())
        for section, values in sections.items()
    )
    (project / "dbguard.toml").write_text(text)
    return project


RUNNER = """
import json, sys
from pathlib import Path
from dbguard.check_run import run_checks
from dbguard.config import load_config

project = Path(sys.argv[1])
report = Path(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
result = run_checks(
    load_config(project / "dbguard.toml"), strict=sys.argv[2] == "strict",
    report=report, checks_dir=project / "checks",
)
paths = result.reports
print("RESULT " + json.dumps({
    "exit_code": int(result.exit_code),
    "html": str(paths.html), "junit": str(paths.junit), "latest": str(paths.latest),
}))
"""


def run_project(
    project: Path, *, strict: bool = False, report: Path | None = None
) -> dict[str, Any]:
    """Run the project's checks like `dbguard check` does; the result's exit code and paths."""
    completed = subprocess.run(
        [sys.executable, "-c", RUNNER, str(project), "strict" if strict else "", str(report or "")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"run failed:\n{completed.stdout}\n{completed.stderr}"
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    result["output"] = completed.stdout + completed.stderr
    return result
