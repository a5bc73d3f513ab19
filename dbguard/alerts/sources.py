"""The three sources of alerts, each one call at the top of its command:

- `check`: `notify_check` at the end of the pytest session (dbguard.report.session), after
  the run is in the history and before pytest-html writes the report, so a failed alert is
  a note in that same report;
- `health`: `notify_health` in `dbguard health` (replication lag arrives with its findings);
- `backup`: `with backup_alerts(config):` around `dbguard backup create`'s work — a failure
  is CRITICAL, the next success is its recovery.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from dbguard.alerts.notify import AlertRun, notify
from dbguard.config import Config
from dbguard.errors import ConfigError, DbguardError
from dbguard.findings import Finding, Severity
from dbguard.rules.problems import CheckResultLike, check_findings

BACKUP_CHECK = "backup create"
BACKUP_REMEDIATION = (
    "fix what the error names (disk space, permissions, a damaged or locked database) and run"
    " `dbguard backup create` again; until then the newest good backup grows older"
)


def notify_check(
    config: Config,
    status: Severity,
    results: Iterable[CheckResultLike],
    report: Path | None,
) -> AlertRun:
    return notify(config, "check", check_findings(results), severity=status, report=report)


def notify_health(config: Config, findings: Sequence[Finding]) -> AlertRun:
    return notify(config, "health", findings)


@contextmanager
def backup_alerts(config: Config) -> Iterator[None]:
    """Alert when the work inside fails (CRITICAL), and on the first success after (recovery).

    A configuration error is the caller's input, not a failed backup: not alerted.
    """
    try:
        yield
    except ConfigError:
        raise
    except Exception as error:
        text = error.one_line() if isinstance(error, DbguardError) else f"{error}"
        notify(
            config,
            "backup",
            [
                Finding(
                    BACKUP_CHECK,
                    Severity.CRITICAL,
                    f"a verified backup written to {config.backup.dir}",
                    f"failed: {text}",
                    BACKUP_REMEDIATION,
                    target="backup",
                )
            ],
        )
        raise
    notify(
        config,
        "backup",
        [Finding(BACKUP_CHECK, Severity.OK, "a verified backup", "written", target="backup")],
    )
