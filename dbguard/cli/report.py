"""`dbguard report`."""

from __future__ import annotations

import click


@click.command(name="report")
def report() -> None:
    """Not built yet."""
    raise click.ClickException("'dbguard report' is not built yet")
