"""The monitor mounted in a team's own app, as the docs show it: a real Starlette app with its
own route at `/` and `create_app(load_config(PATH))` mounted at `/tools/monitor`, served by a
real uvicorn process on a free port of 127.0.0.1, stopped when the block ends."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alert_receiver import free_port, stop, wait_listening

APP = """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from dbguard.config import load_config
from dbguard.web import create_app


async def home(request):
    return PlainTextResponse("the team's own app")


app = Starlette(routes=[Route("/", home)])
app.mount("/tools/monitor", create_app(load_config({config!r})))
"""


@dataclass(frozen=True)
class MountedApp:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[str]
    log: Path


@contextlib.contextmanager
def mounted_app(folder: Path, config: Path) -> Iterator[MountedApp]:
    """`uvicorn team_app:app` in `folder`, the monitor of `config` mounted in it."""
    (folder / "team_app.py").write_text(APP.format(config=str(config)))
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "team_app:app", "--host", "127.0.0.1"]
    log = folder / "uvicorn.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DBGUARD_")}
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--log-level", "info"],
            cwd=folder,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        wait_listening(process, port, f"uvicorn (log: {log})")
        yield MountedApp(f"http://127.0.0.1:{port}", process, log)
    finally:
        if process.poll() is None:
            stop(process)
