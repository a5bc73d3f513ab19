"""From dbguard.toml to backup's own RetentionPolicy: [backup.retention] with the --keep-… flags.

backup/ never reads the configuration; the commands hand it plain values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from backup.retention import RetentionPolicy
    from dbguard.config import Config


def retention_policy(config: Config, **overrides: Any) -> RetentionPolicy:
    """The retention policy from [backup.retention], with --keep-… flags (not None) applied."""
    from backup.retention import RetentionPolicy, parse_within

    retention = dataclasses.replace(
        config.backup.retention,
        **{key: value for key, value in overrides.items() if value is not None},
    )
    return RetentionPolicy(
        keep_last=retention.keep_last,
        keep_daily=retention.keep_daily,
        keep_weekly=retention.keep_weekly,
        keep_monthly=retention.keep_monthly,
        keep_within=parse_within(retention.keep_within),
        min_verified=retention.min_verified,
    )


def retention_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--keep-last/daily/weekly/monthly N and --keep-within D, each overriding its config key."""
    for name in ("monthly", "weekly", "daily", "last"):
        function = click.option(
            f"--keep-{name}",
            f"keep_{name}",
            type=click.IntRange(min=0),
            default=None,
            help=f"Override [backup.retention] keep_{name}.",
        )(function)
    return click.option(
        "--keep-within",
        "keep_within",
        default=None,
        help="Override [backup.retention] keep_within, e.g. 30d (counts back from the newest backup).",
    )(function)
