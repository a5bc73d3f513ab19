"""`dbguard health`."""

from __future__ import annotations

import click


@click.command(name="health")
def health() -> None:
    """Not built yet."""
    raise click.ClickException("'dbguard health' is not built yet")
