"""The Config a pytest run of checks/ uses, built once from the same rules everywhere.

`dbguard check` runs pytest in-process and hands it its exact Config through a
`PresetConfig` plugin (so every override reaches the suite, not only --db and
--backup-dir). A plain `pytest checks/` builds it from the pytest options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbguard.config import Config, load_config

if TYPE_CHECKING:
    import pytest


class PresetConfig:
    """A pytest plugin object that carries the Config of a `dbguard check` run."""

    def __init__(self, config: Config) -> None:
        self.config = config


def run_config(pytest_config: pytest.Config) -> Config:
    """The preset Config if `dbguard check` gave one, else dbguard.toml plus the pytest options."""
    for plugin in pytest_config.pluginmanager.get_plugins():
        if isinstance(plugin, PresetConfig):
            return plugin.config
    loaded = load_config(_option(pytest_config, "dbguard_config"))
    return loaded.with_overrides(
        database__path=_option(pytest_config, "db"),
        backup__dir=_option(pytest_config, "backup_dir"),
    )


def _option(pytest_config: pytest.Config, name: str) -> Any:
    try:
        return pytest_config.getoption(name)
    except ValueError:
        return None
