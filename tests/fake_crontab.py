"""A stand-in for crontab(1) on PATH, storing the table in a file: tests install dbguard's cron
block for real without touching the machine's crontab (and work where cron is not installed)."""

from __future__ import annotations

import os
from pathlib import Path

FAKE_CRONTAB = """#!/bin/sh
# A stand-in for crontab(1): -l prints the stored table, - stores stdin.
store="$FAKE_CRONTAB_FILE"
case "$1" in
  -l) if [ -f "$store" ]; then cat "$store"; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
  -) cat > "$store" ;;
  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac
"""


def fake_crontab_bin(folder: Path) -> Path:
    """A folder holding the stand-in `crontab`, to put first on PATH."""
    fake_bin = folder / "bin"
    fake_bin.mkdir()
    (fake_bin / "crontab").write_text(FAKE_CRONTAB)
    (fake_bin / "crontab").chmod(0o755)
    return fake_bin


def fake_crontab_environment(fake_bin: Path, store: Path) -> dict[str, str]:
    """os.environ with the stand-in first on PATH, storing its table in `store`."""
    return {
        **os.environ,
        "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        "FAKE_CRONTAB_FILE": str(store),
    }
