"""`dbguard incident repair`: put the lost rows back (rows route) or restore the point
(point-in-time), plan first; with --yes apply it, then run the checks on live and print them.
Thin: the work is dbguard.incident.repair."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from dbguard.cli.incident.point_option import from_option
from dbguard.cli.options import command_config, db_option, timeout_option
from dbguard.errors import ExitCode

if TYPE_CHECKING:
    from dbguard.report.findings_json import FindingsCollector


@click.command(name="repair")
@db_option
@from_option
@click.option(
    "--route",
    type=click.Choice(["rows", "point-in-time"]),
    default=None,
    help="rows: put the lost rows back, keep every later write (default); point-in-time:"
    " restore the point, losing later writes.",
)
@click.option("--yes", "assume_yes", is_flag=True, help="Apply the plan (without: print it).")
@click.option(
    "--overwrite", is_flag=True, help="Also write the conflicting rows (listed in the plan)."
)
@click.option("--again", is_flag=True, help="Repair an incident that was repaired already.")
@timeout_option
@click.pass_context
def repair(
    context: click.Context,
    db: str | None,
    point: str | None,
    route: str | None,
    assume_yes: bool,
    overwrite: bool,
    again: bool,
    timeout: float,
) -> int:
    """Undo the damage since POINT: plan, then --yes to apply and check the result."""
    from dbguard.cli.incident.repair_output import print_outcome
    from dbguard.incident.repair import RepairRequest
    from dbguard.incident.repair import repair as run_repair

    config = command_config(context, database__path=db)
    request = RepairRequest(point, route, assume_yes, overwrite, again, timeout)
    outcome = run_repair(config, request)
    print_outcome(outcome, overwrite)
    if not assume_yes:
        click.echo("nothing changed: pass --yes to apply this plan")
        return int(ExitCode.OK)
    from dbguard.check_run import run_checks
    from dbguard.report.findings_json import FindingsCollector

    click.echo("checking live after the repair:")
    collector = FindingsCollector()
    checked = run_checks(
        config, configured_database=command_config(context).database, plugins=[collector]
    )
    verdict = "OK" if checked.exit_code == 0 else "still failing"
    click.echo(f"check after the repair: {verdict} (exit {int(checked.exit_code)})")
    if checked.exit_code != 0 and _only_backups_fail(collector):
        click.echo(
            "live passes; the critical findings are on the newest backup, taken after the"
            " damage: take a fresh backup now (dbguard backup create), then run dbguard check"
            " (OK closes the incident)"
        )
    if checked.reports is not None:
        click.echo(f"report: {checked.reports.html}")
    return int(checked.exit_code)


def _only_backups_fail(collector: FindingsCollector) -> bool:
    """Every critical finding is about a backup (its data, its restore drill), none on live."""
    targets = {
        finding.get("target", "")
        for result in collector.results
        for finding in result.findings
        if finding.get("severity") == "critical"
    }
    return bool(targets) and targets <= {"backup", "restore-drill"}
