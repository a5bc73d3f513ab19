"""`dbguard incident find [--since POINT] [--json]`: the last good recovery point and the first
bad one (dbguard.incident.find), recorded in the database's incident (open, else newest).

Exit 0 when live passes (nothing to find) or the change was found; 1 when no good point
exists as far back as the points reach; 2 for bad input (no replica and no backups, a
--since that does not exist, PostgreSQL).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from dbguard.cli.options import command_config, db_option
from dbguard.errors import DbguardError, ExitCode

if TYPE_CHECKING:
    from dbguard.config import Config
    from dbguard.incident.find import FindResult


@click.command(name="find")
@db_option
@click.option(
    "--since",
    default=None,
    help="Search from this point on: a backup, a TXID (0x1a2) or an ISO 8601 time.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def find(context: click.Context, db: str | None, since: str | None, as_json: bool) -> int:
    """When the damage began: bisect the recovery points for the last good one."""
    from dbguard.incident.find import FOUND, NO_GOOD, NOTHING, find_damage

    config = command_config(context, database__path=db)
    result = find_damage(config, since)
    if result.status == FOUND:
        _record(config, result)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(result)
    if result.status in (NOTHING, FOUND):
        return int(ExitCode.OK)
    assert result.status == NO_GOOD
    return int(ExitCode.FAILED)


def _print(result: FindResult) -> None:
    from dbguard.incident.find import NO_GOOD, NOTHING

    points = result.searched
    reach = f"{points[0].describe()} to {points[-1].describe()}" if points else "no point"
    if result.status == NOTHING:
        click.echo("nothing to find: the live database passes its critical rules")
        return
    click.echo(f"live fails: {', '.join(result.live.critical_rules()) or 'critical rules'}")
    click.echo(f"searched {len(points)} recovery points ({reach}) with {result.probes} probes")
    for dropped in result.dropped:
        click.echo(f"skipped {dropped}")
    if result.status == NO_GOOD:
        click.echo(f"no good point: every point as far back as {reach.split(' to ')[0]} is bad")
        if result.caveat:
            click.echo(f"note: {result.caveat}")
        return
    assert result.last_good is not None
    click.echo(f"last good: {result.last_good.describe()}")
    bad = result.first_bad.describe() if result.first_bad else "the live database"
    click.echo(f"first bad: {bad}")
    click.echo(f"precision: {result.precision}")
    click.echo(f"flipped rules: {', '.join(result.flipped) or 'none named'}")
    click.echo(f"note: {result.caveat}")


def _record(config: Config, result: FindResult) -> None:
    """The assessment into the incident; a history that cannot take it costs a warning line."""
    from dbguard.history import open_history
    from dbguard.incident.records import record_assessment

    if not config.reports.history.is_file():
        return  # no history: no incident to record it in
    try:
        record_assessment(
            open_history(config.reports.history),
            config.database.key,
            last_good=result.last_good.to_json() if result.last_good else None,
            first_bad=result.first_bad_json(),
            flipped=result.flipped,
        )
    except DbguardError as error:
        click.echo(f"warning: the assessment is not recorded: {error.one_line()}", err=True)
