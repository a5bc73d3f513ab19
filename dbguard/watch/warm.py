"""Warm runs: one forkserver holds Great Expectations, pandas, SQLAlchemy and pytest
imported; each run is a fresh child forked from it (the standard library's forkserver with
`set_forkserver_preload`, as gunicorn's --preload does it). A child reads suites, config and
checks/ as they are when it starts, and nothing it does outlives it.

A child that outlives its timeout is stopped (SIGTERM: pytest tears down its fixtures, the
restore drill's copy goes; SIGKILL after a grace) and the run is reported as timed out. A
forkserver that died is started again by the next run (multiprocessing's ensure_running).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

# What every check run imports first (about 3 s of CPU): imported once, in the forkserver.
# (Not pytest_html: a plugin imported before pytest starts cannot have its asserts rewritten.)
PRELOAD = ("great_expectations", "pandas", "sqlalchemy", "pytest")
STOP_GRACE_SECONDS = 5.0
START_ATTEMPTS = 3  # a forkserver that just died may still look alive for a moment
RETRY_PAUSE_SECONDS = 0.5


@dataclass(frozen=True)
class WarmResult:
    outcome: str  # "done", "timeout" (stopped at its timeout) or "crashed" (no result)
    value: Any = None  # what the target returned ("done" only)
    exit_code: int | None = None  # the child's (negative: the signal that ended it)
    pid: int | None = None


class WarmRunner:
    def __init__(self, preload: Sequence[str] = PRELOAD) -> None:
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(list(preload))
        self._lock = threading.Lock()
        self._current: Any = None  # the running child (a multiprocessing Process)

    def start(self) -> None:
        """Start the forkserver now (before uvicorn starts its threads), not at the first run."""
        forkserver.ensure_running()

    @staticmethod
    def forkserver_pid() -> int | None:
        return forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]

    @property
    def current_pid(self) -> int | None:
        with self._lock:
            return self._current.pid if self._current is not None else None

    def run(self, target: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> WarmResult:
        """`target(*args)` in a fresh child; its return value (picklable) or why there is none."""
        reader, writer = self.context.Pipe(duplex=False)
        for attempt in range(1, START_ATTEMPTS + 1):
            # Daemonic: a child still running when serve exits is terminated, not waited for.
            process = self.context.Process(target=_child, args=(target, args, writer), daemon=True)
            try:
                process.start()
                break
            except (OSError, EOFError) as error:  # the forkserver died: the next start restarts it
                if attempt == START_ATTEMPTS:
                    writer.close()
                    reader.close()
                    raise
                log.warning("the watch forkserver failed (%s): starting it again", error)
                time.sleep(RETRY_PAUSE_SECONDS)
        writer.close()
        with self._lock:
            self._current = process
        deadline = time.monotonic() + timeout
        try:
            value, received = _receive(reader, timeout)
            if not received:  # it ended without a result, or is hanging: wait out its time
                process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive() and not received:
                log.warning("watch run %s outlived its %g s timeout: stopped", process.pid, timeout)
                _stop(process)
                return WarmResult("timeout", None, process.exitcode, process.pid)
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                _stop(process)
            if not received:
                return WarmResult("crashed", None, process.exitcode, process.pid)
            return WarmResult("done", value, process.exitcode, process.pid)
        finally:
            reader.close()
            with self._lock:
                self._current = None
            if not process.is_alive():
                process.close()

    def stop_current(self) -> None:
        """Stop the running child, if any (serve is stopping)."""
        with self._lock:
            process = self._current
        if process is not None and process.is_alive():
            process.terminate()


def _receive(reader: Connection, timeout: float) -> tuple[Any, bool]:
    """The child's one message within `timeout`; (None, False) when none came (it hung, or
    it ended without sending: killed, crashed)."""
    if not reader.poll(timeout):
        return None, False
    try:
        return reader.recv(), True
    except (EOFError, OSError):  # the child ended without a result
        return None, False


def _stop(process: Any) -> None:
    process.terminate()
    process.join(STOP_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(STOP_GRACE_SECONDS)


def _child(target: Callable[..., Any], args: tuple[Any, ...], writer: Connection) -> None:
    value = target(*args)
    writer.send(value)
    writer.close()
