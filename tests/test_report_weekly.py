"""`dbguard report --weekly`: the plan's weekly Markdown, with advice from what the history
shows happened that week."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from check_project import ROOT

from dbguard.config import load_config
from dbguard.history import Outcome, RunRecord, open_history, utc_now
from dbguard.report.weekly import write_weekly_report


def make_config(tmp_path: Path, db: Path, webhook: str = "") -> Path:
    path = tmp_path / "dbguard.toml"
    path.write_text(
        f'[database]\npath = "{db}"\n[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        f'[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\nwebhook_url = "{webhook}"\n'
    )
    return path


def add_run(history_path: Path, db: Path, status: str, days_ago: float, failing: str = "") -> None:
    started = utc_now() - timedelta(days=days_ago)
    outcomes = (
        [Outcome(failing, status, "failed" if status == "critical" else "passed")]
        if failing
        else []
    )
    open_history(history_path).append(
        RunRecord(
            kind="check",
            started_at=started,
            finished_at=started + timedelta(seconds=5),
            database=str(db),
            status=status,
            metrics={"rows.pue_data.live": 240.0, "backup_age_hours": 3.0},
            outcomes=outcomes,
        )
    )


def test_weekly_report_has_the_plan_sections_and_per_table_counts(
    tmp_path: Path, demo_db_template: Path
) -> None:
    config = load_config(make_config(tmp_path, demo_db_template))
    add_run(config.reports.history, demo_db_template, "ok", days_ago=2)
    path = write_weekly_report(config)
    assert path.name == f"weekly_report_{utc_now():%Y%m%d}.md"
    text = path.read_text()
    for heading in ("Status overview", "Performance", "Data integrity", "Advice"):
        assert f"## {heading}" in text
    assert "- Total records: 14,254" in text
    assert "- Tables: 5" in text
    assert "| pue_drill_data | 13,680 | – | ✅ ok |" in text
    assert "| pue_data | 240 | +0.0 % | ✅ ok |" in text
    assert "were clean" in text


def test_advice_names_the_week_critical_findings(tmp_path: Path, demo_db_template: Path) -> None:
    config = load_config(make_config(tmp_path, demo_db_template))
    add_run(config.reports.history, demo_db_template, "critical", 3, failing="foreign keys")
    add_run(config.reports.history, demo_db_template, "critical", 2, failing="foreign keys")
    add_run(config.reports.history, demo_db_template, "ok", 1)
    add_run(config.reports.history, demo_db_template, "critical", 20, failing="old news")
    text = write_weekly_report(config).read_text()
    assert "2 of 3 check runs had critical findings (foreign keys (2×))" in text
    assert "| foreign keys | 0 | 2 |" in text
    assert "old news" not in text  # three weeks ago is not this week
    assert "were clean" not in text


def test_advice_when_nothing_ran_this_week(tmp_path: Path, demo_db_template: Path) -> None:
    config = load_config(make_config(tmp_path, demo_db_template))
    text = write_weekly_report(config).read_text()
    assert "No quality check ran this week" in text
    assert "UNKNOWN (no check ran this week)" in text


def test_cli_prints_the_path_and_masks_the_webhook(tmp_path: Path, demo_db_template: Path) -> None:
    webhook = "https://hooks.slack.com/services/T0/B0/SECRETTOKEN123"
    make_config(tmp_path, demo_db_template, webhook=webhook)
    result = subprocess.run(
        [sys.executable, "-m", "dbguard", "report", "--weekly"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == tmp_path / "reports" and path.is_file()
    assert "SECRETTOKEN123" not in path.read_text()


def test_a_run_in_the_same_second_as_the_report_counts(
    tmp_path: Path, demo_db_template: Path
) -> None:
    config = load_config(make_config(tmp_path, demo_db_template))
    add_run(config.reports.history, demo_db_template, "warning", days_ago=0)
    moment = open_history(config.reports.history).recent_runs(kind="check")[0].started_at
    # The history keeps whole seconds; the report is written later within that second.
    text = write_weekly_report(config, now=moment + timedelta(milliseconds=900)).read_text()
    assert "- Check runs this week: 1 (worst: warning)" in text


def test_critical_health_runs_are_advised_on_even_when_checks_were_clean(
    tmp_path: Path, demo_db_template: Path
) -> None:
    config = load_config(make_config(tmp_path, demo_db_template))
    add_run(config.reports.history, demo_db_template, "ok", days_ago=1)
    started = utc_now() - timedelta(hours=2)
    open_history(config.reports.history).append(
        RunRecord(
            kind="health",
            started_at=started,
            finished_at=started,
            database=str(demo_db_template),
            status="critical",
            metrics={},
            outcomes=[Outcome("health url", "critical", "failed")],
        )
    )
    text = write_weekly_report(config).read_text()
    assert "1 of 1 health checks raised warnings or criticals (health url (1×))" in text
    assert "were clean" not in text
