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
@click.option(
    "--postgres",
    "postgres_url",
    default=None,
    metavar="URL",
    help="Load the demo into this empty PostgreSQL database (postgresql+psycopg://…) and check "
    "it there instead of building a SQLite file.",
)
@click.option(
    "--spark",
    "use_spark",
    is_flag=True,
    help="Write the demo's tables as Parquet into DIR/parquet and check them on a local Spark "
    "session (needs the extra: pip install 'dbguard[spark]', and Java 17).",
)
@click.pass_context
def demo(context: click.Context, demo_dir: str, postgres_url: str | None, use_spark: bool) -> int:
    """Build the demo database (the plan's five tables), back it up, check it, write the report.

    Runs the main job end to end: a verified backup, the quality suite on the
    live database and on the backup, the HTML report. Run it twice to see the
    trend charts fill. With --postgres URL the same tables and rows go into an
    empty PostgreSQL database and the same suites check them there; with --spark they are
    written as Parquet and checked on Spark.
    """
    from dbguard.demo.run import run_demo, run_postgres_demo, run_spark_demo

    config = command_config(context)

    def progress(step: str) -> None:
        click.echo(f"dbguard demo: {step}", err=True)

    if postgres_url and use_spark:
        raise click.UsageError("--postgres and --spark are two different demos: pick one")
    if postgres_url:
        result = run_postgres_demo(config, postgres_url, progress=progress)
    elif use_spark:
        result = run_spark_demo(config, Path(demo_dir), progress=progress)
    else:
        result = run_demo(config, Path(demo_dir), progress=progress)
    click.echo(f"demo database: {result.database}")
    if result.backup is not None:
        click.echo(f"backup:        {result.backup}")
    click.echo(f"report:        {result.report}")
    return int(result.exit_code)
