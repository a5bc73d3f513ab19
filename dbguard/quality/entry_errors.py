"""GX's complaint about a suite entry's arguments, said per field in the analyst's words.

GX 1.x checks an expectation's kwargs with pydantic (v1). Most fields accept a value or
a suite parameter (`{"$PARAMETER": …}`), and some a number, a date or a datetime, so one
wrong value reads as several errors, one per member of the union ("value is not a valid
dict", "invalid date format", …). Here each field gets one line: what it holds that is
wrong, and what a valid value looks like.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# What each pydantic error type says a valid value is; None: the union member nobody
# writes by hand (GX's suite-parameter form {"$PARAMETER": …}), left out.
KINDS: dict[str, str | None] = {
    "type_error.dict": None,
    "type_error.float": "a number",
    "type_error.integer": "a whole number",
    "type_error.number": "a number",
    "type_error.str": 'a string, e.g. "reading"',
    "type_error.bool": "true or false",
    "type_error.list": 'a list, e.g. ["a", "b"]',
    "type_error.set": 'a list, e.g. ["a", "b"]',
    "type_error.none.not_allowed": "a value, not null",
    "value_error.date": 'a date, e.g. "2026-01-31"',
    "value_error.datetime": 'a datetime, e.g. "2026-01-31T12:00:00"',
    "type_error": None,  # "invalid type; expected datetime, string, …": said by the others
}
# Fields of the entry itself, not of its kwargs.
ENTRY_FIELDS = {"meta", "notes", "description", "severity", "id", "rendered_content"}
BOUNDS = {
    "value_error.number.not_le": "at most",
    "value_error.number.not_lt": "below",
    "value_error.number.not_ge": "at least",
    "value_error.number.not_gt": "above",
}


@dataclass(frozen=True)
class FieldError:
    """One wrong field of an entry: `message` says what is wrong, `fix` what is valid."""

    field: str  # "kwargs.mostly", or "kwargs" for the entry's arguments as a whole
    message: str
    fix: str


def field_errors(
    errors: Sequence[dict[str, Any]], kwargs: dict[str, Any], fields: Sequence[str]
) -> list[FieldError]:
    """pydantic's `errors()` for one entry as one FieldError per field, in their order.

    `kwargs` are the entry's, to quote the wrong value; `fields` the expectation type's
    argument names, offered when a name is unknown or missing."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for error in errors:
        location = error.get("loc") or ("__root__",)
        by_field.setdefault(str(location[0]), []).append(error)
    # A misspelt argument reads as two errors (the name unknown, the real one missing): one.
    misspelt = {
        name: _close(name, fields)
        for name, found in by_field.items()
        if any(error.get("type") == "value_error.extra" for error in found)
    }
    meant = {close for close in misspelt.values() if close}
    return [
        _field_error(name, found, kwargs, fields, misspelt.get(name))
        for name, found in by_field.items()
        if name not in meant
        or not all(error.get("type") == "value_error.missing" for error in found)
    ]


def _close(name: str, fields: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(name, fields, n=1)
    return found[0] if found else None


def _field_error(
    name: str,
    errors: list[dict[str, Any]],
    kwargs: dict[str, Any],
    fields: Sequence[str],
    meant: str | None = None,
) -> FieldError:
    types = [str(error.get("type", "")) for error in errors]
    arguments = ", ".join(fields)
    if name == "__root__":
        return FieldError("kwargs", "; ".join(str(e.get("msg", "")) for e in errors), _fix(""))
    where = name if name in ENTRY_FIELDS else f"kwargs.{name}"
    if "value_error.extra" in types:
        guess = f'did you mean "{meant}"? ' if meant else ""
        return FieldError(
            where, f"{name!r} is not an argument of this type", guess + _use(arguments)
        )
    if "value_error.missing" in types:
        return FieldError(where, "is required but missing", f'add "{name}"; ' + _use(arguments))
    value = quoted(kwargs.get(name))
    for error in errors:
        bound = BOUNDS.get(str(error.get("type")))
        if bound is not None:
            limit = (error.get("ctx") or {}).get("limit_value")
            return FieldError(where, f"{value} is out of range", f"use a number {bound} {limit}")
    kinds = [KINDS.get(str(error.get("type")), str(error.get("msg"))) for error in errors]
    valid = list(dict.fromkeys(kind for kind in kinds if kind))
    if not valid:  # only the suite-parameter form complained: the value itself is wrong
        valid = [str(error.get("msg")) for error in errors]
    return FieldError(where, f"{value} is not valid here", "use " + " or ".join(valid))


def quoted(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def _use(arguments: str) -> str:
    return f"its arguments are: {arguments}" if arguments else _fix("")


def _fix(detail: str) -> str:
    return detail or "see the type's arguments at https://greatexpectations.io/expectations"
