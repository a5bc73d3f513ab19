"""`dbguard alert test`: a test message to every configured alert URL, one line per URL.

Exit 0 when every URL took it, 1 when any failed, 2 when none is configured (a malformed
URL is already exit 2 when the configuration loads).
"""

from __future__ import annotations

import click

from dbguard.cli.options import command_config
from dbguard.errors import ConfigError, ExitCode


@click.group(name="alert")
def alert() -> None:
    """Alerts sent through apprise ([alerts] urls, $DBGUARD_ALERT_URLS)."""


@alert.command(name="test")
@click.pass_context
def test(context: click.Context) -> int:
    """Send a test message to every configured URL; print one result line per URL."""
    from dbguard.alerts.notify import send_trial

    config = command_config(context)
    if not config.alerts.urls:
        raise ConfigError(
            "no alert URLs are configured",
            "set [alerts] urls in dbguard.toml or $DBGUARD_ALERT_URLS, e.g. json://host:port/path",
        )
    deliveries = send_trial(config)
    for number, delivery in enumerate(deliveries, start=1):
        result = "sent" if delivery.ok else f"FAILED: {delivery.error}"
        click.echo(f"{number}. {delivery.destination}: {result} ({delivery.seconds:.1f} s)")
    return int(ExitCode.OK if all(d.ok for d in deliveries) else ExitCode.FAILED)
