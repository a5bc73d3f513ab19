"""Sending through apprise, all destinations at once, within one time budget for the whole send.

Each destination gets a daemon thread. The caller waits at most `budget` seconds for all
of them together; a notifier still connecting or reading then is abandoned (its thread
ends when apprise's own socket timeouts fire, and never holds up the process's exit) and
reported as not answering. apprise's service-level timeout is turned off here because it
runs the send in apprise's shared pool, whose threads the interpreter waits for at exit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbguard.alerts.message import Message
from dbguard.config.alerts import mask_alert_url
from dbguard.redact import mask_secrets

if TYPE_CHECKING:
    from apprise import AppriseAsset, AppriseResult

APP_ID = "dbguard"


@dataclass(frozen=True)
class Delivery:
    destination: str  # masked URL
    ok: bool
    error: str = ""
    seconds: float = 0.0


def deliver(
    outgoing: Sequence[tuple[str, Message]], budget: float, secrets: Sequence[str] = ()
) -> list[Delivery]:
    """Send each (url, message); return one Delivery per item, in order, within `budget` s."""
    if not outgoing:
        return []
    import apprise

    asset = apprise.AppriseAsset(app_id=APP_ID, app_desc="dbguard alerts", service_timeout=0)
    results: list[Delivery | None] = [None] * len(outgoing)
    started = time.monotonic()
    threads = []
    for index, (url, message) in enumerate(outgoing):
        thread = threading.Thread(
            target=_send,
            args=(asset, url, message, results, index, secrets),
            name=f"dbguard-alert-{index}",
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    deadline = started + budget
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    waited = time.monotonic() - started
    return [
        result
        if result is not None
        else Delivery(
            mask_alert_url(url), False, f"no answer within {budget:g} s (abandoned)", waited
        )
        for result, (url, _) in zip(results, outgoing, strict=True)
    ]


def _send(
    asset: AppriseAsset,
    url: str,
    message: Message,
    results: list[Delivery | None],
    index: int,
    secrets: Sequence[str],
) -> None:
    import apprise

    started = time.monotonic()
    destination = mask_alert_url(url)
    try:
        sender = apprise.Apprise(asset=asset)
        if not sender.add(url):
            results[index] = Delivery(destination, False, "apprise cannot use this URL")
            return
        outcome = sender.notify(
            body=message.body, title=message.title, notify_type=message.notify_type
        )
        error = "" if outcome else _reason(outcome)
    except Exception as problem:  # a notifier's bug must not cost the run
        error = f"{type(problem).__name__}: {problem}"
    results[index] = Delivery(
        destination,
        not error,
        mask_secrets(error, [*secrets, url]),
        time.monotonic() - started,
    )


def _reason(outcome: AppriseResult) -> str:
    """apprise's own words for a failed notify (its warnings and errors), or its status."""
    messages = [
        entry.message for entry in outcome.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")
    ]
    unique = list(dict.fromkeys(message.rstrip(".") for message in messages))
    return "; ".join(unique) or f"apprise: {outcome.status.name.lower()}"
