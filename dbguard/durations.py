"""Durations written the way people write them in dbguard.toml and in suites: `90s`, `30m`,
`2h`, `26h`, `7d`, `2w`, and sums such as `1d12h`. Read and written only here."""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> timedelta:
    """`2h` → 2 hours. A ValueError says what is wrong with anything else."""
    compact = str(text).strip().lower().replace(" ", "")
    if not compact or PART.sub("", compact):
        raise ValueError(
            f"{text!r} is not a duration: write a number and a unit, e.g. 30m, 2h, 26h, 7d"
        )
    seconds = sum(float(number) * UNITS[unit] for number, unit in PART.findall(compact))
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return timedelta(seconds=seconds)


def format_duration(duration: timedelta) -> str:
    """The shortest exact spelling of `duration` in whole units (`26h`, `90m`, `2d`)."""
    seconds = round(duration.total_seconds())
    for unit in ("w", "d", "h", "m"):
        if seconds and seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"


def human_duration(duration: timedelta) -> str:
    """An age for people: `3 h 20 min`, `5 days`, `40 s` (rounded, never exact)."""
    seconds = max(0.0, duration.total_seconds())
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        whole, rest = divmod(round(minutes), 60)
        return f"{whole} h {rest} min" if rest else f"{whole} h"
    return f"{hours / 24:.1f} days"
