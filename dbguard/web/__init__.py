"""The monitor endpoints as an ASGI app (Starlette), and the Prometheus metrics.

`create_app(config)` returns the app with routes `/health/quick`, `/health/database`,
`/performance/metrics`, `/status/overview` and `/report`, to be mounted under
`/tools/monitor` in the team's own app (Starlette, FastAPI, Django's asgi.py), or served on
its own by `dbguard serve`. Importing this package imports nothing heavy: `dbguard health`
uses its textfile writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from dbguard.config import Config

from dbguard.web.mount import MOUNT_PATH

__all__ = ["MOUNT_PATH", "create_app"]


def create_app(config: Config) -> Starlette:
    """The monitor routes as a Starlette app, mountable under MOUNT_PATH."""
    from dbguard.web.app import create_app as create

    return create(config)
