"""The local socket between `dbguard check` and a running watcher: a Unix socket beside the
run history (mode 0600, never TCP), one JSON line each way per step.

1. the client says `{"version": V}`; the watcher answers `{"version": W}` at once. No answer
   within 1 s, or W != V: the client runs cold, as without a watcher.
2. the client sends its command (argv, folder, DBGUARD_* environment); the watcher runs it
   in a warm child and answers `{"stdout", "stderr", "exit"}`. A watcher that goes away
   before answering: the client runs cold.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbguard import __version__
from dbguard.config import Config

log = logging.getLogger(__name__)

SOCKET_NAME = "watch.sock"
HELLO_SECONDS = 1.0  # the watcher must say its version within this, or the check runs cold
MAX_PATH = 100  # a Unix socket path is at most 107 bytes on Linux
Request = dict[str, Any]
Answer = dict[str, Any]


def socket_path(config: Config) -> Path:
    """The watcher's socket: beside the run history of this configuration."""
    return Path(config.reports.history).parent / SOCKET_NAME


def ask_watcher(config: Config, request: Request, wait_seconds: float) -> Answer | None:
    """The watcher's answer to `request`, or None: none listening, another version, gone."""
    path = socket_path(config)
    if not path.exists() or len(str(path)) > MAX_PATH:
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(HELLO_SECONDS)
            client.connect(str(path))
            stream = client.makefile("rwb")
            _send(stream, {"version": __version__})
            hello = _receive(stream)
            if hello is None or hello.get("version") != __version__:
                log.info("the watcher at %s runs another dbguard version: running cold", path)
                return None
            client.settimeout(wait_seconds)
            _send(stream, request)
            answer = _receive(stream)
    except (OSError, ValueError) as error:
        log.info("no watcher answers at %s (%s): running cold", path, error)
        return None
    if answer is None or not isinstance(answer.get("exit"), int):
        return None
    return answer


class WatchSocket:
    """The watcher's end: each connection in a thread of its own, `handle(request)` runs it."""

    def __init__(self, config: Config, handle: Callable[[Request], Answer | None]) -> None:
        self.path = socket_path(config)
        self.handle = handle
        self.server: socket.socket | None = None

    def start(self) -> bool:
        """Listen (False, with a log line, when the path cannot take a socket)."""
        if len(str(self.path)) > MAX_PATH:
            log.warning("watch socket path %s is too long: `dbguard check` runs cold", self.path)
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)  # a socket left by a serve that was killed
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        previous = os.umask(0o177)  # created 0600: only this user may ask for runs
        try:
            server.bind(str(self.path))
        finally:
            os.umask(previous)
        server.listen(8)
        self.server = server
        threading.Thread(target=self._accept, name="dbguard-watch-socket", daemon=True).start()
        return True

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.path.unlink(missing_ok=True)

    def _accept(self) -> None:
        assert self.server is not None
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:  # closed: serve is stopping
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            stream = connection.makefile("rwb")
            try:
                hello = _receive(stream)
                _send(stream, {"version": __version__})
                if hello is None or hello.get("version") != __version__:
                    return
                request = _receive(stream)
                if request is None:
                    return
                answer = self.handle(request)
                if answer is not None:
                    _send(stream, answer)
            except (OSError, ValueError, EOFError) as error:
                log.info("watch socket: a client went away, or no child to be had (%s)", error)


def _send(stream: Any, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message).encode("utf-8") + b"\n")
    stream.flush()


def _receive(stream: Any) -> dict[str, Any] | None:
    line = stream.readline()
    if not line:
        return None
    message = json.loads(line)
    return message if isinstance(message, dict) else None
