"""The public measuring tools: GNU time (`/usr/bin/time -v`) and hyperfine.

Every figure in RESULTS.md comes from one of them: peak memory (and the wall
time of the slow commands) from GNU time's `-v` report, the wall time of the
sub-second commands from hyperfine, which warms up and runs many times.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = Path("/usr/bin/time")
INSTALL_HINT = (
    "install them with: sudo apt-get update && sudo apt-get install -y time hyperfine sqlite3"
)


class ToolMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Sample:
    """One run of one command, as GNU time saw it."""

    wall_s: float
    max_rss_kib: int
    exit_code: int
    cpu_s: float = 0.0  # user + system
    stderr_tail: str = ""

    @property
    def max_rss_mib(self) -> float:
        return self.max_rss_kib / 1024


def require_tools() -> dict[str, str]:
    """Check the tools exist; return their versions. Raise ToolMissing with how to install."""
    missing = []
    if not GNU_TIME.is_file():
        missing.append("GNU time (/usr/bin/time, Debian package 'time')")
    for name in ("hyperfine", "sqlite3", "sha256sum"):
        if shutil.which(name) is None:
            missing.append(name)
    if missing:
        raise ToolMissing(f"missing: {', '.join(missing)}; {INSTALL_HINT}")
    return {
        "GNU time": "GNU time " + _first_line(["dpkg-query", "-W", "-f", "${Version}", "time"]),
        "hyperfine": _first_line(["hyperfine", "--version"]),
        "sqlite3 CLI": _first_line(["sqlite3", "--version"]).split(" ")[0],
    }


def _first_line(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def measured_environment() -> dict[str, str]:
    """The environment for measured commands: this one, as cron would see it.

    PYTHONDONTWRITEBYTECODE (set in some sandboxes and CI images, not under
    cron) would make every run recompile the uncached modules; it is removed.
    """
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def time_command(
    command: list[str],
    *,
    cwd: Path | None = None,
    timeout: float | None = None,
    environment: dict[str, str] | None = None,
) -> Sample:
    """Run `command` under `/usr/bin/time -v`; its output is discarded, its report parsed.
    `environment` adds to (or overrides) measured_environment()."""
    with tempfile.NamedTemporaryFile(prefix="gnu-time-", suffix=".txt") as report:
        # A session of its own, so a timeout ends the timed command too, not only GNU time.
        process = subprocess.Popen(
            [str(GNU_TIME), "-v", "-o", report.name, *command],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**measured_environment(), **(environment or {})},
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise TimeoutError(f"{shlex.join(command)} ran longer than {timeout} s") from None
        text = Path(report.name).read_text()
    fields = parse_gnu_time(text)
    tail = "\n".join(stderr.strip().splitlines()[-3:])
    return Sample(
        wall_s=fields["wall_s"],
        max_rss_kib=int(fields["max_rss_kib"]),
        exit_code=process.returncode,
        cpu_s=fields["user_s"] + fields["system_s"],
        stderr_tail=tail,
    )


def parse_gnu_time(text: str) -> dict[str, float]:
    """Wall, user and system time (s) and peak resident memory (KiB) from a `time -v` report."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        label, _, value = line.strip().rpartition(": ")
        if label.startswith("Elapsed (wall clock) time"):
            values["wall_s"] = _clock_seconds(value)
        elif label == "Maximum resident set size (kbytes)":
            values["max_rss_kib"] = float(value)
        elif label == "User time (seconds)":
            values["user_s"] = float(value)
        elif label == "System time (seconds)":
            values["system_s"] = float(value)
    if set(values) != {"wall_s", "max_rss_kib", "user_s", "system_s"}:
        raise ValueError(f"not a GNU time -v report:\n{text[-500:]}")
    return values


def _clock_seconds(value: str) -> float:
    seconds = 0.0
    for part in value.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def hyperfine_wall_times(
    commands: dict[str, list[str]], *, runs: int, warmup: int, cwd: Path | None = None
) -> dict[str, list[float]]:
    """Wall times (s) of each command from one hyperfine invocation (one command after the other)."""
    with tempfile.NamedTemporaryFile(prefix="hyperfine-", suffix=".json") as export:
        arguments = [
            "hyperfine",
            "--shell=none",
            "--style=none",
            "--ignore-failure",
            f"--runs={runs}",
            f"--warmup={warmup}",
            f"--export-json={export.name}",
        ]
        for name, command in commands.items():
            arguments += ["--command-name", name, shlex.join(command)]
        subprocess.run(
            arguments, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=measured_environment()
        )
        data = json.loads(Path(export.name).read_text())
    return {result["command"]: list(result["times"]) for result in data["results"]}
