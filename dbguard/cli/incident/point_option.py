"""`--from POINT`, shared by `incident diff` and `incident repair`."""

from __future__ import annotations

import click

from_option = click.option(
    "--from",
    "point",
    default=None,
    metavar="POINT",
    help="The recovery point: a backup file or its name in the backup folder.",
)
