"""`dbguard baseline`: re-capture row-count baselines from the live database into the suites."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config, db_option, tables_option


@click.command(name="baseline")
@db_option
@tables_option
@click.option(
    "--accept",
    is_flag=True,
    help="Capture even though the last check run had critical findings.",
)
@click.pass_context
def baseline(context: click.Context, db: str | None, tables: tuple[str, ...], accept: bool) -> int:
    """Write the live row counts into the suites' warning/critical row-count bands.

    Only the row-count expectations dbguard manages are rewritten; every other
    expectation stays byte-for-byte. A table without a suite gets one.
    """
    from dbguard.quality.baseline import capture_baselines

    config = command_config(context, database__path=db)
    changes = capture_baselines(config, list(tables) or None, accept=accept)
    click.echo(f"{'table':<24} {'old':>10} {'new':>10} {'change':>9}")
    for change in changes:
        old = "-" if change.old is None else str(change.old)
        percent = change.change_percent
        if change.created:
            shown = "new suite"
        elif not change.written:
            shown = "unchanged"
        else:
            shown = "-" if percent is None else f"{percent:+.1f}%"
        click.echo(f"{change.table:<24} {old:>10} {change.new:>10} {shown:>9}")
    written = sum(change.written for change in changes)
    click.echo(
        f"{written} suite(s) written, {len(changes) - written} unchanged,"
        f" in {config.checks.expectations_dir}"
    )
    return 0
