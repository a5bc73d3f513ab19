"""`dbguard lint`."""

from __future__ import annotations

import click


@click.command(name="lint")
def lint() -> None:
    """Not built yet."""
    raise click.ClickException("'dbguard lint' is not built yet")
