"""Mask secrets before any text is written to a report, a log or the run history.

pytest-html's `environment_table_redact_list` covers only its environment
table; everything dbguard writes itself (summary, findings, history, weekly
report) goes through `mask_secrets`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

MASK = "****"

# scheme://user:password@host -> scheme://user:****@host; up to the last @ before the host,
# as urllib reads it (a password may hold an unencoded @)
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]*:)(?P<secret>[^\s/]+)(?=@)"
)
# ?token=…, &api_key=…, ;sig=… in any URL or query string
_SECRET_WORDS = (
    r"(?:token|key|secret|password|passwd|pwd|pass|sig|signature|auth|credential|session)"
)
_QUERY_SECRET = re.compile(
    rf"(?P<head>[?&;][^=&\s#]*{_SECRET_WORDS}[^=&\s#]*=)(?P<secret>[^&\s#\"'<>]+)",
    re.IGNORECASE,
)
# password=…, TOKEN: … in free text (environment variables, log lines)
_ASSIGNED_SECRET = re.compile(
    r"(?P<head>\b(?:\w+[_\-])?(?:token|secret|password|passwd|pwd|credentials?"
    r"|(?:api|access|secret|private)[_\-]?key)\s*[=:]\s*)(?P<secret>[^\s&,;\"'<>]+)",
    re.IGNORECASE,
)
# Webhooks that carry their token in the path (Slack, Discord, Teams, generic /hooks/).
_PATH_TOKEN_WEBHOOK = re.compile(
    r"(?P<head>https?://(?:hooks\.slack\.com/services|[^/\s]*discord(?:app)?\.com/api/webhooks"
    r"|[^/\s]*\.webhook\.office\.com|[^/\s]+/(?:hooks?|webhooks?))/)(?P<secret>[^\s?#\"'<>]+)",
    re.IGNORECASE,
)


def _mask(match: re.Match[str]) -> str:
    return match.group("head") + MASK


def mask_url(url: str) -> str:
    """Keep a URL's scheme and host, hide its credentials, path and query (e.g. a webhook)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if not parts.scheme or not parts.hostname:
        return MASK
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    path = "/" + MASK if parts.path not in ("", "/") else parts.path
    return urlunsplit((parts.scheme, host, path, MASK if parts.query else "", ""))


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with passwords in URLs, secret query parameters, `password=…` pairs,
    webhook path tokens and each of the given literal `secrets` replaced by ****."""
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, mask_url(secret) if "://" in secret else MASK)
    text = _URL_PASSWORD.sub(_mask, text)
    text = _QUERY_SECRET.sub(_mask, text)
    text = _PATH_TOKEN_WEBHOOK.sub(_mask, text)
    return _ASSIGNED_SECRET.sub(_mask, text)
