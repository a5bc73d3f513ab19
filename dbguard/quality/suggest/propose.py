"""What `dbguard suggest` proposes for one profiled table: pure, no I/O.

Every proposal is a GX suite entry at severity "warning" whose `meta.dbguard.suggested`
holds the capture time and the observed statistics that justify it, so an analyst can
review it and promote it (severity "critical"). Each is built to hold on the data it was
proposed from: bounds come from the observed minimum and maximum (widened), sets from the
observed values, formats from values that all matched, references from keys with no
orphan. What was considered and not proposed is returned with the reason.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from dbguard.config.analysts import SuggestConfig
from dbguard.quality.formats import BY_NAME, looks_like_time
from dbguard.quality.suggest.freshness_rule import freshness_proposal
from dbguard.quality.suggest.profile import ColumnProfile, TableProfile
from dbguard.quality.suggest.proposal import NotProposed, Proposal
from dbguard.quality.suggest.references import reference_name, reference_query

KEY_NAME = re.compile(r"(^|_)(id|uuid|key|code|no|number)$", re.IGNORECASE)
LENGTH_RULE_MAX = 64  # a fixed length beyond this is data, not a format


def propose(
    profile: TableProfile, settings: SuggestConfig, now: datetime, naive: str = "utc"
) -> tuple[list[Proposal], list[NotProposed]]:
    captured_at = now.isoformat(timespec="seconds")
    proposals: list[Proposal] = []
    skipped: list[NotProposed] = []
    if profile.rows == 0:
        skipped.append(NotProposed(profile.table, "every rule", "the table is empty"))
        return proposals, skipped
    rule = _Builder(profile, settings, captured_at)
    for column in profile.columns:
        if column.non_null == 0:
            skipped.append(NotProposed(profile.table, column.name, "it holds no value yet"))
            continue
        proposals.extend(rule.for_column(column))
    proposals.extend(rule.compound_unique())
    references, broken = rule.references()
    proposals.extend(references)
    skipped.extend(broken)
    fresh, stale = freshness_proposal(profile, settings, now, naive, captured_at)
    proposals.extend(fresh)
    skipped.extend(stale)
    return proposals, skipped


class _Builder:
    def __init__(self, profile: TableProfile, settings: SuggestConfig, captured_at: str) -> None:
        self.profile = profile
        self.settings = settings
        self.captured_at = captured_at
        self.foreign = {name for key in profile.foreign_keys for name in key.columns}

    def entry(
        self, kind: str, columns: tuple[str, ...], gx_type: str, kwargs: dict[str, Any], **seen: Any
    ) -> Proposal:
        observed = {"rows": self.profile.rows, **seen}
        entry = {
            "type": gx_type,
            "kwargs": kwargs,
            "severity": "warning",
            "meta": {
                "dbguard": {"suggested": {"captured_at": self.captured_at, "observed": observed}}
            },
        }
        return Proposal(self.profile.table, kind, columns, entry=entry)

    def is_key(self, column: ColumnProfile) -> bool:
        return bool(
            column.primary_key
            or column.name in self.foreign
            or (column.name,) in self.profile.unique_sets
            or KEY_NAME.search(column.name)
        )

    def for_column(self, column: ColumnProfile) -> list[Proposal]:
        name, rows = column.name, self.profile.rows
        found: list[Proposal] = []
        if column.non_null == rows:
            found.append(
                self.entry(
                    "not_null",
                    (name,),
                    "expect_column_values_to_not_be_null",
                    {"column": name},
                    nulls=0,
                )
            )
        unique = (name,) in self.profile.unique_sets or (
            KEY_NAME.search(name) is not None
            and column.distinct == column.non_null > 1
            and (column.integers == column.non_null or column.all_text())
        )
        if unique:
            found.append(
                self.entry(
                    "unique",
                    (name,),
                    "expect_column_values_to_be_unique",
                    {"column": name},
                    distinct=column.distinct,
                    non_null=column.non_null,
                )
            )
        spec = BY_NAME.get(column.format_of_all() or "") if column.all_text() else None
        if column.all_numbers() and not self.is_key(column) and not looks_like_time(name, ""):
            found.append(self.number_range(column))
        elif (spec is not None and spec.is_time) or isinstance(column.minimum, date):
            found.append(self.time_range(column))  # a date in text, or PostgreSQL's own types
        categorical = (
            column.values is not None
            and spec is None  # a date or a code keeps its format, not today's values
            and not unique
            and not self.is_key(column)
            and 2 * column.distinct <= column.non_null
        )
        if categorical:
            assert column.values is not None
            found.append(
                self.entry(
                    "in_set",
                    (name,),
                    "expect_column_values_to_be_in_set",
                    {"column": name, "value_set": list(column.values)},
                    distinct=column.distinct,
                )
            )
        elif spec is not None:
            found.append(
                self.entry(
                    "format",
                    (name,),
                    "expect_column_values_to_match_regex",
                    {"column": name, "regex": spec.regex},
                    format=spec.label,
                    matching=column.non_null,
                )
            )
        elif (
            column.all_text()
            and not unique
            and column.min_length == column.max_length
            and 0 < (column.max_length or 0) <= LENGTH_RULE_MAX
        ):
            found.append(
                self.entry(
                    "format",
                    (name,),
                    "expect_column_value_lengths_to_equal",
                    {"column": name, "value": column.max_length},
                    length=column.max_length,
                    distinct=column.distinct,
                )
            )
        return found

    def number_range(self, column: ColumnProfile) -> Proposal:
        integer = column.integers == column.non_null
        low, high = widened(
            column.minimum, column.maximum, self.settings.range_margin_percent, integer
        )
        return self.entry(
            "range",
            (column.name,),
            "expect_column_values_to_be_between",
            {"column": column.name, "min_value": low, "max_value": high},
            minimum=column.minimum,
            maximum=column.maximum,
            margin_percent=self.settings.range_margin_percent,
        )

    def time_range(self, column: ColumnProfile) -> Proposal:
        """Dates only get a lower bound (new rows carry new dates; freshness watches those),
        on the column's minimum: GX refuses "values between" on a TEXT column."""
        first = date.fromisoformat(str(column.minimum)[:10])
        last = date.fromisoformat(str(column.maximum)[:10])
        spread = (last - first) * (self.settings.range_margin_percent / 100)
        low = first - max(timedelta(days=1), spread)
        return self.entry(
            "range",
            (column.name,),
            "expect_column_min_to_be_between",
            {"column": column.name, "min_value": _comparable_with(column.minimum, low)},
            minimum=str(column.minimum),
            maximum=str(column.maximum),
        )

    def compound_unique(self) -> list[Proposal]:
        found = []
        for names in self.profile.unique_sets:
            columns = [self.profile.column(name) for name in names]
            if len(names) > 1 and all(c.non_null == self.profile.rows for c in columns):
                found.append(
                    self.entry(
                        "unique",
                        names,
                        "expect_compound_columns_to_be_unique",
                        {"column_list": list(names)},
                        declared="primary key or UNIQUE index",
                    )
                )
        return found

    def references(self) -> tuple[list[Proposal], list[NotProposed]]:
        found, skipped = [], []
        for key in self.profile.foreign_keys:
            what = f"reference {', '.join(key.columns)} → {key.parent}"
            if key.orphans is None:
                skipped.append(
                    NotProposed(self.profile.table, what, f"{key.parent} cannot be read")
                )
                continue
            if key.orphans:
                skipped.append(
                    NotProposed(
                        self.profile.table,
                        what,
                        f"{key.orphans} row(s) already have no {key.parent} row: fix them,"
                        " then run suggest again",
                    )
                )
                continue
            query = reference_query(
                key.columns, key.parent, key.parent_columns, self.profile.primary_key
            )
            proposal = self.entry(
                "reference",
                key.columns,
                "unexpected_rows_expectation",
                {"unexpected_rows_query": query},
                orphans=0,
            )
            assert proposal.entry is not None
            proposal.entry["description"] = (
                f"every {', '.join(key.columns)} refers to an existing {key.parent} row"
            )
            proposal.entry["meta"]["dbguard"]["name"] = reference_name(key.columns, key.parent)
            found.append(
                Proposal(
                    self.profile.table, "reference", key.columns, proposal.entry, parent=key.parent
                )
            )
        return found, skipped


def _comparable_with(observed: Any, low: date) -> str:
    """`low` as GX must get it to compare with the column's own values: a date for a date or
    a date in text, a timestamp (with the column's time zone, if it has one) for a
    PostgreSQL timestamp, since Python refuses to order a date against a datetime."""
    if isinstance(observed, datetime):
        return datetime.combine(low, datetime.min.time(), observed.tzinfo).isoformat()
    return low.isoformat()


def widened(minimum: Any, maximum: Any, percent: float, integer: bool) -> tuple[Any, Any]:
    """[minimum, maximum] widened by `percent` of its spread on each side and rounded outward
    to a readable step; never below 0 when nothing observed was negative."""
    low, high = Decimal(str(minimum)), Decimal(str(maximum))
    spread = high - low
    margin = (
        spread * Decimal(str(percent)) / 100 if spread else abs(high) * Decimal(str(percent)) / 100
    )
    if margin == 0:
        margin = Decimal(1)
    step = Decimal(1).scaleb(math.floor(math.log10(margin)))
    if integer:
        step = max(step, Decimal(1))
    bottom = ((low - margin) / step).to_integral_value(ROUND_FLOOR) * step
    top = ((high + margin) / step).to_integral_value(ROUND_CEILING) * step
    if low >= 0:
        bottom = max(bottom, Decimal(0))
    if integer:
        return int(bottom), int(top)
    return float(bottom), float(top)
