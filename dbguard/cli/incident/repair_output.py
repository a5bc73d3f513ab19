"""How `incident repair` prints its plan and what it did."""

from __future__ import annotations

import click

from dbguard.incident.repair import RepairOutcome
from dbguard.rules.repair import CONFLICT_REASONS


def print_outcome(outcome: RepairOutcome, overwrite: bool) -> None:
    click.echo(f"route: {outcome.route}")
    click.echo(f"from the last good point: {outcome.point}")
    click.echo(
        f"damage: since {outcome.bad}"
        if outcome.bad
        else "damage: every difference from the point to live (no first bad point recorded:"
        " rows changed since cannot be told apart; 'dbguard incident find' records one)"
    )
    if outcome.plan is not None:
        _rows(outcome, overwrite)
    if outcome.lost is not None:
        _point_in_time(outcome)
    if outcome.applied:
        if outcome.safety_copy:
            click.echo(f"safety copy of live before the repair: {outcome.safety_copy}")
        if outcome.undo:
            click.echo(f"every row written, and the rows it replaced: {outcome.undo}")
        if outcome.incident_id is not None:
            click.echo(f"recorded in incident {outcome.incident_id}")


def _rows(outcome: RepairOutcome, overwrite: bool) -> None:
    assert outcome.plan is not None
    done = "did" if outcome.applied else "will"
    for table in outcome.plan.tables:
        counts = outcome.written.get(table.shape.name) or table.result(overwrite)
        recreate = " (dropped: created again from the point's schema)" if table.recreate else ""
        if not any(counts.values()) and not table.recreate:
            continue
        click.echo(
            f"{table.shape.name}{recreate}: {done} put back {counts['reinserted']} rows,"
            f" revert {counts['reverted']}, skip {counts['skipped']} conflicts;"
            f" leaves alone {table.inserted_since} rows written since the point"
        )
        for case, key in table.conflicts:
            click.echo(
                f"  conflict {table.shape.name} {', '.join(table.shape.key)}={key}: {CONFLICT_REASONS[case]}"
            )
    if outcome.plan.left_alone:
        click.echo(
            "left alone, the damage is not in them (no change in the damage's transactions,"
            f" no critical rule failing): {', '.join(outcome.plan.left_alone)}"
        )
    for name, drift in outcome.plan.drift.items():
        click.echo(
            f"{name}: schema drift ({drift.as_json()}): not touched; the point-in-time route restores it"
        )


def _point_in_time(outcome: RepairOutcome) -> None:
    assert outcome.lost is not None
    lost = outcome.lost.loss
    inserted = sum(c["inserted"] for c in lost.values())
    changed = sum(c["changed"] for c in lost.values())
    verb = "lost" if outcome.applied else "will be lost"
    click.echo(
        f"later writes {verb}: {inserted} rows inserted and {changed} rows changed since the point"
    )
    for name, counts in lost.items():
        if any(counts.values()):
            click.echo(
                f"  {name}: {counts['deleted']} come back, {counts['inserted']} inserted since go, {counts['changed']} changed rows go back"
            )
