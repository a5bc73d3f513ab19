"""`dbguard serve`: the monitor app under /tools/monitor, served by uvicorn.

The socket is bound here, before uvicorn starts, so a port in use is one line and exit 2
(uvicorn would log it and exit 1). uvicorn handles SIGINT/SIGTERM: open requests get a few
seconds to finish. uvicorn then raises the signal again for the handler it found; ours
ignores it, so a requested stop ends `dbguard serve` with exit 0 (not -15, not "aborted").
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
from dataclasses import dataclass

from dbguard.config import Config
from dbguard.errors import ConfigError
from dbguard.web.mount import MOUNT_PATH

# Seconds open requests get to finish after SIGTERM.
GRACEFUL_SECONDS = 5


@dataclass
class PreparedServer:
    config: Config
    sock: socket.socket

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{MOUNT_PATH}/"

    def run(self) -> None:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.routing import Mount

        from dbguard.web.app import create_app, not_found

        app = Starlette(
            routes=[Mount(MOUNT_PATH, app=create_app(self.config))],
            exception_handlers={404: not_found, 405: not_found},
        )
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                access_log=False,
                server_header=False,
                lifespan="off",
                timeout_graceful_shutdown=GRACEFUL_SECONDS,
            )
        )
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, lambda number, frame: None) for sig in stops}
        try:
            server.run(sockets=[self.sock])
        finally:
            self.sock.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prepare_server(config: Config) -> PreparedServer:
    """Bind [serve] host:port; a port in use or an address not on this machine is a ConfigError."""
    host, port = config.serve.host, config.serve.port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ConfigError(
            f"cannot serve on host {host!r}: {error.strerror}",
            "pass --host 127.0.0.1 or an address of this machine",
        ) from None
    family, kind, protocol, _, address = infos[0]
    sock = socket.socket(family, kind, protocol)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is in use",
                "stop what listens there or pass another --port",
            ) from None
        raise ConfigError(
            f"cannot listen on {host}:{port}: {error.strerror}",
            "pass --host 127.0.0.1 and a free --port above 1024",
        ) from None
    return PreparedServer(config, sock)
