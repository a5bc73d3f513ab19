"""[watch]: what `dbguard serve` runs by itself (dbguard.watch): quick health every
`health_interval`, the check every `rules_interval` when the data changed (sooner when the
health sees row counts out of their bands), the full check
(with its HTML report) on `full_check`, each run killed after `run_timeout`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dbguard.durations import parse_duration
from dbguard.errors import ConfigError


@dataclass(frozen=True)
class WatchConfig:
    # `dbguard serve` watches as well as serves; false: endpoints only (cron does the runs).
    enabled: bool = True
    health_interval: str = "30s"
    rules_interval: str = "60s"
    # A cron expression (five fields, the machine's local time, as cron's) or an interval.
    full_check: str = "0 * * * *"
    run_timeout: str = "10m"

    @property
    def health_every(self) -> timedelta:
        return parse_duration(self.health_interval)

    @property
    def rules_every(self) -> timedelta:
        return parse_duration(self.rules_interval)

    @property
    def timeout(self) -> timedelta:
        return parse_duration(self.run_timeout)

    def next_full_check(self, after: datetime) -> datetime:
        """When the full check runs next after `after` (aware): the cron expression's next
        time (croniter: its time zones and DST rules), or `after` plus the interval."""
        if is_cron(self.full_check):
            from croniter import croniter

            found: datetime = croniter(self.full_check, after.astimezone()).get_next(datetime)
            return found
        return after + parse_duration(self.full_check)


def is_cron(text: str) -> bool:
    return len(text.split()) >= 5


def check_watch(watch: WatchConfig, where: str) -> None:
    for key in ("health_interval", "rules_interval", "run_timeout"):
        try:
            parse_duration(getattr(watch, key))
        except ValueError as error:
            raise ConfigError(
                f"{key} in {where} [watch]: {error}", f'write {key} = "60s"'
            ) from None
    if is_cron(watch.full_check):
        from croniter import croniter

        if not croniter.is_valid(watch.full_check):
            raise ConfigError(
                f"full_check = {watch.full_check!r} in {where} [watch] is not a cron expression",
                'write full_check = "0 * * * *" (hourly) or an interval such as "1h"',
            )
        return
    try:
        parse_duration(watch.full_check)
    except ValueError:
        raise ConfigError(
            f"full_check = {watch.full_check!r} in {where} [watch] is neither a cron expression"
            " nor an interval",
            'write full_check = "0 * * * *" (hourly) or an interval such as "1h"',
        ) from None
