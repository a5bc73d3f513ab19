"""What the alert and endpoint tests share: a real HTTP receiver on 127.0.0.1 for apprise's
`json://` URLs, a port that refuses, a free port, the CLI run as a real process, and waiting
for a server process to listen (and stopping it).

`Receiver` answers 200 and keeps every JSON body; with `hang=True` it accepts the request
and never answers until stopped (a hanging notifier). Used as a context manager it stops
its server thread on exit.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any


class Receiver:
    def __init__(self, *, hang: bool = False, port: int = 0) -> None:
        self.hang = hang
        self.payloads: list[dict[str, Any]] = []
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.payloads.append(json.loads(body or b"{}"))
                if receiver.hang:
                    receiver.released.wait(timeout=60)  # bounded even if never released
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/alerts"

    def messages(self) -> list[str]:
        return [f"{p.get('title', '')}\n{p.get('message', '')}" for p in self.payloads]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def wait_listening(
    process: subprocess.Popen[str], port: int, what: str, seconds: float = 60
) -> None:
    """Until something listens on 127.0.0.1:`port` (`seconds` at most); an AssertionError
    when `process` exits first or the time runs out (the process is then stopped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise AssertionError(f"{what} did not listen within {seconds:g} s")


def stop(process: subprocess.Popen[str]) -> int:
    """SIGTERM, and its exit code; SIGKILL (and TimeoutExpired) if it lingers 15 s."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
        raise


def refusing_url() -> str:
    """A json:// URL whose port nothing listens on (connection refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"json://127.0.0.1:{port}/alerts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_process(cwd: Path) -> subprocess.Popen[str]:
    """`dbguard serve` in `cwd` (its dbguard.toml), without the caller's DBGUARD_* variables;
    stderr kept for the test to read. Stop it with `stop`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DBGUARD_")}
    return subprocess.Popen(
        [sys.executable, "-m", "dbguard", "serve"],
        cwd=cwd,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def dbguard(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`dbguard ARGS` in `cwd`, without the caller's DBGUARD_* variables (plus `env`)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DBGUARD_")}
    return subprocess.run(
        [sys.executable, "-m", "dbguard", *args],
        cwd=cwd,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
