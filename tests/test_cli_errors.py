"""Bad input gets one line `dbguard: error: …` and exit 2, through the real console script."""

import subprocess
import sys
from pathlib import Path

DBGUARD = [sys.executable, "-m", "dbguard"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DBGUARD, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_unknown_option_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("--no-such-flag", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("dbguard: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_malformed_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "dbguard.toml").write_text("[database\npath = 3\n")
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 2
    assert "dbguard.toml is not valid TOML" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_config_key_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "dbguard.toml").write_text("[database]\npaht = 'db.sqlite3'\n")
    result = run("demo", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown key 'paht'" in result.stderr


def test_missing_config_file_named_by_option(tmp_path: Path) -> None:
    result = run("--config", "nowhere.toml", "demo", cwd=tmp_path)
    assert result.returncode == 2
    assert "nowhere.toml does not exist" in result.stderr


def test_missing_expectations_folder_is_a_usage_error_for_check_and_lint(
    demo_db: Path, tmp_path: Path
) -> None:
    (tmp_path / "dbguard.toml").write_text(
        f'[database]\npath = "{demo_db}"\n[checks]\nexpectations_dir = "no-such-folder"\n'
    )
    for command in ("check", "lint"):
        result = run(command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "expectations folder" in result.stderr and "no-such-folder" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "reports").exists()


def test_check_into_an_unwritable_report_folder_is_one_line_and_exit_2(
    demo_db: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    before = demo_db.read_bytes()
    result = run(
        "check",
        "--db",
        str(demo_db),
        "--report",
        str(blocker / "today.html"),
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("dbguard: error: cannot create report folder")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert demo_db.read_bytes() == before


def test_inconsistent_thresholds_and_a_non_http_health_url_are_config_errors(
    tmp_path: Path,
) -> None:
    cases = {
        "[checks]\nwarning_percent = 30\ncritical_percent = 20\n": "is above critical_percent",
        '[system]\nhealth_url = "localhost:8000/health"\n': "is not an http(s) URL",
    }
    for text, words in cases.items():
        (tmp_path / "dbguard.toml").write_text(text)
        result = run("backup", "list", cwd=tmp_path)
        assert result.returncode == 2, (text, result.stdout, result.stderr)
        assert words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        quick = run("health", "--quick", cwd=tmp_path)
        assert quick.returncode == 3 and words in quick.stderr


def test_an_unusable_reports_folder_is_one_line_not_a_traceback(
    demo_db: Path, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "dbguard.toml").write_text(
        f'[database]\npath = "{demo_db}"\n[reports]\ndir = "a-file/reports"\n'
        'history = "a-file/history.sqlite3"\n'
    )
    result = run("report", "--weekly", cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("dbguard: error: ") and "a-file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_config_after_the_command_says_where_it_goes(tmp_path: Path) -> None:
    result = run("backup", "list", "--config", "x.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "dbguard --config FILE backup list" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
