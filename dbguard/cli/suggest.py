"""`dbguard suggest`: propose expectations from the live data; `--write` adds them as warnings."""

from __future__ import annotations

import json

import click

from dbguard.cli.options import command_config, db_option, tables_option


@click.command(name="suggest")
@db_option
@tables_option
@click.option(
    "--write", is_flag=True, help='Add the proposals to the suites as severity "warning".'
)
@click.option("--json", "as_json", is_flag=True, help="Print the proposals as JSON.")
@click.pass_context
def suggest(
    context: click.Context, db: str | None, tables: tuple[str, ...], write: bool, as_json: bool
) -> int:
    """Profile the live database (read-only) and propose expectations for its suites.

    Without --write it only shows them. Entries already in a suite are never changed, and
    a run after --write proposes nothing new.
    """
    from dbguard.quality.suggest.apply import suggest as run_suggest
    from dbguard.quality.suggest.render import as_json as to_json
    from dbguard.quality.suggest.render import diff_lines

    config = command_config(context, database__path=db)
    results = run_suggest(config, list(tables) or None, write=write)
    if as_json:
        click.echo(json.dumps(to_json(results), indent=2, ensure_ascii=False, default=str))
    else:
        for line in diff_lines(results, written=write):
            click.echo(line)
    return 0
