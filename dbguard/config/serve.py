"""[serve]: the monitor endpoints (`dbguard serve`, `dbguard.web.create_app`).

Bound to 127.0.0.1 unless told otherwise. A token (here or $DBGUARD_SERVE_TOKEN) makes every
route ask for `Authorization: Bearer <token>`; a token set to an empty string is a mistake
(it would look protected and not be), so it is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dbguard.errors import ConfigError

SERVE_TOKEN_ENV = "DBGUARD_SERVE_TOKEN"
EMPTY_TOKEN_HINT = "remove it to serve without a token, or set a long random one"


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    # Bearer token every route asks for; "" (the default) asks for none.
    token: str = ""
    # /health/quick answers without the token, for uptime checkers that cannot send one.
    public_health_quick: bool = False
    # How long a result (health, database, metrics, overview) is reused before it is computed
    # again: a flood of requests cannot hammer the database.
    cache_seconds: float = 5.0
    # A request that takes longer gets 503 with status "unknown".
    request_timeout_seconds: float = 10.0


def refuse_empty_token(data: Mapping[str, Any], where: str) -> None:
    """`token = ""` in the file: refused before the dataclass hides it behind the default."""
    serve = data.get("serve")
    if (
        isinstance(serve, dict)
        and isinstance(serve.get("token"), str)
        and not serve["token"].strip()
    ):
        raise ConfigError(f"token in {where} [serve] is empty", EMPTY_TOKEN_HINT)


def with_environment(serve: ServeConfig, environ: Mapping[str, str]) -> ServeConfig:
    if SERVE_TOKEN_ENV not in environ:
        return serve
    token = environ[SERVE_TOKEN_ENV]
    if not token.strip():
        raise ConfigError(f"${SERVE_TOKEN_ENV} is set but empty", f"unset it or {EMPTY_TOKEN_HINT}")
    return dataclasses.replace(serve, token=token.strip())


def check_serve(serve: ServeConfig, where: str) -> None:
    if not 1 <= serve.port <= 65535:
        raise ConfigError(
            f"port = {serve.port} in {where} [serve] is not a TCP port", "write port = 8765"
        )
    if not serve.host.strip():
        raise ConfigError(f"host in {where} [serve] is empty", 'write host = "127.0.0.1"')
    if serve.request_timeout_seconds <= 0:
        raise ConfigError(
            f"request_timeout_seconds in {where} [serve] must be above 0",
            "write request_timeout_seconds = 10",
        )
