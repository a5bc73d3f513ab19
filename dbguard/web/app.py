"""The monitor app: routes, bearer token, per-request timeout, cached results, JSON errors.

The app follows its dbguard.toml (dbguard.config.reloading): each request costs one `stat`
of the file; when it changed, it is read again and the routes answer from the new
configuration with fresh caches (token, thresholds, paths, alerts). A file that no longer
parses keeps the last good configuration, and `/status/overview` says why under `config`.

Every route calls what a command calls — `/health/quick` is `dbguard health --quick`
(`run_health(config, quick=True, record=False)`), `/health/database` is `dbguard health`'s
database part (with quick_check) — through a Snapshot reused for `[serve] cache_seconds`.
Work that touches files runs in worker threads. The live database is only opened
read-only (by run_health); no response carries a secret (every body is masked).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from dbguard.config import Config
from dbguard.config.reloading import ConfigState, ReloadingConfig
from dbguard.errors import DbguardError
from dbguard.health.report import HealthReport
from dbguard.redact import mask_secrets
from dbguard.system import LOOP_STATUS, PROBE_HEADER
from dbguard.watch.changes import sqlite_stamp
from dbguard.web.cache import Snapshot
from dbguard.web.metrics import exposition
from dbguard.web.mount import MOUNT_PATH
from dbguard.web.observations import Observations, observe
from dbguard.web.views import (
    database_json,
    error_json,
    health_json,
    http_status,
    index_json,
    overview_json,
)

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
LOOP_ANSWER = (
    "this is dbguard's own monitor, asked by dbguard's [system] health_url probe: not answered,"
    " it would call itself; set health_url to the application's own health route"
)
# The mount point itself: an index of the routes.
INDEX = "/"
ROUTES = {
    "health_quick": "/health/quick",
    "health_database": "/health/database",
    "metrics": "/performance/metrics",
    "overview": "/status/overview",
    "report": "/report",
}


def json_response(data: Any, status_code: int, secrets: list[str] | None = None) -> Response:
    text = mask_secrets(json.dumps(data, ensure_ascii=False, default=str), secrets or [])
    return Response(text, status_code, media_type="application/json")


def route_links(request: Request) -> dict[str, str]:
    """Each route's path as this request reaches it (under the mount point, if mounted)."""
    base = request.scope.get("root_path", "")
    return {name: f"{base}{path}" for name, path in ROUTES.items()}


async def not_found(request: Request, error: Exception) -> Response:
    """Unknown paths (and wrong methods) answer JSON, like every other route."""
    if isinstance(error, HTTPException) and error.status_code != 404:
        return json_response({"error": str(error.detail)}, error.status_code)
    overview = f"{request.scope.get('root_path') or MOUNT_PATH}{ROUTES['overview']}"
    return json_response({"error": f"no such page: {request.url.path}", "see": overview}, 404)


class Monitor:
    """The routes of one configuration, with their caches."""

    def __init__(self, config: Config, config_state: Callable[[], ConfigState]) -> None:
        self.config = config
        self.config_state = config_state
        self.secrets = [secret for secret in config.secrets() if secret]
        serve = config.serve
        self.quick: Snapshot[HealthReport] = Snapshot(self._health(quick=True), serve.cache_seconds)
        self.database: Snapshot[HealthReport] = Snapshot(
            self._health(quick=False), serve.cache_seconds
        )
        # Read from the run history: a run recorded (and alerted) is shown at once.
        history = Path(config.reports.history)
        self.observations: Snapshot[Observations] = Snapshot(
            self._observe, serve.cache_seconds, lambda: sqlite_stamp(history)
        )

    def _health(self, *, quick: bool) -> Callable[[], Awaitable[HealthReport]]:
        async def compute() -> HealthReport:
            from dbguard.health.quick import run_health

            return await anyio.to_thread.run_sync(
                lambda: run_health(self.config, quick=quick, record=False)
            )

        return compute

    async def _observe(self) -> Observations:
        try:
            health: HealthReport | None = (await self.quick.get())[0]
        except DbguardError:
            health = None
        seen = await anyio.to_thread.run_sync(observe, self.config, health)
        return seen if health is not None else dataclasses.replace(seen, database_up=False)

    def json(self, data: Any, status_code: int = 200) -> Response:
        return json_response(data, status_code, self.secrets)

    def guarded(self, handler: Handler, *, public: bool = False) -> Handler:
        """The token check, the request timeout and the one answer for any failure."""
        serve = self.config.serve

        async def endpoint(request: Request) -> Response:
            if PROBE_HEADER.lower() in request.headers:  # dbguard's health_url probe: a loop
                return self.json(error_json(LOOP_ANSWER), LOOP_STATUS)
            if serve.token and not public and not _authorized(request, serve.token):
                response = self.json({"error": "missing or wrong bearer token"}, 401)
                response.headers["WWW-Authenticate"] = "Bearer"
                return response
            try:
                return await asyncio.wait_for(handler(request), serve.request_timeout_seconds)
            except TimeoutError:
                message = f"no answer within {serve.request_timeout_seconds:g} s"
            except DbguardError as error:
                message = error.one_line()
            except Exception as error:  # a bug: logged in full, answered in one line
                log.exception("monitor route %s failed", request.url.path)
                message = f"internal error: {type(error).__name__}: {error}"
            return self.json(error_json(message), http_status("unknown"))

        return endpoint

    async def health_quick(self, request: Request) -> Response:
        report, age = await self.quick.get()
        body = health_json(report, age)
        return self.json(body, http_status(body["status"]))

    async def health_database(self, request: Request) -> Response:
        report, age = await self.database.get()
        body = database_json(report, age)
        return self.json(body, http_status(body["status"]))

    async def metrics(self, request: Request) -> Response:
        seen, _ = await self.observations.get()
        text = mask_secrets(exposition(seen).decode("utf-8"), self.secrets)
        return Response(text, 200, media_type=CONTENT_TYPE_LATEST)

    async def overview(self, request: Request) -> Response:
        seen, age = await self.observations.get()
        database = mask_secrets(self.config.database.key, self.secrets)
        body = overview_json(seen, database, route_links(request), age)
        return self.json({**body, "config": self.config_state().as_dict()})

    async def index(self, request: Request) -> Response:
        """The mount point itself (`/tools/monitor`, which the app it is mounted in redirects
        to `/tools/monitor/`): the routes, and which of them want the token. No data."""
        serve = self.config.serve
        public = {"health_quick"} if serve.public_health_quick else set()
        return self.json(
            index_json(route_links(request), token_required=bool(serve.token), public=public)
        )

    async def report(self, request: Request) -> Response:
        latest = Path(self.config.reports.dir) / "latest.html"
        if not latest.is_file():
            return self.json({"error": "no report yet", "hint": "run `dbguard check`"}, 404)
        return FileResponse(latest, media_type="text/html; charset=utf-8")


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8"), token.encode("utf-8")
    )


class Monitors:
    """The Monitor of the configuration in force: a new one, with fresh caches, once
    dbguard.toml has changed (with `reload`); always the same one without."""

    def __init__(self, config: Config, *, reload: bool) -> None:
        self.config = ReloadingConfig(config)
        self.reload = reload and self.config.follows_a_file
        self.monitor = Monitor(config, lambda: self.config.state)

    async def current(self) -> Monitor:
        if self.reload and self.config.changed():  # one stat per request
            config = await anyio.to_thread.run_sync(self.config.current)  # parsing: off the loop
            if config is not self.monitor.config:
                self.monitor = Monitor(config, lambda: self.config.state)
        return self.monitor


def _is_public(name: str, config: Config) -> bool:
    """The index shows no data; /health/quick is public with [serve] public_health_quick."""
    return name == "index" or (name == "health_quick" and config.serve.public_health_quick)


def create_app(config: Config, *, reload: bool = True) -> Starlette:
    """The routes of `config`. With `reload` (and a config read from a file), they follow the
    file: a changed dbguard.toml applies from the next request on. `reload=False` keeps
    `config` as given (e.g. one built with overrides)."""
    monitors = Monitors(config, reload=reload)
    if monitors.reload:
        log.info("monitor: configuration %s, read again when it changes", config.source)
    else:
        log.info("monitor: configuration %s, fixed until restart", config.source or "defaults")

    def endpoint(name: str) -> Handler:
        async def answer(request: Request) -> Response:
            monitor = await monitors.current()
            handler: Handler = getattr(monitor, name)  # each route's method bears its name
            public = _is_public(name, monitor.config)
            return await monitor.guarded(handler, public=public)(request)

        return answer

    paths = {**ROUTES, "index": INDEX}
    routes = [Route(path, endpoint(name), name=name) for name, path in paths.items()]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
