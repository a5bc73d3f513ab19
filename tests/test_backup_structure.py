"""The backup layer's shape: no import circle inside backup/, no import of the configuration
(or of anything above it) from backup/, and small modules there and in its CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "backup"
# backup/ may use only the ground floor of dbguard.
GROUND_FLOOR = {"dbguard", "dbguard.errors", "dbguard.database", "dbguard.redact"}
MAX_LINES = 300


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def backup_graph() -> dict[str, set[str]]:
    modules = {f"backup.{path.stem}": path for path in BACKUP.glob("*.py")}
    return {
        name: {module for module in imports_of(path) if module in modules and module != name}
        for name, path in modules.items()
    }


def test_backup_has_no_import_circle() -> None:
    graph = backup_graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail("import circle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_backup_imports_only_the_ground_floor_of_dbguard() -> None:
    above = {
        f"{path.name}: {module}"
        for path in BACKUP.glob("*.py")
        for module in imports_of(path)
        if module.split(".")[0] == "dbguard" and module not in GROUND_FLOOR
    }
    assert above == set()


@pytest.mark.parametrize(
    "pattern", ["backup/*.py", "dbguard/cli/backup*.py", "dbguard/cli/backup/*.py"]
)
def test_backup_modules_stay_small(pattern: str) -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in ROOT.glob(pattern)
    }
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}
