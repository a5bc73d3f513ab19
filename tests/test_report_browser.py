"""The report as a person sees it: rendered by headless Chromium, offline.

Chromium dumps the DOM after pytest-html's script ran, and writes a net log;
the test asserts what is visible (status, severity cells, charts) and that the
page asked for nothing over the network. A control page with one remote image
proves the net-log check would see such a request.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from check_project import CRITICAL_CHECK, SAMPLE_CHECKS, make_project, run_project
from chromium import CHROMIUM_MISSING, render

pytestmark = CHROMIUM_MISSING


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
