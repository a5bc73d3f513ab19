"""A quality run loads pytest-html and pytest-metadata but not the plugins that only cost time."""

from __future__ import annotations

from pathlib import Path

from check_project import make_project, run_project

PLUGIN_CHECK = """
from dbguard.findings import Finding, Severity


def test_plugins(pytestconfig, record_finding):
    manager = pytestconfig.pluginmanager
    costly = ("unraisableexception", "hypothesispytest", "cacheprovider", "xdist", "anyio")
    loaded = [name for name in costly if manager.has_plugin(name)]
    missing = [name for name in ("html", "metadata") if not manager.has_plugin(name)]
    record_finding(Finding(
        "plugins", Severity.CRITICAL if loaded or missing else Severity.OK,
        "no costly plugin loaded; report plugins loaded",
        f"loaded {loaded}, missing {missing}", target="live",
    ))
"""


def test_quality_run_disables_costly_plugins_and_keeps_the_report_plugins(
    tmp_path: Path, demo_db: Path
) -> None:
    project = make_project(tmp_path, demo_db, {"test_plugins.py": PLUGIN_CHECK})
    (project / "expectations").mkdir(exist_ok=True)
    result = run_project(project)
    assert result["exit_code"] == 0, result["output"][-3000:]
    assert Path(result["html"]).is_file()
