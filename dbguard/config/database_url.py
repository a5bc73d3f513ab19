"""A PostgreSQL database given as a URL: `postgresql+psycopg://user@host:port/dbname`.

The password never sits in dbguard.toml: it comes from PGPASSWORD, ~/.pgpass, or
a `${ENV_NAME}` reference in the URL, expanded here when the configuration is
read. Every URL dbguard writes anywhere goes through `dbguard.redact` first.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from dbguard.errors import ConfigError

SCHEME = "postgresql+psycopg"
ACCEPTED_SCHEMES = ("postgresql+psycopg", "postgresql")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
EXAMPLE = "postgresql+psycopg://user@host:5432/dbname"


def is_url(value: str) -> bool:
    return "://" in value


def expand_references(text: str, where: str) -> str:
    """`${NAME}` replaced by the environment variable NAME (which must be set)."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(
                f"{where} refers to ${{{name}}}, which is not set in the environment",
                f"export {name}=… before running dbguard",
            )
        return os.environ[name]

    return _REFERENCE.sub(value_of, text)


def database_url(raw: str, where: str, *, password_allowed: bool) -> str:
    """The URL to connect with, checked and normalised to the psycopg 3 driver.

    `password_allowed` is False for the configuration file: a literal password there is
    refused (a `${ENV}` reference is fine, it is expanded from the environment).
    """
    scheme, _, rest = raw.partition("://")
    if scheme.lower() == "postgres":
        raise ConfigError(
            f"{where}: the scheme postgres:// has no SQLAlchemy dialect",
            f"write postgresql+psycopg://… (e.g. {EXAMPLE})",
        )
    if scheme.lower() not in ACCEPTED_SCHEMES:
        raise ConfigError(
            f"{where}: {scheme}:// is not a database dbguard can check",
            f"give a SQLite file path or a PostgreSQL URL such as {EXAMPLE}",
        )
    if not password_allowed and _literal_password(raw):
        raise ConfigError(
            f"{where} holds a password",
            "take it out of the file: use PGPASSWORD, ~/.pgpass, or ${ENV_NAME} in the URL",
        )
    url = f"{SCHEME}://{expand_references(rest, where)}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        raise ConfigError(
            f"{where} is not a valid URL: {error}", f"write it as {EXAMPLE}"
        ) from None
    if not parts.path.strip("/"):
        raise ConfigError(f"{where} names no database", f"write it as {EXAMPLE}")
    return url


def _literal_password(raw: str) -> bool:
    userinfo = urlsplit(raw).netloc.rpartition("@")[0]
    password = userinfo.partition(":")[2]
    return bool(password) and not _REFERENCE.fullmatch(password)


def libpq_conninfo(url: str) -> str:
    """The same URL for libpq/psycopg (`postgresql://…`, without SQLAlchemy's driver part)."""
    return "postgresql://" + url.partition("://")[2]
