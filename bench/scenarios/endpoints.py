"""6. Monitor endpoints and alerts: latency of `/health/quick` and `/performance/metrics` at 100
concurrent clients (a real `dbguard serve` on 127.0.0.1), and what configured alerts add to
`dbguard check`.

The load generator is httpx's async client in this process: 100 clients with a connection
each, bounded in count and in time. It shares the machine's cores
with the server, so its own work is inside every figure.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import datasets, watcher
from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section, Series, measure_rounds, ratio_check

CLIENTS = 100
P99_TARGET_MS = 50.0
P99_WATCHING_TARGET_MS = 10.0  # issue 20: while the watcher runs checks
LOAD_TIMEOUT_S = 300.0
PATHS = ("/tools/monitor/health/quick", "/tools/monitor/performance/metrics")


def run(context: Context) -> Section:
    demo = datasets.demo_shaped(context.data_dir, None).path
    section = Section(
        "endpoints",
        "6. Monitor endpoints and alerts",
        f"`dbguard serve` on 127.0.0.1 with the demo database; {CLIENTS} httpx async clients "
        "(one connection each) in the benchmark's own process, either each polling once a "
        "second, spread over the second (what monitors do), or all sending at the same instant "
        "once a second (a burst of 100 requests in flight); latency from sending a request to "
        "reading the whole answer, the client's own work included; each load starts once "
        "serve's start-up work (the watcher's preload and first health run) is over. Then the "
        'paced load again while the watcher runs checks: `[watch] rules_interval = "1s"` and '
        "a writer committing once a second, so a warm check starts a second after the last one "
        "ended. Then `dbguard check` with and without alerts configured (GNU time, runs "
        "interleaved).",
    )
    seconds = 3 if context.settings.quick else 5  # 500 requests per route and load (p99: 5th worst)
    for cache_seconds in (5.0, 0.0):
        folder = context.scratch(f"endpoints-cache{cache_seconds:g}")
        config = context.write_config("endpoints", database=demo, backup_dir=folder / "backups")
        config = _with_sections(config, folder, {"serve": {"cache_seconds": cache_seconds}})
        # Settled: the watcher's preload and first health run are over before the load.
        with watcher.serve(context, config) as server:
            for path, burst in [(path, burst) for burst in (False, True) for path in PATHS]:
                latencies, codes = asyncio.run(
                    _load(server.url + path, seconds=seconds, burst=burst)
                )
                load = "burst of 100 at once" if burst else "100 clients, 1 request/s each"
                label = (
                    f"`{path.removeprefix('/tools/monitor')}`, {load}, cache_seconds ="
                    f" {cache_seconds:g}"
                )
                section.notes.append(_describe(label, latencies, codes))
                if cache_seconds and not burst:
                    p99 = _percentile(latencies, 99)
                    section.checks.append(
                        Check(
                            f"{label}: p99",
                            f"{p99:.1f} ms (p50 {_percentile(latencies, 50):.1f} ms)",
                            f"≤ {P99_TARGET_MS:g} ms",
                            p99 <= P99_TARGET_MS and set(codes) == {200},
                        )
                    )
    _while_watching(context, section, demo, seconds)
    section.series = _check_series(context, demo)
    plain, *alerting = section.series
    for series in alerting:
        section.checks.append(
            ratio_check(
                f"`check` {series.label.removeprefix('dbguard check ')} / without alerts",
                series,
                plain,
                None,
            )
        )
    section.notes.append(
        "`dbguard check` runs on a copy of the demo database without a backup, so every run is "
        'a WARNING and, with `repeat_after = "1s"`, every run sends one message: the figures '
        "are the cost of an alert actually sent (to a local receiver answering at once). A "
        "notifier that hangs is bounded by `[alerts] timeout_seconds` "
        "(tests/test_alerts_failures.py); it is no longer timed here."
    )
    return section


def _while_watching(context: Context, section: Section, demo: Path, seconds: int) -> None:
    """The paced load on both routes while the watcher runs one warm check after another."""
    folder = context.scratch("endpoints-watching")
    database = folder / "db.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(demo, database)
    shutil.rmtree(folder / "reports", ignore_errors=True)
    config = context.write_config("endpoints-watching", database=database, backup_dir=folder / "b")
    config = _with_sections(
        config, folder, {"serve": {"cache_seconds": 5.0}, "watch": {"rules_interval": "1s"}}
    )
    with watcher.serve(context, config) as server:
        writer = watcher.rewriting_writer(database)
        try:
            time.sleep(2.0)  # the first change seen: the first check is under way
            for path in PATHS:
                before = watcher.tree_cpu_seconds(server.pid)
                started = time.monotonic()
                latencies, codes = asyncio.run(
                    _load(server.url + path, seconds=seconds, burst=False)
                )
                busy = (watcher.tree_cpu_seconds(server.pid) - before) / (
                    time.monotonic() - started
                )
                label = (
                    f"`{path.removeprefix('/tools/monitor')}`, 100 clients, 1 request/s each, "
                    "cache_seconds = 5, while the watcher runs checks"
                )
                section.notes.append(
                    _describe(label, latencies, codes)
                    + f"; serve's process tree (its warm checks included) used {busy:.2f} of a"
                    " core during the load"
                )
                p99 = _percentile(latencies, 99)
                section.checks.append(
                    Check(
                        f"{label}: p99",
                        f"{p99:.1f} ms (p50 {_percentile(latencies, 50):.1f} ms)",
                        f"≤ {P99_WATCHING_TARGET_MS:g} ms",
                        p99 <= P99_WATCHING_TARGET_MS and set(codes) == {200},
                    )
                )
        finally:
            writer.set()


def _with_sections(config: Path, folder: Path, sections: dict[str, dict[str, Any]]) -> Path:
    from bench.context import to_toml

    text = config.read_text(encoding="utf-8") + "\n" + to_toml(sections)
    target = folder / "dbguard.toml"
    target.write_text(text, encoding="utf-8")
    return target


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(context: Context, config: Path) -> Iterator[str]:
    port = _free_port()
    # Its log in a file (bench.watcher.warm_runs reads it): a pipe no one reads would fill up
    # and stop serve at its next log line.
    log = (config.parent / "serve.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [context.dbguard, "--config", str(config), "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    log.close()
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dbguard serve exited {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("dbguard serve did not listen within 60 s") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


async def _load(url: str, *, seconds: int, burst: bool) -> tuple[list[float], list[int]]:
    """CLIENTS clients, one connection each (like as many monitors), for `seconds` rounds one
    second apart. Paced: each client sends once a second, the clients spread evenly over the
    second (CLIENTS requests/s offered). Burst: all clients send at the same instant each
    round (CLIENTS requests in flight at once). Latencies in ms, and the status codes."""
    import ssl

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    latencies: list[float] = []
    codes: list[int] = []
    # One TLS context for all (the URLs are plain HTTP): each client building its own loads
    # the CA bundle again, 2 s of set-up per load for 100 clients, before any request.
    tls = ssl.create_default_context()
    clients = [httpx.AsyncClient(timeout=30, verify=tls) for _ in range(CLIENTS)]
    try:
        await clients[0].get(url)  # warm the server's cache and imports
        start = time.perf_counter() + 0.5

        async def one_client(index: int, client: httpx.AsyncClient) -> None:
            offset = 0.0 if burst else index / CLIENTS
            for second in range(seconds):
                await asyncio.sleep(max(0.0, start + second + offset - time.perf_counter()))
                sent = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - sent) * 1000)
                codes.append(response.status_code)

        await asyncio.wait_for(
            asyncio.gather(*(one_client(i, c) for i, c in enumerate(clients))), LOAD_TIMEOUT_S
        )
    finally:
        for client in clients:
            await client.aclose()
    return latencies, codes


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _describe(label: str, latencies: list[float], codes: list[int]) -> str:
    statuses = ", ".join(f"{code}: {codes.count(code)}" for code in sorted(set(codes)))
    return (
        f"{label}: {len(latencies)} requests, p50 "
        f"{_percentile(latencies, 50):.1f} ms, p99 {_percentile(latencies, 99):.1f} ms, "
        f"max {max(latencies):.1f} ms; HTTP {statuses}"
    )


class _Receiver:
    """A local JSON webhook for apprise's json:// URL; `hang` never answers (bounded). Keeps
    each message's arrival time (time.monotonic) in `arrivals`."""

    def __init__(self, hang: bool) -> None:
        release = self.release = threading.Event()
        arrivals: list[float] = []
        arrived = threading.Condition()
        self.arrivals, self.arrived = arrivals, arrived

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with arrived:
                    arrivals.append(time.monotonic())
                    arrived.notify_all()
                if hang:
                    release.wait(timeout=60)
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/alerts"

    def wait_for(self, count: int, seconds: float) -> bool:
        """Until `count` messages have arrived (False after `seconds`)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.arrivals) >= count, seconds)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _check_series(context: Context, demo: Path) -> list[Series]:
    answering = _Receiver(hang=False)
    series = []
    try:
        for label, alerts in (
            ("dbguard check (no alerts)", None),
            ("dbguard check (alerts, one sent)", {"urls": [answering.url], "repeat_after": "1s"}),
        ):
            name = "endpoints-check-" + label.split("(")[1].rstrip(")").replace(" ", "-").replace(
                ",", ""
            )
            folder = context.scratch(name)
            shutil.rmtree(folder / "reports", ignore_errors=True)
            config = context.write_config(name, database=demo, backup_dir=folder / "no-backups")
            if alerts is not None:
                config = _with_sections(config, folder, {"alerts": alerts})
            series.append(
                Series(label, [context.dbguard, "--config", str(config), "check"], (0, 1))
            )
        rounds = 1 if context.settings.quick else 3
        measure_rounds(series, rounds=rounds, cwd=REPO_ROOT, timeout=900, warmup=True)
    finally:
        answering.stop()
    return series
