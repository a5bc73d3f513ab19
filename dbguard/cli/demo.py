"""`dbguard demo`: build the demo database, back it up, check it, print the report's path."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config


@click.command(name="demo")
@click.pass_context
def demo(context: click.Context) -> None:
    """Build the demo database (the plan's five tables) and run the main job on it."""
    from dbguard.demo.database import build_demo_database

    config = command_config(context)
    path = build_demo_database(config.database.path)
    click.echo(f"demo database: {path}")
