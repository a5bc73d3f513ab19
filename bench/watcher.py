"""A running `dbguard serve` (issue 20's watcher) for the sections that measure beside it:
`dbguard check` through it (warm) in scale and peer, the endpoints while it runs checks, and
the watch section itself. One serve per database, started once and reused across rounds.

`QUIET` holds the watcher's own runs off (one quick health at start, then a day between
runs): the warm client checks still go through it, and the cold rows interleaved with them
run beside a forkserver that only sleeps. Serve's stderr goes to serve.log beside its config,
where `warm_runs` counts the client checks it ran warm.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.context import Context
from bench.measure import Series

QUIET = {"health_interval": "24h", "rules_interval": "24h", "full_check": "24h"}
WARM_LINE = "ran a client's dbguard check warm"
SETTLE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Serve:
    url: str
    pid: int
    log: Path


def with_watch(config: Path, watch: dict[str, str]) -> Path:
    """`config` (rewritten in place) with a [watch] section."""
    from bench.scenarios.endpoints import _with_sections

    return _with_sections(config, config.parent, {"watch": watch})


@contextmanager
def serve(context: Context, config: Path, *, settle: bool = True) -> Iterator[Serve]:
    """A `dbguard serve` on `config`; with `settle`, yielded once its start-up work (the
    forkserver's preload, the first health run) is over."""
    from bench.scenarios.endpoints import _server

    with _server(context, config) as url:
        pid = serve_pid(config)
        if settle:
            wait_settled(pid)
        yield Serve(url, pid, serve_log(config))


def serve_log(config: Path) -> Path:
    return config.parent / "serve.log"


def warm_runs(config: Path) -> int:
    """How many client checks the serve on `config` ran warm (its log since it started)."""
    try:
        return serve_log(config).read_text(errors="replace").count(WARM_LINE)
    except OSError:
        return 0


def warm_note(config: Path, series: Series, warmup: bool) -> str:
    """How many of `series`' runs the watcher answered (a run it did not answer ran cold)."""
    asked = len(series.samples) + (1 if warmup else 0)
    answered = warm_runs(config)
    text = f"{series.label}: the watcher ran {answered} of {asked} runs warm"
    return text + ("." if answered >= asked else " (the others ran cold: the figure is not warm).")


def serve_pid(config: Path) -> int:
    """The running `dbguard --config CONFIG serve` (the bench starts one per config)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in arguments and str(config).encode() in arguments:
            return int(entry.name)
    raise RuntimeError("the bench's dbguard serve process was not found in /proc")


def tree_cpu_seconds(pid: int) -> float:
    """User+system CPU of `pid` and its children, the reaped ones included (/proc stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime
        pids += [int(child) for child in children]
    return total


def wait_settled(pid: int, timeout: float = SETTLE_TIMEOUT_S) -> float:
    """Until serve's process tree used under 0.05 CPU s in a second (at least 3 s after the
    call: the preload starts at once); the seconds waited."""
    started = time.monotonic()
    previous = tree_cpu_seconds(pid)
    while time.monotonic() - started < timeout:
        time.sleep(1.0)
        current = tree_cpu_seconds(pid)
        if current - previous < 0.05 and time.monotonic() - started >= 3.0:
            break
        previous = current
    return time.monotonic() - started


def rewriting_writer(database: Path, every_s: float = 1.0) -> threading.Event:
    """One commit every `every_s` that changes no count and breaks no rule (a row rewritten as
    it is), so the watcher sees changed data; set the event to stop it."""
    stop = threading.Event()

    def write() -> None:
        with closing(sqlite3.connect(database, timeout=30, isolation_level=None)) as connection:
            while not stop.wait(every_s):
                connection.execute("UPDATE pue_comment SET rowid = rowid WHERE rowid = 1")

    threading.Thread(target=write, daemon=True).start()
    return stop
