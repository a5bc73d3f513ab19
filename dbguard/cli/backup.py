"""`dbguard backup`."""

from __future__ import annotations

import click


@click.group(name="backup")
def backup() -> None:
    """Not built yet."""
    raise click.ClickException("'dbguard backup' is not built yet")
