"""What a `dbguard check --only …` run checks, for iterating on a suite.

`--only expectations` runs every expectation suite on the live database, and
`--only expectations:TABLE` only that table's; no backup, replica, health, system or trend
check runs, so the exit code is the suite's. Such a run is partial: it is not appended to
the run history and sends no alert (it would close incidents it never looked at).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbguard.errors import ConfigError

if TYPE_CHECKING:
    import pytest

EXPECTATIONS = "expectations"
ONLY_FORMS = "expectations, or expectations:TABLE (e.g. expectations:pue_data)"
# The pytest option carrying the scope into checks/ (declared in the root conftest.py).
PYTEST_OPTION = "--dbguard-only"


@dataclass(frozen=True)
class CheckScope:
    """The expectation suites only; of one table when `table` is set."""

    table: str | None = None

    @property
    def text(self) -> str:
        return EXPECTATIONS if self.table is None else f"{EXPECTATIONS}:{self.table}"

    def wants(self, table: str) -> bool:
        return self.table is None or table == self.table


def parse_only(text: str) -> CheckScope:
    """`expectations` or `expectations:TABLE`; anything else is a ConfigError (exit 2)."""
    kind, separator, table = text.partition(":")
    if kind.strip() != EXPECTATIONS or (separator and not table.strip()):
        raise ConfigError(f"--only {text!r} is not a scope dbguard knows", f"use {ONLY_FORMS}")
    return CheckScope(table.strip() if separator else None)


def require_suite(scope: CheckScope, tables: Sequence[str], expectations_dir: object) -> None:
    """A table named in --only must have a suite that runs: a typo is bad input, not a pass."""
    if scope.table is not None and scope.table not in tables:
        known = ", ".join(sorted(tables)) or "none"
        raise ConfigError(
            f"--only {scope.text}: no suite in {expectations_dir} checks table {scope.table!r}",
            f"name a table with a suite ({known}), or run `dbguard baseline --table TABLE`",
        )


def run_scope(pytest_config: pytest.Config) -> CheckScope | None:
    """The scope a pytest run of checks/ was given (--dbguard-only), or None: everything."""
    try:
        text = pytest_config.getoption("dbguard_only")
    except ValueError:  # a session without the root conftest's options
        return None
    return parse_only(text) if text else None
