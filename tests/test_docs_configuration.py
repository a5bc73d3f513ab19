"""docs/configuration.md names every key dbguard.toml can hold, in its section, with its
default: a key added to the configuration cannot go undocumented."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dbguard.check_run import PROJECT_ROOT
from dbguard.config import Config

PAGE = PROJECT_ROOT / "docs" / "configuration.md"
SECTION = re.compile(r"^## `\[([a-z_.]+)\]`$")
ROW = re.compile(r"^\| `([a-z_]+)` \| ([^|]+) \|")


def config_keys(cls: type = Config, section: str = "") -> Iterator[tuple[str, str, Any]]:
    """(section, key, default) of every key the file can hold."""
    for spec in dataclasses.fields(cls):
        if cls is Config and spec.name in ("source", "database_named"):  # facts, not keys
            continue
        if spec.default_factory is not dataclasses.MISSING:
            default = spec.default_factory()
        else:
            default = spec.default
        if dataclasses.is_dataclass(default):
            inner = f"{section}.{spec.name}" if section else spec.name
            yield from config_keys(type(default), inner)
        else:
            yield section, spec.name, default


def documented(page: Path) -> dict[tuple[str, str], str]:
    """(section, key) -> the default the page shows."""
    rows: dict[tuple[str, str], str] = {}
    section = ""
    for line in page.read_text(encoding="utf-8").splitlines():
        if heading := SECTION.match(line):
            section = heading.group(1)
        elif section and (row := ROW.match(line)):
            rows[(section, row.group(1))] = row.group(2).strip()
    return rows


def shown(default: Any) -> str:
    """A default as the page writes it, in TOML."""
    if default is None:
        return "none"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, int | float):
        return f"`{default:g}`"
    if isinstance(default, dict):  # [database.spark]'s maps, empty by default
        return "`{}`"
    if isinstance(default, tuple):
        return "`[" + ", ".join(f'"{item}"' for item in default) + "]`"
    return f'`"{default}"`'


def test_every_key_of_dbguard_toml_is_in_the_configuration_reference() -> None:
    rows = documented(PAGE)
    missing = [
        f"[{section}] {key}" for section, key, _ in config_keys() if (section, key) not in rows
    ]
    assert not missing, (
        "docs/configuration.md lacks these keys: add a row | `key` | default | what it does |"
        " under the section's heading: " + ", ".join(missing)
    )


def test_the_configuration_reference_shows_each_default_the_code_has() -> None:
    rows = documented(PAGE)
    wrong = {
        f"[{section}] {key}": (rows[(section, key)], shown(default))
        for section, key, default in config_keys()
        if (section, key) in rows and rows[(section, key)] != shown(default)
    }
    assert not wrong, f"page default vs the code's: {wrong}"


def test_the_configuration_reference_names_no_key_the_code_lacks() -> None:
    keys = {(section, key) for section, key, _ in config_keys()}
    assert not set(documented(PAGE)) - keys
