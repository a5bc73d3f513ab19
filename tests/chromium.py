"""Headless Chromium for the report tests: the DOM after the page's scripts ran, and the
URLs the page itself requested (it must request none: the report works offline)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# A test module that renders pages sets `pytestmark = CHROMIUM_MISSING`.
CHROMIUM_MISSING = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)


def render(page: Path, work: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and the URLs the page itself requested (not file:/data:)."""
    net_log = work / "net-log.json"
    completed = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            f"--user-data-dir={work / 'profile'}",
            f"--log-net-log={net_log}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout, page_requests(net_log)


def page_requests(net_log: Path) -> list[str]:
    """URLs requested on behalf of a file:// page (Chromium's own background requests have
    another network isolation key and are not the report's doing)."""
    text = net_log.read_text()
    if not text.rstrip().endswith("}"):  # a log cut short at exit: close it
        text = text.rstrip().rstrip(",") + "]}"
    log = json.loads(text)
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] != start_job or "url" not in params:
            continue
        if "file://" in str(params.get("network_isolation_key", "")) and not params[
            "url"
        ].startswith(("file:", "data:", "blob:")):
            urls.append(params["url"])
    return urls
