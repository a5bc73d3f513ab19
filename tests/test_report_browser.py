"""The report as a person sees it: rendered by headless Chromium, offline.

Chromium dumps the DOM after pytest-html's script ran, and writes a net log;
the test asserts what is visible (status, severity cells, charts) and that the
page asked for nothing over the network. A control page with one remote image
proves the net-log check would see such a request.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from check_project import CRITICAL_CHECK, SAMPLE_CHECKS, make_project, run_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
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


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path
) -> tuple[str, list[str]]:
    tmp_path = tmp_path_factory.mktemp("browser")
    project = make_project(
        tmp_path,
        demo_db_template,
        {"test_sample.py": SAMPLE_CHECKS, "test_critical.py": CRITICAL_CHECK},
    )
    run_project(project)  # a first run, so the charts have two points
    report = Path(run_project(project)["html"])
    return render(report, tmp_path)


def test_net_log_check_sees_a_remote_request(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text('<html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>')
    _, requests = render(control, tmp_path)
    assert "http://127.0.0.1:9/pixel.png" in requests


def test_report_renders_offline_without_any_network_request(
    rendered: tuple[str, list[str]],
) -> None:
    _, requests = rendered
    assert requests == []


def test_rendered_report_shows_critical_status_at_the_top(rendered: tuple[str, list[str]]) -> None:
    dom, _ = rendered
    title = re.search(r'<h1 id="title">(.*?)</h1>', dom)
    assert title is not None and title.group(1).startswith("CRITICAL")
    assert re.search(r'class="dbguard-status"[^>]*>Status: CRITICAL<', dom)


def test_rendered_results_table_has_severity_cells_per_test(
    rendered: tuple[str, list[str]],
) -> None:
    dom, _ = rendered
    # pytest-html builds the rows with JavaScript: they exist only if its script ran.
    cells = re.findall(r'<td class="col-severity">.*?>(\w+)</span></td>', dom)
    assert sorted(cells) == ["critical", "ok", "warning"]
    assert "observed: 5 orphan comments" in dom


def test_rendered_report_shows_the_trend_charts(rendered: tuple[str, list[str]]) -> None:
    dom, _ = rendered
    charts = re.findall(r'<img class="dbguard-chart" alt="([^"]+)"[^>]*src="data:image/png', dom)
    assert "Rows per table (live)" in charts
    assert "Latest backup age" in charts
    assert "hunter2" not in dom
