"""`make demo` on a new machine says what it is doing, one line per step of the ~1 minute install.

Read through make itself (`make -n`, which prints each recipe line without
running it) with the virtual environment pointed at a folder that does not
exist, so every install step is due.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dbguard.check_run import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

SLOW_STEPS = (
    "-m venv",
    "pip install --quiet --upgrade pip",
    "pip install --quiet -e",
    "dbguard demo",
)


def test_every_slow_step_of_make_demo_is_announced_first(tmp_path: Path) -> None:
    result = subprocess.run(
        ["make", "-n", "demo", f"VENV={tmp_path / 'venv'}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()
    for step in SLOW_STEPS:
        (index,) = [number for number, line in enumerate(lines) if step in line]
        assert index > 0 and lines[index - 1].startswith('echo "==> '), (step, lines)
