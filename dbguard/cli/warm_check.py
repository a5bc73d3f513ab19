"""`dbguard check` through a running watcher (`dbguard serve`, dbguard.watch.channel).

The client sends the command as it was typed (with `--cold`), its folder and its DBGUARD_*
environment; the watcher's warm child runs exactly that command through `dbguard.cli.main`,
so the output and the exit code are those of a cold run by construction: only the imports
were done before.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

import click

from dbguard.config import Config

ENVIRONMENT_PREFIX = "DBGUARD_"
# How long the client waits for the watcher's run beyond [watch] run_timeout.
ANSWER_MARGIN_SECONDS = 30.0


def check_argv(context: click.Context, options: dict[str, Any]) -> list[str]:
    """The command line of this `dbguard check`, cold, as the warm child will run it."""
    root = context.find_root().obj or {}
    argv = ["--config", str(root["config_path"])] if root.get("config_path") else []
    argv += ["check", "--cold"]
    for name in ("db", "backup_dir", "report", "only"):
        if options.get(name) is not None:
            argv += [f"--{name.replace('_', '-')}", str(options[name])]
    for flag in ("strict", "json"):
        if options.get(flag):
            argv.append(f"--{flag}")
    return argv


def run_in_watcher(config: Config, argv: list[str]) -> int | None:
    """The exit code of the run a watcher made (its output printed), or None: run cold."""
    from dbguard.watch.channel import ask_watcher

    request = {
        "argv": argv,
        "cwd": os.getcwd(),
        "environment": {k: v for k, v in os.environ.items() if k.startswith(ENVIRONMENT_PREFIX)},
    }
    wait = config.watch.timeout.total_seconds() + ANSWER_MARGIN_SECONDS
    answer = ask_watcher(config, request, wait)
    if answer is None:
        return None
    sys.stdout.write(str(answer.get("stdout", "")))
    sys.stdout.flush()
    sys.stderr.write(str(answer.get("stderr", "")))
    sys.stderr.flush()
    return int(answer["exit"])


def warm_check(request: dict[str, Any]) -> dict[str, Any]:
    """In the watcher's warm child: the client's command, its output captured. Only
    `dbguard [--config FILE] check --cold …` is run: the socket runs checks, nothing else."""
    from dbguard.cli import main

    argv = [str(arg) for arg in request["argv"]]
    command = argv[2:] if argv[:1] == ["--config"] else argv
    if command[:2] != ["check", "--cold"]:
        refused = "dbguard: error: the watcher runs `dbguard check` only\n"
        return {"stdout": "", "stderr": refused, "exit": 2}

    for name in [name for name in os.environ if name.startswith(ENVIRONMENT_PREFIX)]:
        del os.environ[name]
    os.environ.update({str(k): str(v) for k, v in dict(request["environment"]).items()})
    os.chdir(str(request["cwd"]))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        code = main(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        out.seek(0)
        err.seek(0)
        return {
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
            "exit": int(code),
        }
