"""The watcher: a thread of `dbguard serve` that runs the quick health every
`health_interval`, the check every `rules_interval` when the data changed (and at once when
the health saw row counts out of their bands), and the full check on `full_check`, each in
a warm child (dbguard.watch.warm). It follows dbguard.toml
as the endpoints do. A run that outlives `run_timeout`, or whose child dies, is a WARNING
alert of its own ("watch run"), recovered by the next run that finishes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dbguard.config import Config
from dbguard.config.reloading import ReloadingConfig
from dbguard.findings import Finding, Severity
from dbguard.watch.changes import data_stamp
from dbguard.watch.channel import Answer, Request, WatchSocket
from dbguard.watch.jobs import JobResult, run_job
from dbguard.watch.warm import WarmResult, WarmRunner

log = logging.getLogger(__name__)

WATCH_CHECK = "watch run"
EXPECTED = "each watch run finishes within [watch] run_timeout"
STOP_WAIT_SECONDS = 3.0
LONGEST_SLEEP = 5.0  # seconds: a changed dbguard.toml or a stop is noticed at least this often


class Watcher:
    """`check_job(request) -> answer`, when given, runs `dbguard check` for a client of the
    local socket (dbguard.watch.channel) in a warm child; serve's CLI passes it down."""

    def __init__(
        self,
        config: Config,
        runner: WarmRunner | None = None,
        check_job: Callable[[Request], Answer] | None = None,
    ) -> None:
        self.config = ReloadingConfig(config)
        self.runner = runner or WarmRunner()
        self.check_job = check_job
        self.socket = WatchSocket(config, self._warm_check) if check_job is not None else None
        self.stopping = threading.Event()
        self.runs = 0  # finished runs, for the log and the tests' patience
        self.thread = threading.Thread(target=self._loop, name="dbguard-watch", daemon=True)

    def start(self) -> None:
        self.runner.start()
        if self.socket is not None:
            self.socket.start()
        self.thread.start()

    def stop(self) -> None:
        """Stop the running child and the loop; serve's exit does not wait for a run."""
        self.stopping.set()
        if self.socket is not None:
            self.socket.stop()
        self.runner.stop_current()
        self.thread.join(timeout=STOP_WAIT_SECONDS)

    def _warm_check(self, request: Request) -> Answer | None:
        """A client's `dbguard check`, in a warm child; None (the client runs cold) if the
        child hung or died."""
        assert self.check_job is not None
        config = self.config.current()
        result = self.runner.run(self.check_job, (request,), config.watch.timeout.total_seconds())
        if result.outcome != "done" or not isinstance(result.value, dict):
            log.warning(
                "dbguard: warning: watch: a warm check %s: the client runs cold", result.outcome
            )
            return None
        log.warning("watch: ran a client's dbguard check warm (exit %s)", result.value.get("exit"))
        return result.value

    def _loop(self) -> None:
        config = self.config.current()
        next_health = time.monotonic()
        next_rules = next_health + config.watch.rules_every.total_seconds()
        next_full = config.watch.next_full_check(datetime.now(UTC))
        seen = data_stamp(config)
        while not self.stopping.is_set():
            config = self.config.current()
            watch = config.watch
            if datetime.now(UTC) >= next_full:
                seen = data_stamp(config)
                self.run("full", config)
                next_full = watch.next_full_check(datetime.now(UTC))
                next_rules = time.monotonic() + watch.rules_every.total_seconds()
            elif time.monotonic() >= next_rules:
                stamp = data_stamp(config)
                if stamp != seen:  # unchanged data: that stat was the whole cost
                    seen = stamp
                    self.run("rules", config)
                next_rules = time.monotonic() + watch.rules_every.total_seconds()
            if time.monotonic() >= next_health:
                health = self.run("health", config).value
                next_health = time.monotonic() + watch.health_every.total_seconds()
                stamp = data_stamp(config)
                if isinstance(health, JobResult) and health.check_now and stamp != seen:
                    seen = stamp  # row counts out of their bands: the check says which, now
                    self.run("rules", config)
                    next_rules = time.monotonic() + watch.rules_every.total_seconds()
            wait = min(
                next_health - time.monotonic(),
                next_rules - time.monotonic(),
                (next_full - datetime.now(UTC)).total_seconds(),
                LONGEST_SLEEP,
            )
            self.stopping.wait(max(0.05, wait))

    def run(
        self, kind: str, config: Config, target: Callable[[str, Config], Any] = run_job
    ) -> WarmResult:
        """One run of `kind` (`target(kind, config)` in a warm child), told to the alerts."""
        timeout = config.watch.timeout.total_seconds()
        try:
            result = self.runner.run(target, (kind, config), timeout)
        except (OSError, EOFError) as error:  # no forkserver to be had: this run is lost
            log.warning("dbguard: warning: watch: the %s run could not start: %s", kind, error)
            result = WarmResult("crashed")
        self.runs += 1
        if self.stopping.is_set():
            return result
        value = result.value if isinstance(result.value, JobResult) else None
        refused = value is not None and value.status == "error"
        if result.outcome == "done" and not refused:
            log.info("watch %s: %s", kind, value.summary if value else result.value)
            self._tell(config, Finding(WATCH_CHECK, Severity.OK, EXPECTED, f"{kind} run done"))
            return result
        if value is not None:  # bad input the run refused (a malformed suite, …)
            observed = f"the {kind} run stopped: {value.summary}"
            remediation = "fix what it names; `dbguard check` says the same"
        elif result.outcome == "timeout":
            observed = f"the {kind} run was still going after {config.watch.run_timeout}: stopped"
            remediation = (
                "see logs/watch-*.log for where it hung (a locked database, a hung notifier);"
                " raise [watch] run_timeout if the check simply takes longer"
            )
        else:
            observed = f"the {kind} run's process ended without a result (exit {result.exit_code})"
            remediation = "see logs/watch-*.log; the next run starts a fresh process"
        log.warning("dbguard: warning: watch: %s", observed)
        self._tell(
            config,
            Finding(WATCH_CHECK, Severity.WARNING, EXPECTED, observed, remediation, target="watch"),
        )
        return result

    def _tell(self, config: Config, finding: Finding) -> None:
        if not config.alerts.urls:
            return
        from dbguard.alerts.notify import notify

        notify(config, "watch", [finding])
