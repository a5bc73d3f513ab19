"""`dbguard check`."""

from __future__ import annotations

import click


@click.command(name="check")
def check() -> None:
    """Not built yet."""
    raise click.ClickException("'dbguard check' is not built yet")
