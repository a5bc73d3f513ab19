"""One suite file's shape and entries, each checked against GX, and their readable labels.

GX itself logs and drops an expectation it cannot build (an unknown type, a
severity spelled "WARNING": GX issue 3494), so a typo would silently switch a
check off. Here every entry is built on its own and any complaint becomes a
Problem naming the file and the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.quality.entry_errors import field_errors
from dbguard.quality.gx_context import load_great_expectations

if TYPE_CHECKING:
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

ENTRY_KEYS = {
    "type",
    "kwargs",
    "meta",
    "severity",
    "description",
    "notes",
    "id",
    "rendered_content",
}
SUITE_KEYS = {"name", "expectations", "meta", "notes", "id"}
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list", "column_set")
ENTRY_MARKER = "_dbguard_entry"  # meta key tagging a built expectation with its entry's index


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a suite file, for the error line and for lint."""

    path: Path
    expectation: (
        str  # "" for the file as a whole, else e.g. "#3 expect_column_values_to_be_between[pue]"
    )
    message: str
    fix: str
    # A warning does not stop `dbguard check` from running the suite (an entry the engine
    # cannot run errors on its own); an error makes the suite malformed.
    warning: bool = False

    def one_line(self) -> str:
        where = f"{self.path}" + (f": expectation {self.expectation}" if self.expectation else "")
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


def gx_configuration(entry: dict[str, Any], marker: int | None = None) -> ExpectationConfiguration:
    """The GX configuration of an entry; `marker` tags its meta with the entry's index.

    GX returns results in its own order and may normalise kwargs, so a result is
    matched to its entry by this tag, which never reaches the file.
    """
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    values = {key: value for key, value in entry.items() if key in ENTRY_KEYS}
    values.pop("rendered_content", None)
    values.pop("id", None)
    values.setdefault("kwargs", {})
    if marker is not None:
        values["meta"] = {**(values.get("meta") or {}), ENTRY_MARKER: marker}
    return ExpectationConfiguration(**values)


def entry_columns(entry: dict[str, Any]) -> list[str]:
    """Every column an entry names in its kwargs."""
    kwargs = _as_dict(entry.get("kwargs"))
    names = [str(kwargs[key]) for key in COLUMN_KWARGS if isinstance(kwargs.get(key), str)]
    for key in COLUMN_LIST_KWARGS:
        if isinstance(kwargs.get(key), list):
            names.extend(str(name) for name in kwargs[key])
    return names


def shape_problems(path: Path, data: Any) -> list[Problem]:
    """What is wrong with the file as a whole (not an object, no name, no list, unknown keys)."""
    if not isinstance(data, dict):
        return [Problem(path, "", "is not a JSON object", 'write {"name": …, "expectations": […]}')]
    problems = []
    if not isinstance(data.get("name"), str) or not data["name"]:
        problems.append(
            Problem(path, "", 'has no "name"', 'add "name": the table the suite checks')
        )
    if not isinstance(data.get("expectations"), list):
        problems.append(Problem(path, "", 'has no "expectations" list', 'add "expectations": []'))
    unknown = sorted(set(data) - SUITE_KEYS)
    if unknown:
        problems.append(
            Problem(
                path,
                "",
                f"has unknown key {unknown[0]!r}",
                f"use only {', '.join(sorted(SUITE_KEYS))}",
            )
        )
    return problems


def entry_problems(path: Path, where: str, entry: Any) -> list[Problem]:
    """Build the entry with GX; every complaint becomes a Problem (one per wrong argument)
    instead of a silent drop."""
    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        return [
            Problem(path, where, 'is not an object with a "type"', 'give it "type": "expect_…"')
        ]
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        return [
            Problem(
                path,
                where,
                f"has unknown key {unknown[0]!r}",
                f"use only {', '.join(sorted(ENTRY_KEYS))}",
            )
        ]
    if not isinstance(entry.get("kwargs", {}), dict) or not isinstance(
        entry.get("meta", {}) or {}, dict
    ):
        return [Problem(path, where, '"kwargs" and "meta" must be objects', "write them as {…}")]
    load_great_expectations()  # the first GX import of a run: collector paused
    from great_expectations.exceptions import ExpectationNotFoundError

    try:
        gx_configuration(entry).to_domain_obj()
    except ExpectationNotFoundError:
        return [
            Problem(
                path,
                where,
                f"unknown expectation type {entry['type']!r}",
                "use a type from GX Core 1.x (https://greatexpectations.io/expectations)",
            )
        ]
    except Exception as error:  # GX raises pydantic, GX and plain errors for bad arguments
        wrong = _field_problems(path, where, entry, error)
        if wrong:
            return wrong
        message = " ".join(str(error).split())
        if message.startswith("Invalid severity"):
            return [
                Problem(
                    path,
                    where,
                    f"severity: {entry.get('severity')!r} is not valid",
                    'use "critical", "warning" or "info", in lower case',
                )
            ]
        return [
            Problem(
                path,
                where,
                f"is not a valid {entry['type']}: {message}",
                "fix its kwargs or severity (critical, warning or info)",
            )
        ]
    return []


def _field_problems(
    path: Path, where: str, entry: dict[str, Any], error: Exception
) -> list[Problem]:
    """pydantic's errors as one Problem per wrong field ([] for any other error)."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return []
    from great_expectations.expectations.expectation import Expectation as GxExpectation
    from great_expectations.expectations.registry import get_expectation_impl

    fields = get_expectation_impl(entry["type"]).__fields__
    arguments = [name for name in fields if name not in {*GxExpectation.__fields__, "batch_id"}]
    return [
        Problem(path, where, f"{wrong.field}: {wrong.message}", wrong.fix)
        for wrong in field_errors(errors(), _as_dict(entry.get("kwargs")), arguments)
    ]


def entry_label(entry: Any, index: int) -> str:
    """`type[argument]`: the entry's dbguard name, its band, its columns or its severity."""
    if not isinstance(entry, dict):
        return f"entry{index}"
    kind = str(entry.get("type", f"entry{index}"))
    dbguard_meta = _as_dict(_as_dict(entry.get("meta")).get("dbguard"))
    if isinstance(dbguard_meta.get("name"), str):
        argument = str(dbguard_meta["name"])
    elif dbguard_meta.get("managed") and isinstance(dbguard_meta.get("band"), str):
        argument = str(dbguard_meta["band"])
    else:
        kwargs = _as_dict(entry.get("kwargs"))
        parts = [str(kwargs[key]) for key in COLUMN_KWARGS if isinstance(kwargs.get(key), str)]
        for key in COLUMN_LIST_KWARGS:
            if isinstance(kwargs.get(key), list):
                parts.append(",".join(str(name) for name in kwargs[key]))
        argument = ",".join(parts) if parts else str(entry.get("severity", "")) or str(index)
    return f"{kind}[{argument}]"


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
