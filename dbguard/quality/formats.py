"""Fixed text formats `dbguard suggest` recognises: a SQLite GLOB to count matching values
while profiling, and the equivalent portable regular expression for the proposed rule (GX
runs it with SQLite's REGEXP as SQLAlchemy registers it, and with `~` on PostgreSQL).

Each GLOB accepts exactly what its regex accepts (ASCII digits and hex only), so a rule
proposed because every value matched also passes on the same data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGIT = "[0-9]"
HEX = "[0-9a-fA-F]"


@dataclass(frozen=True)
class FormatSpec:
    name: str
    label: str  # how people write it
    glob: str
    regex: str
    is_time: bool  # values are dates or date-times in ISO 8601 order


def _digits(count: int) -> str:
    return DIGIT * count


FORMATS = (
    FormatSpec(
        "date_time",
        "YYYY-MM-DD HH:MM (ISO 8601)",
        f"{_digits(4)}-{_digits(2)}-{_digits(2)}[T ]{_digits(2)}:{_digits(2)}*",
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}",
        True,
    ),
    FormatSpec(
        "date",
        "YYYY-MM-DD",
        f"{_digits(4)}-{_digits(2)}-{_digits(2)}",
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        True,
    ),
    FormatSpec(
        "year_month", "YYYY-MM", f"{_digits(4)}-{_digits(2)}", r"^[0-9]{4}-[0-9]{2}$", False
    ),
    FormatSpec(
        "uuid",
        "a UUID",
        "-".join(HEX * count for count in (8, 4, 4, 4, 12)),
        r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        False,
    ),
)
BY_NAME = {spec.name: spec for spec in FORMATS}
BY_REGEX = {spec.regex: spec for spec in FORMATS}

TIME_NAME = re.compile(r"(^|_)(at|time|date|timestamp|datetime|ts)$|^(date|time)", re.IGNORECASE)


def looks_like_time(name: str, declared_type: str | None) -> bool:
    """A column worth a cadence estimate: declared as a date/time, or named like one."""
    kind = (declared_type or "").upper()
    return "DATE" in kind or "TIME" in kind or TIME_NAME.search(name) is not None
