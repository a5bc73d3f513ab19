"""Opening a PostgreSQL database read-only, and telling a login problem (the user's to fix:
exit 2) from a server that does not answer (a connection failure, counted 1 / 3 in a row)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from dbguard.config import DatabaseConfig
from dbguard.config.database_url import libpq_conninfo
from dbguard.errors import DatabaseError
from dbguard.redact import mask_secrets

if TYPE_CHECKING:
    import psycopg

# libpq's words for "this will not work until the configuration changes".
_LOGIN_PROBLEMS = (
    "password authentication failed",
    "no password supplied",
    "does not exist",  # the database or the role
    "authentication failed",
    "permission denied",
    "invalid connection option",
    "invalid URI",
    "invalid integer value",
)


class PostgresLoginError(DatabaseError):
    """The server answered but refused this user, password or database name."""


class PostgresUnreachable(DatabaseError):
    """The server did not answer (down, restarting, wrong host or port)."""


def session_options(schema: str) -> str:
    """Server options of every dbguard session: read-only, and the configured schema first."""
    return f"-c default_transaction_read_only=on -c search_path={schema}"


def sqlalchemy_url(database: DatabaseConfig) -> str:
    """The URL Great Expectations (SQLAlchemy) opens: the same read-only session options as
    `connect`, merged with the URL's own query (`host=`, `port=`, its own `options`).

    GX's URL check needs a host: a socket-only URL (`postgresql+psycopg:///db?host=/run/x`)
    gets `localhost`, which the query's `host=` overrides for libpq.
    """
    parts = urlsplit(database.url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = [value for key, value in query if key == "options"]
    query = [(key, value) for key, value in query if key != "options"]
    query.append(("options", " ".join([*options, session_options(database.schema)])))
    userinfo, at, host = parts.netloc.rpartition("@")
    if not host or host.startswith(":"):
        host = "localhost" + host
    netloc = f"{userinfo}{at}{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, quote_via=quote), ""))


def connect(database: DatabaseConfig, *, timeout: float | None = None) -> psycopg.Connection:
    """A read-only, autocommit connection (no transaction is left open between queries)."""
    import psycopg

    seconds = max(1, round(timeout if timeout is not None else database.connect_timeout_seconds))
    try:
        return psycopg.connect(
            libpq_conninfo(database.url),
            autocommit=True,
            connect_timeout=seconds,
            options=session_options(database.schema),
            application_name="dbguard",
        )
    except psycopg.Error as error:
        raise classify(error, database) from None


def classify(error: Exception, database: DatabaseConfig) -> DatabaseError:
    """The DatabaseError for a failed connection attempt (secrets masked)."""
    message = mask_secrets(" ".join(str(error).split()))
    where = database.key
    if any(problem in message for problem in _LOGIN_PROBLEMS):
        return PostgresLoginError(
            f"cannot log in to {where}: {message}",
            "check the user and database in [database] url, and the password in PGPASSWORD, "
            "~/.pgpass or the ${ENV_NAME} the URL names",
        )
    return PostgresUnreachable(
        f"cannot reach {where}: {message}",
        "check that the server is running and the host and port in [database] url",
    )
