"""[alerts]: where dbguard sends its alerts (apprise URLs), when it repeats them and how long a
run may spend sending them.

URLs come from the file and from $DBGUARD_ALERT_URLS (comma or space separated, added to
the file's). Each is checked with apprise when the configuration loads, so a malformed URL
is one line at once, not a silent miss at 3 a.m. The old `[reports] webhook_url` is still
read, as one more URL, with a one-line deprecation warning.

apprise is imported only when URLs are configured: `dbguard health --quick` stays light.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dbguard.durations import parse_duration
from dbguard.errors import ConfigError
from dbguard.redact import MASK

log = logging.getLogger(__name__)

ALERT_URLS_ENV = "DBGUARD_ALERT_URLS"
MIN_SEVERITIES = ("warning", "critical")
# Services whose URL host is a real host; for the others (dingtalk://TOKEN, slack://T/B/C, …)
# the host and path are the credentials.
HOST_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls", "mailto", "mailtos"})
APPRISE_HINT = "write it as apprise documents it, e.g. json://host:port/path or dingtalk://token"


@dataclass(frozen=True)
class AlertsConfig:
    # apprise URLs: slack://…, dingtalk://token, wecombot://key, feishu://…, mailtos://…,
    # json://host:port/path. $DBGUARD_ALERT_URLS adds to these.
    urls: tuple[str, ...] = ()
    # An unchanged open problem is sent again after this long ("6h", "90m", "1d").
    repeat_after: str = "6h"
    # "warning": OK→WARNING is sent too; "critical": only criticals page (and their recovery).
    min_severity: str = "warning"
    # The most one run spends sending, all URLs together; a slower notifier is abandoned.
    timeout_seconds: float = 5.0

    @property
    def repeat_after_delta(self) -> timedelta:
        return parse_duration(self.repeat_after)


def split_urls(text: str) -> tuple[str, ...]:
    """URLs from one environment value, separated by commas or white space."""
    return tuple(part for part in re.split(r"[,\s]+", text) if part)


def migrate_webhook_url(data: dict[str, Any], where: str) -> dict[str, Any]:
    """Move a deprecated `[reports] webhook_url` into `[alerts] urls` (a copy of `data`).

    A plain http(s) webhook becomes apprise's JSON POST (json:// or jsons://) unless apprise
    recognises the URL itself (Slack, Discord and other services' own webhook addresses).
    """
    reports = data.get("reports")
    if not isinstance(reports, dict) or "webhook_url" not in reports:
        return data
    data = {**data, "reports": {k: v for k, v in reports.items() if k != "webhook_url"}}
    webhook = reports["webhook_url"]
    if not isinstance(webhook, str):
        raise ConfigError(
            f"webhook_url in {where} [reports] must be a string", "move it to [alerts] urls"
        )
    if not webhook.strip():
        return data
    url = apprise_form(webhook.strip())
    alerts = dict(data.get("alerts") or {})
    existing = alerts.get("urls", [])
    alerts["urls"] = [*existing, url] if isinstance(existing, list) else existing
    data["alerts"] = alerts
    log.warning(
        "dbguard: warning: [reports] webhook_url in %s is deprecated; it is used as the alert"
        " URL %s (move it to [alerts] urls)",
        where,
        mask_alert_url(url),
    )
    return data


def apprise_form(webhook: str) -> str:
    """An http(s) webhook as an apprise URL: as is if apprise knows it, else json(s)://."""
    if apprise_problem(webhook) is None:
        return webhook
    scheme, _, rest = webhook.partition("://")
    if scheme.lower() in ("http", "https") and rest:
        return f"{'jsons' if scheme.lower() == 'https' else 'json'}://{rest}"
    return webhook


def with_environment(alerts: AlertsConfig, environ: Mapping[str, str]) -> AlertsConfig:
    extra = split_urls(environ.get(ALERT_URLS_ENV, ""))
    if not extra:
        return alerts
    for url in extra:
        _require_apprise_url(url, f"${ALERT_URLS_ENV}")
    urls = alerts.urls + tuple(url for url in extra if url not in alerts.urls)
    return AlertsConfig(urls, alerts.repeat_after, alerts.min_severity, alerts.timeout_seconds)


def check_alerts(alerts: AlertsConfig, where: str) -> None:
    """Every [alerts] value makes sense, and apprise can use every URL."""
    try:
        alerts.repeat_after_delta  # noqa: B018 (parsing it is the check)
    except ValueError:
        raise ConfigError(
            f"repeat_after = {alerts.repeat_after!r} in {where} [alerts] is not a duration",
            'write it like "6h", "90m" or "1d"',
        ) from None
    if alerts.min_severity not in MIN_SEVERITIES:
        raise ConfigError(
            f"min_severity = {alerts.min_severity!r} in {where} [alerts] is not one of"
            f" {', '.join(MIN_SEVERITIES)}",
            'write min_severity = "warning" (or "critical" to page on criticals only)',
        )
    if not 0 < alerts.timeout_seconds <= 60:
        raise ConfigError(
            f"timeout_seconds = {alerts.timeout_seconds:g} in {where} [alerts] must be"
            " above 0 and at most 60",
            "a few seconds is enough: a notifier slower than that is abandoned and retried",
        )
    for url in alerts.urls:
        _require_apprise_url(url, f"{where} [alerts] urls")


def _require_apprise_url(url: str, where: str) -> None:
    problem = apprise_problem(url)
    if problem is not None:
        raise ConfigError(f"alert URL {mask_alert_url(url)} in {where} {problem}", APPRISE_HINT)


def apprise_problem(url: str) -> str | None:
    """None if apprise can send to `url`, else what is wrong with it."""
    if "://" not in url:
        return "is not a URL"
    import apprise

    if apprise.Apprise.instantiate(url) is None:
        return "is not a URL apprise can send to"
    return None


def mask_alert_url(url: str) -> str:
    """An apprise URL fit to show: scheme and host for services with a real host (json://,
    mailtos://…), the scheme alone for those whose host and path are the token."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return MASK
    scheme = parts.scheme.lower()
    if not scheme:
        return MASK
    if scheme not in HOST_SCHEMES or not parts.hostname:
        return f"{scheme}://{MASK}"
    user = f"{parts.username}:{MASK}@" if parts.password else ""
    host = parts.hostname + (f":{port}" if port else "")
    path = f"/{MASK}" if parts.path not in ("", "/") else parts.path
    return f"{scheme}://{user}{host}{path}" + (f"?{MASK}" if parts.query else "")


def alert_secrets(urls: tuple[str, ...]) -> list[str]:
    """What of each URL must never be written anywhere (for mask_secrets): the URL itself (and
    without its scheme), its password and query values; for services whose host and path
    are the token, those too. A json:// path alone (e.g. "/alerts") is not masked on its
    own: it would mask the same word in every file path of a report."""
    secrets: list[str] = []
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            secrets.append(url)
            continue
        pieces = [url, parts.password or "", *(value for _, value in parse_qsl(parts.query))]
        if parts.path not in ("", "/") or parts.query or parts.password:
            pieces.append(url.split("://", 1)[-1])
        if parts.scheme.lower() not in HOST_SCHEMES:
            pieces += [parts.netloc, parts.path, parts.username or "", parts.hostname or ""]
        # Longest first: a piece that holds another is masked whole.
        secrets += sorted({piece for piece in pieces if len(piece) >= 4}, key=len, reverse=True)
    return secrets
