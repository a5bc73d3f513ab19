"""Describe the machine the figures were measured on."""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path


def describe_machine(data_dir: Path, tool_versions: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) rows: CPU, cores, RAM, disk, OS, Python, SQLite, library versions."""
    rows = [
        ("CPU", _cpu_model()),
        ("Cores", f"{os.cpu_count()} logical"),
        ("RAM", _memory_total()),
        ("Disk", _disk(data_dir)),
        ("OS", _os_name()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("SQLite (Python module)", sqlite3.sqlite_version),
    ]
    rows += [(name, version) for name, version in tool_versions.items()]
    rows.append(
        (
            "PYTHONDONTWRITEBYTECODE in the caller's environment",
            "set (removed for measured commands)"
            if os.environ.get("PYTHONDONTWRITEBYTECODE")
            else "not set",
        )
    )
    for package in ("great-expectations", "pandas", "SQLAlchemy", "pytest", "dbguard"):
        try:
            rows.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
    return rows


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in text.splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return model + (" (virtual machine)" if " hypervisor" in flags else "")


def _memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _disk(path: Path) -> str:
    path.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(path)
    found = subprocess.run(
        ["findmnt", "-no", "SOURCE,FSTYPE", "-T", str(path)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    device, filesystem = [*found, "?", "?"][:2]
    rotational = "unknown medium"
    name = Path(device).name
    flag = Path(f"/sys/block/{name}/queue/rotational")
    if flag.is_file():
        virtual = name.startswith(("vd", "xvd"))
        kind = "rotational" if flag.read_text().strip() == "1" else "non-rotational"
        rotational = f"{kind} flag{' (virtual disk)' if virtual else ''}"
    return (
        f"{device} {filesystem}, {rotational}, "
        f"{usage.free / 2**30:.0f} GiB free of {usage.total / 2**30:.0f} GiB"
    )


def _os_name() -> str:
    pretty = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{pretty}, kernel {platform.release()}"
