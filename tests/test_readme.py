"""README.md: the two commands first, every command of `dbguard --help` in its command table,
links that lead somewhere, short, and its five-minute tour followed literally on a copy of
the project (after `dbguard demo`, which is what `make demo` runs once .venv/ exists)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from doc_commands import shell_blocks
from markdown.extensions.toc import slugify

from dbguard.check_run import PROJECT_ROOT
from dbguard.cli import main

README = PROJECT_ROOT / "README.md"
MAX_LINES = 150
LINK = re.compile(r"\]\(([^)\s]+)\)")
TABLE_COMMAND = re.compile(r"^\| `(dbguard [a-z-]+)")
PROJECT_FILES = ("conftest.py", "pyproject.toml", "dbguard.toml")
PROJECT_FOLDERS = ("checks", "expectations")


def help_commands(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The subcommands `dbguard --help` lists."""
    assert main(["--help"]) == 0
    listing = capsys.readouterr().out.split("Commands:\n", 1)[1]
    return [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]


def test_readme_opens_with_make_demo_and_make_test() -> None:
    first = shell_blocks(README)[0]
    assert [command.command for command in first.commands] == ["make demo", "make test"]
    before = README.read_text(encoding="utf-8")[: README.read_text().index("```")]
    assert "dbguard " not in before.replace("dbguard keeps", "")


def test_every_command_of_dbguard_help_is_in_the_readme_command_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = help_commands(capsys)
    assert "check" in commands and "init" in commands
    in_table = {
        match.group(1).split()[1]
        for line in README.read_text(encoding="utf-8").splitlines()
        if (match := TABLE_COMMAND.match(line))
    }
    missing = [name for name in commands if name not in in_table]
    assert not missing, "\n".join(
        f"`dbguard {name}` is not in README.md's command table (## Commands): add a row"
        f" | `dbguard {name} …` | what it does, in one line | [page](docs/PAGE.md) |"
        for name in missing
    )


def test_every_link_of_the_readme_leads_to_a_file_and_heading() -> None:
    for target in LINK.findall(README.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        linked = PROJECT_ROOT / path
        assert linked.is_file(), f"README.md links to {path}, which does not exist"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.MULTILINE)
            slugs = {slugify(heading, "-") for heading in headings}
            assert anchor in slugs, f"README.md links to {target}: {path} has no such heading"


def test_readme_stays_short() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"README.md has {lines} lines (at most {MAX_LINES}): move detail to a page in docs/"
    )


@pytest.mark.slow
def test_readme_tour_walked_through_on_a_copy_of_the_project(tmp_path: Path) -> None:
    project = tmp_path / "dbguard"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copy(PROJECT_ROOT / name, project / name)
    for name in PROJECT_FOLDERS:
        shutil.copytree(PROJECT_ROOT / name, project / name)
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    environment.pop("DBGUARD_CONFIG", None)

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )

    demo = run("dbguard demo")  # `make demo` once .venv/ is installed
    assert demo.returncode == 0, demo.stderr
    tour = shell_blocks(README)[1]
    outputs = []
    for command in tour.commands:
        result = run(command.command)
        assert result.returncode == command.expected_exit, (
            f"README.md line {command.line}: `{command.command}` exited {result.returncode},"
            f" the README says {command.expected_exit}\n{result.stdout}{result.stderr}"
        )
        outputs.append(result.stdout)
    checks = [
        out for c, out in zip(tour.commands, outputs, strict=True) if c.command == "dbguard check"
    ]
    assert "1 of 240 rows outside: id=17 pue=9.9" in checks[0]
    assert "dbguard status: OK " in checks[-1]
    assert outputs[-1].strip() == str(project / "reports" / "latest.html")
