"""What every benchmark needs: paths, run counts, and a dbguard.toml of its own.

Benchmarks never touch the repository's demo/ or reports/: each writes a
config under bench/.data/ whose database, backups, reports and history live
there too.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"


@dataclass(frozen=True)
class Settings:
    """Run counts and sizes; --quick shrinks them for a smoke run."""

    quick: bool
    light_runs: int  # GNU time runs of sub-second commands (peak memory)
    hyperfine_runs: int
    hyperfine_warmup: int
    heavy_runs: int  # runs of commands taking seconds (3: a median of three)
    # runs of the big-data comparisons (scale, peer; replication's replica-target check and
    # 200 MiB restore): 2, to keep `make bench` near 20 min
    scale_runs: int
    scale_rows: tuple[int, ...]
    backup_sizes_mib: tuple[int, ...]
    slow_round_s: float  # above this, a heavy round is run once only

    @classmethod
    def full(cls) -> Settings:
        return cls(False, 5, 20, 3, 3, 2, (1_000_000, 10_000_000), (200, 1024), 240.0)

    @classmethod
    def smoke(cls) -> Settings:
        return cls(True, 1, 3, 1, 1, 1, (100_000,), (50,), 60.0)


@dataclass(frozen=True)
class Context:
    settings: Settings
    data_dir: Path

    @property
    def python(self) -> str:
        return sys.executable

    @property
    def dbguard(self) -> str:
        return str(Path(sys.executable).parent / "dbguard")

    def scratch(self, name: str) -> Path:
        path = self.data_dir / "work" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def write_config(
        self,
        name: str,
        *,
        database: Path | str,
        backup_dir: Path,
        expectations_dir: Path | None = None,
    ) -> Path:
        """A dbguard.toml like the repository's, with every path inside bench/.data/work/<name>.
        `database` is a SQLite file, or a PostgreSQL URL (a str)."""
        folder = self.scratch(name)
        repo_config = REPO_ROOT / "dbguard.toml"
        data: dict[str, Any] = (
            tomllib.loads(repo_config.read_text(encoding="utf-8")) if repo_config.is_file() else {}
        )
        section = data.setdefault("database", {})
        if isinstance(database, str):
            section.pop("path", None)
            section["url"] = database
        else:
            section["path"] = str(database)
        data.setdefault("backup", {})["dir"] = str(backup_dir)
        data.setdefault("archive", {}).update(
            {"source": str(REPO_ROOT), "dir": str(folder / "archives")}
        )
        data.setdefault("checks", {})["expectations_dir"] = str(
            expectations_dir or REPO_ROOT / "expectations"
        )
        data.setdefault("reports", {}).update(
            {
                "dir": str(folder / "reports"),
                "history": str(folder / "reports" / "history.sqlite3"),
                "logs_dir": str(folder / "logs"),
            }
        )
        path = folder / "dbguard.toml"
        path.write_text(to_toml(data), encoding="utf-8")
        return path


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    """Enough TOML for a dbguard.toml: scalars, lists of scalars, nested tables."""
    lines = []
    tables = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, table in tables:
        name = f"{prefix}{key}"
        text += f"\n[{name}]\n" + to_toml(table, prefix=f"{name}.")
    return text


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
