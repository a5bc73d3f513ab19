"""`dbguard replicate`: Litestream's `replicate` as a child, in the foreground.

The configuration is generated from `[replication]` into a private temporary folder
(removed when Litestream exits, or by the next start if dbguard was killed outright). Litestream runs in its own process group, so a Ctrl-C
on the terminal reaches it once — through dbguard, which passes SIGTERM and SIGINT on —
and not twice (a second signal makes Litestream abandon its final sync). On Linux the
child also gets SIGTERM if dbguard dies. dbguard's exit code is Litestream's (128 + N
when a signal N ended it), so systemd and supervisors see Litestream's own outcome.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from dbguard.config import Config
from dbguard.database import require_database
from dbguard.errors import ConfigError
from dbguard.redact import mask_secrets
from dbguard.replication.binary import litestream_for
from dbguard.replication.config_file import render_config, write_config
from dbguard.replication.location import (
    CREDENTIAL_PAIRS,
    CREDENTIAL_SOURCES,
    ReplicaLocation,
    litestream_environment,
    replica_location,
)
from dbguard.replication.status import PROCESS_NAME, require_enabled
from dbguard.scratch import scratch_folder

log = logging.getLogger(__name__)

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT)
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ReplicationPlan:
    """Everything `dbguard replicate` runs, decided before anything starts."""

    litestream: Path
    config_text: str
    environment: dict[str, str]
    db_path: Path
    location: ReplicaLocation

    def printable(self) -> str:
        """The generated configuration, with the credentials Litestream will use named,
        and every secret masked."""
        names = [
            name for pair in CREDENTIAL_PAIRS for name in pair if self.environment.get(name)
        ] + [name for name in CREDENTIAL_SOURCES if self.environment.get(name)]
        lines = [self.config_text.rstrip("\n"), f"# litestream: {self.litestream}"]
        if names:
            lines.append(f"# credentials from the environment: {', '.join(names)}")
        secrets = [self.environment[name] for name in names]
        return mask_secrets("\n".join(lines) + "\n", secrets)


def plan_replication(config: Config, environment: Mapping[str, str]) -> ReplicationPlan:
    """Check the configuration and build the plan; bad input raises a DbguardError."""
    require_enabled(config)
    db_path = require_database(Path(config.database.path)).absolute()
    location = replica_location(config)
    return ReplicationPlan(
        litestream=litestream_for(config),
        config_text=render_config(db_path, location, config.replication),
        environment=litestream_environment(location, environment),
        db_path=db_path,
        location=location,
    )


def run_replication(config: Config) -> int:
    """Run Litestream until it exits or is told to stop; return its exit code."""
    from backup.holders import processes_holding

    plan = plan_replication(config, os.environ)
    running = processes_holding(plan.db_path, command=PROCESS_NAME)
    if running:
        raise ConfigError(
            f"Litestream (pid {', '.join(map(str, running))}) already replicates {plan.db_path}",
            "two replicators of one database conflict: stop the other one first",
        )
    if plan.location.folder is not None:
        _make_private_folder(plan.location.folder)
    # A private folder (0700), removed when Litestream exits; one left by a dbguard that was
    # killed outright is removed by the next start (dbguard.scratch).
    with scratch_folder("litestream") as folder:
        config_path = write_config(plan.config_text, folder)
        command = [str(plan.litestream), "replicate", "-config", str(config_path), "-no-expand-env"]
        log.info("starting %s", " ".join(command))
        return run_forwarding_signals(command, plan.environment)


def _make_private_folder(folder: Path) -> None:
    """The replica folder holds the database's data: created 0700, as are the folders made
    for it (the backup folder, by default); existing ones are left as they are."""
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o700, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"cannot create the replica folder {folder}: {error.strerror or error}",
            "set [replication] replica to a folder you can write to",
        ) from None


def run_forwarding_signals(command: list[str], environment: Mapping[str, str]) -> int:
    """Run `command` as a child in its own process group, pass SIGTERM/SIGINT on, wait;
    return its exit code (128 + N if signal N ended it)."""
    try:
        child = subprocess.Popen(
            command,
            env=dict(environment),
            process_group=0,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    except OSError as error:
        raise ConfigError(
            mask_secrets(f"cannot start {command[0]}: {error.strerror or error}"),
            "check [replication] litestream",
        ) from None

    def forward(signum: int, _frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    previous = {number: signal.signal(number, forward) for number in FORWARDED_SIGNALS}
    try:
        code = child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return code if code >= 0 else 128 - code


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent (dbguard) dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
