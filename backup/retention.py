"""Which backups to keep: restic's `forget` rules plus dbguard's safety rules. Pure, no I/O.

restic semantics (restic/internal/restic/snapshot_policy.go):

- `keep_last N`: the N newest backups.
- `keep_daily N` / `keep_weekly N` / `keep_monthly N`: walking from newest to
  oldest, the newest backup of each of the N most recent days (ISO weeks,
  months) *that have backups*. Buckets are computed in UTC.
- `keep_within D`: every backup made within D (e.g. `30d`, `2w`, `6m`, `1y2m`,
  `12h`) **before the newest backup** — restic counts from the newest
  snapshot, borg from now. dbguard follows restic, so a folder whose backups
  stopped weeks ago is not emptied by the age rule.
- every rule 0/empty: keep everything (restic does the same).

Safety rules on top, because a prune must never make things worse:

- the rules are applied to verified backups only; a backup that does not
  verify (or has no manifest) is never counted as a kept copy, never deleted
  either, and is reported for a human to inspect;
- the newest verified backup is always kept, and so is each backup the caller protects
  (the newest one whose data is not CRITICAL: newer damaged backups never push it out);
- at least `min_verified` verified backups are kept (the newest ones the rules
  would drop are kept back).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from backup.naming import as_utc
from dbguard.errors import ConfigError


class Dated(Protocol):
    @property
    def created_at(self) -> datetime: ...
    @property
    def verified(self) -> bool | None: ...
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Dated)

_WITHIN_PART = re.compile(r"(\d+)([ymwdh])")


@dataclass(frozen=True)
class Within:
    """A restic-style duration: years, months, days, hours (weeks are 7 days)."""

    years: int = 0
    months: int = 0
    days: int = 0
    hours: int = 0

    @property
    def empty(self) -> bool:
        return not (self.years or self.months or self.days or self.hours)

    def before(self, moment: datetime) -> datetime:
        """`moment` minus this duration (month arithmetic clamps to the month's last day)."""
        total_months = moment.year * 12 + (moment.month - 1) - (self.years * 12 + self.months)
        year, month = divmod(total_months, 12)
        month += 1
        day = min(moment.day, _days_in_month(year, month))
        shifted = moment.replace(year=year, month=month, day=day)
        return shifted - timedelta(days=self.days, hours=self.hours)


def _days_in_month(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def parse_within(text: str) -> Within:
    """`30d`, `2w`, `6m`, `1y6m`, `12h`, or `0`/empty for off; a ConfigError otherwise."""
    cleaned = text.strip().lower()
    if cleaned in ("", "0"):
        return Within()
    position = 0
    amounts = {"y": 0, "m": 0, "w": 0, "d": 0, "h": 0}
    for match in _WITHIN_PART.finditer(cleaned):
        if match.start() != position:
            break
        amounts[match.group(2)] += int(match.group(1))
        position = match.end()
    if position != len(cleaned) or position == 0:
        raise ConfigError(
            f"keep-within value {text!r} is not a duration",
            "write it like 30d, 2w, 6m, 1y or 12h (y years, m months, w weeks, d days, h hours)",
        )
    return Within(amounts["y"], amounts["m"], amounts["w"] * 7 + amounts["d"], amounts["h"])


@dataclass(frozen=True)
class RetentionPolicy:
    keep_last: int = 0
    keep_daily: int = 0
    keep_weekly: int = 0
    keep_monthly: int = 0
    keep_within: Within = field(default_factory=Within)
    min_verified: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.keep_last
            or self.keep_daily
            or self.keep_weekly
            or self.keep_monthly
            or not self.keep_within.empty
        )


@dataclass(frozen=True)
class RetentionPlan(Generic[T]):
    keep: list[T]
    drop: list[T]
    # Not verified: neither counted nor deleted; a human should look at them.
    unverified: list[T]
    # name → why it is kept (tiers like "daily", "weekly"), dropped or left alone.
    reasons: dict[str, list[str]]

    def tier(self, name: str) -> str:
        return ", ".join(self.reasons.get(name, []))


def _day(moment: datetime) -> tuple[int, ...]:
    return (moment.year, moment.month, moment.day)


def _week(moment: datetime) -> tuple[int, ...]:
    iso = moment.isocalendar()
    return (iso.year, iso.week)


def _month(moment: datetime) -> tuple[int, ...]:
    return (moment.year, moment.month)


BUCKETS: tuple[tuple[str, str, Callable[[datetime], tuple[int, ...]]], ...] = (
    ("daily", "keep_daily", _day),
    ("weekly", "keep_weekly", _week),
    ("monthly", "keep_monthly", _month),
)


def plan(
    backups: Sequence[T], policy: RetentionPolicy, protect: Mapping[str, str] | None = None
) -> RetentionPlan[T]:
    """Decide keep/drop for `backups` (any order); see the module docstring for the rules.
    `protect` names verified backups kept whatever the rules say, with why (the newest one
    whose data is not CRITICAL, dbguard.incident.usable)."""
    reasons: dict[str, list[str]] = {}
    unverified = [item for item in backups if item.verified is not True]
    for item in unverified:
        reasons[item.name] = ["not verified: left alone, inspect it"]
    candidates = sorted(
        (item for item in backups if item.verified is True),
        key=lambda item: as_utc(item.created_at),
        reverse=True,
    )
    kept: dict[str, T] = {}

    def keep(item: T, reason: str) -> None:
        kept[item.name] = item
        reasons.setdefault(item.name, []).append(reason)

    if policy.empty:
        for item in candidates:
            keep(item, "no retention rule set: keep all")
    else:
        for index, item in enumerate(candidates):
            if index < policy.keep_last:
                keep(item, "last")
        for label, attribute, bucket_of in BUCKETS:
            remaining = int(getattr(policy, attribute))
            last_bucket: tuple[int, ...] | None = None
            for item in candidates:
                if remaining <= 0:
                    break
                bucket = bucket_of(as_utc(item.created_at))
                if bucket != last_bucket:
                    keep(item, label)
                    last_bucket = bucket
                    remaining -= 1
        if candidates and not policy.keep_within.empty:
            newest = as_utc(candidates[0].created_at)
            limit = policy.keep_within.before(newest)
            for item in candidates:
                if as_utc(item.created_at) > limit:
                    keep(item, "within")
    if candidates and candidates[0].name not in kept:
        keep(candidates[0], "newest verified")
    for item in candidates:
        if protect and item.name in protect:
            keep(item, protect[item.name])
    for item in candidates:
        if len(kept) >= policy.min_verified:
            break
        if item.name not in kept:
            keep(item, f"min_verified={policy.min_verified}")
    keep_list = [item for item in candidates if item.name in kept]
    drop_list = [item for item in candidates if item.name not in kept]
    for item in drop_list:
        reasons[item.name] = ["no rule keeps it"]
    oldest_first = sorted(keep_list, key=lambda item: as_utc(item.created_at))
    return RetentionPlan(
        keep=oldest_first,
        drop=sorted(drop_list, key=lambda item: as_utc(item.created_at)),
        unverified=sorted(unverified, key=lambda item: as_utc(item.created_at)),
        reasons=reasons,
    )
