"""`dbguard demo`: build the demo database, back it up, check it, print the report's path."""

from __future__ import annotations

from pathlib import Path

import click

from dbguard.cli.options import command_config


@click.command(name="demo")
@click.option(
    "--dir",
    "demo_dir",
    type=click.Path(file_okay=False),
    default="demo",
    show_default=True,
    help="Folder for the demo database and its backups (git-ignored in the repository).",
)
@click.pass_context
def demo(context: click.Context, demo_dir: str) -> int:
    """Build the demo database (the plan's five tables), back it up, check it, write the report.

    Runs the main job end to end: a verified backup, the quality suite on the
    live database and on the backup, the HTML report. Run it twice to see the
    trend charts fill.
    """
    from dbguard.demo.run import run_demo

    config = command_config(context)
    result = run_demo(
        config, Path(demo_dir), progress=lambda step: click.echo(f"dbguard demo: {step}", err=True)
    )
    click.echo(f"demo database: {result.database}")
    click.echo(f"backup:        {result.backup}")
    click.echo(f"report:        {result.report}")
    return int(result.exit_code)
