"""The Config a pytest run of checks/ uses, built once from the same rules everywhere.

`dbguard check` runs pytest in-process and hands it its exact Config through a
`PresetConfig` plugin (so every override reaches the suite, not only --db and
--backup-dir). A plain `pytest checks/` builds it from the pytest options.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.config import CONFIG_FILE_NAME, Config, find_config_file, load_config

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
    loaded = load_config(_option(pytest_config, "dbguard_config") or _rootdir_config(pytest_config))
    return loaded.with_database(_option(pytest_config, "db")).with_overrides(
        backup__dir=_option(pytest_config, "backup_dir")
    )


def _rootdir_config(pytest_config: pytest.Config) -> Path | None:
    """`pytest /path/to/project/checks` from another folder: the project's dbguard.toml
    (its suites, its reports folder), unless $DBGUARD_CONFIG or ./dbguard.toml says otherwise."""
    if find_config_file() is not None:
        return None
    candidate = Path(pytest_config.rootpath) / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def _option(pytest_config: pytest.Config, name: str) -> Any:
    try:
        return pytest_config.getoption(name)
    except ValueError:
        return None
