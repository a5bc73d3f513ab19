"""`--from POINT`, shared by `incident diff` and `incident repair`."""

from __future__ import annotations

import click

from_option = click.option(
    "--from",
    "point",
    default=None,
    metavar="POINT",
    help="The recovery point: a backup (path or name), a replica TXID (0x1a2) or an ISO time.",
)
