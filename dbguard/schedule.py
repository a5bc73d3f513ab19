"""The plan's cron jobs as a crontab block, and installing it without clobbering other entries;
with replication configured, also a systemd unit for `dbguard replicate`.

The block sits between `# BEGIN dbguard` and `# END dbguard`; installing
replaces that block (idempotently) and keeps every other line of the user's
crontab. Every job `cd`s to the configuration's folder, calls dbguard by its
absolute path and appends to a log in `[reports] logs_dir`.

`dbguard replicate` runs all the time, so systemd (which restarts it) is its
home; the block's `@reboot` line is the fallback for machines without systemd
and stays commented out where systemd runs, so one database never gets two
replicators.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from dbguard.config import Config
from dbguard.errors import ConfigError

BEGIN = "# BEGIN dbguard"
END = "# END dbguard"


@dataclass(frozen=True)
class Job:
    when: str  # the five cron fields
    arguments: str  # dbguard's arguments
    log_name: str
    what: str  # a comment, from the plan


BACKUP_JOB = Job(
    "0 2 * * *",
    "backup create --prune",
    "backup.log",
    "daily 02:00 verified backup, then retention (每日2点备份)",
)
JOBS = (
    BACKUP_JOB,
    Job(
        "0 * * * *",
        "check",
        "check.log",
        "hourly quality checks and HTML report (每小时数据完整性检查)",
    ),
    Job(
        "*/5 * * * *",
        "health --quick",
        "health.log",
        "every 5 minutes quick health, Nagios style (每5分钟健康检查)",
    ),
    Job(
        "0 3 * * 0",
        "backup archive --prune",
        "archive.log",
        "Sunday 03:00 full project archive (周日完整项目备份)",
    ),
    Job("30 3 * * 0", "report --weekly", "report.log", "Sunday 03:30 weekly report (周报)"),
)


def dbguard_executable() -> Path:
    """The absolute path of the dbguard script of this installation (the venv's, if any)."""
    beside_python = Path(sys.executable).parent / "dbguard"
    if beside_python.is_file():
        return beside_python.absolute()
    found = shutil.which("dbguard")
    if found is None:
        raise ConfigError(
            "cannot find the dbguard executable",
            "install dbguard (pip install -e .) or activate its venv",
        )
    return Path(found).absolute()


def _cron_quote(value: str) -> str:
    # cron turns an unescaped % into a newline.
    return shlex.quote(value).replace("%", "\\%")


REPLICATE_JOB = Job(
    "@reboot",
    "replicate",
    "replicate.log",
    "continuous replication (实时备份) from boot, where systemd does not run it",
)
SYSTEMD_UNIT_NAME = "dbguard-replicate.service"  # its unit: dbguard.schedule_units


def uses_systemd() -> bool:
    """Is systemd this machine's init (sd_booted's test)?"""
    return Path("/run/systemd/system").is_dir()


def render_block(config: Config, executable: Path, *, systemd: bool | None = None) -> str:
    """The crontab block for `config`, BEGIN/END markers included. With replication
    configured it holds the `@reboot` replicate line, commented out when `systemd` (default:
    this machine's) runs the unit instead."""
    folder = config.source.parent if config.source is not None else Path.cwd()
    logs = Path(config.reports.logs_dir)
    command = _cron_quote(str(executable))
    if config.source is not None:
        command += f" --config {_cron_quote(str(config.source))}"
    lines = [f"{BEGIN} (written by `dbguard schedule --install`; edits inside are replaced)"]
    # A pasted block must work too: without the folder, the shell cannot open the log and
    # cron never runs the job (silently), so each line makes it first.
    make_logs = f"mkdir -p {_cron_quote(str(logs))}"
    jobs = list(JOBS)
    if config.replication.enabled:
        jobs.append(REPLICATE_JOB)
    for job in jobs:
        log = _cron_quote(str(logs / job.log_name))
        line = (
            f"{job.when} cd {_cron_quote(str(folder))} && {make_logs} && {command} {job.arguments}"
            f" >> {log} 2>&1"
        )
        lines.append(f"# {job.what}")
        if job is REPLICATE_JOB and (uses_systemd() if systemd is None else systemd):
            lines.append(f"# systemd runs it here ({SYSTEMD_UNIT_NAME}); without systemd:")
            line = f"# {line}"
        if job is BACKUP_JOB and config.database.is_postgres:
            lines.append(
                "# dbguard does not back up PostgreSQL: schedule pg_dump (or pgBackRest) into"
                " [backup] postgres_dump_dir; `check` and `health` watch the newest dump's age"
            )
            line = f"# {line}"
        if job is BACKUP_JOB and config.database.is_spark:
            lines.append(
                "# dbguard does not back up Spark tables: the lake's storage keeps its own"
                " versions; `check` and `health` read the tables"
            )
            line = f"# {line}"
        lines.append(line)
    lines.append(END)
    return "\n".join(lines) + "\n"


def merge_block(existing: str, block: str) -> str:
    """`existing` crontab text with its dbguard block replaced by `block` (or `block` appended)."""
    kept: list[str] = []
    inside = False
    for line in existing.splitlines():
        if line.startswith(BEGIN):
            inside = True
            continue
        if inside and line.startswith(END):
            inside = False
            continue
        if not inside:
            kept.append(line)
    if inside:
        raise ConfigError(
            f"the crontab has '{BEGIN}' without '{END}'",
            "fix it with `crontab -e`, then install again",
        )
    while kept and not kept[-1].strip():
        kept.pop()
    head = "\n".join(kept) + "\n\n" if kept else ""
    return head + block


def read_crontab() -> str:
    """The user's current crontab ('' when there is none)."""
    crontab = _crontab_command()
    result = subprocess.run([crontab, "-l"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        if "no crontab" in result.stderr.lower():
            return ""
        raise ConfigError(
            f"`crontab -l` failed: {result.stderr.strip()}", "check that cron is installed"
        )
    return result.stdout


def install_block(config: Config, executable: Path) -> str:
    """Replace the dbguard block in the user's crontab; return the crontab now installed."""
    Path(config.reports.logs_dir).mkdir(parents=True, exist_ok=True)
    merged = merge_block(read_crontab(), render_block(config, executable))
    result = subprocess.run(
        [_crontab_command(), "-"], input=merged, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ConfigError(
            f"`crontab -` failed: {result.stderr.strip()}", "check that cron is installed"
        )
    return merged


def _crontab_command() -> str:
    found = shutil.which("crontab")
    if found is None:
        raise ConfigError(
            "the crontab command is missing",
            "install cron (apt-get install cron), or paste the printed block",
        )
    return found
