"""`dbguard baseline`."""

from __future__ import annotations

import click


@click.command(name="baseline")
def baseline() -> None:
    """Not built yet."""
    raise click.ClickException("'dbguard baseline' is not built yet")
