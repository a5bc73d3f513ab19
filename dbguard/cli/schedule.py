"""`dbguard schedule`."""

from __future__ import annotations

import click


@click.command(name="schedule")
def schedule() -> None:
    """Not built yet."""
    raise click.ClickException("'dbguard schedule' is not built yet")
