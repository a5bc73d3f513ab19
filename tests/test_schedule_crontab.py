"""`dbguard schedule`: the plan's jobs rendered, and installed into a crontab (a fake `crontab`
executable on PATH that stores to a file) without clobbering the user's other entries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fake_crontab import fake_crontab_bin, fake_crontab_environment

from dbguard.config import load_config
from dbguard.errors import ConfigError
from dbguard.schedule import BEGIN, END, merge_block, render_block


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    project = tmp_path / "my project"
    project.mkdir()
    (project / "dbguard.toml").write_text('[reports]\nlogs_dir = "logs"\n')
    return project


def test_block_has_the_plan_jobs_with_absolute_paths_and_logs(folder: Path) -> None:
    config = load_config(folder / "dbguard.toml")
    block = render_block(config, Path("/opt/venv/bin/dbguard"))
    lines = block.splitlines()
    assert lines[0].startswith(BEGIN) and lines[-1] == END
    jobs = [line for line in lines if not line.startswith("#")]
    schedules = {line.split(" cd ")[0]: line for line in jobs}
    assert set(schedules) == {"0 2 * * *", "0 * * * *", "*/5 * * * *", "0 3 * * 0", "30 3 * * 0"}
    assert "backup create --prune >>" in schedules["0 2 * * *"]
    assert "dbguard.toml' check >>" in schedules["0 * * * *"]
    assert "health --quick >>" in schedules["*/5 * * * *"]
    assert "backup archive --prune >>" in schedules["0 3 * * 0"]
    assert "report --weekly >>" in schedules["30 3 * * 0"]
    for line in jobs:
        assert (
            f"cd '{folder}' && mkdir -p '{folder}/logs' && /opt/venv/bin/dbguard"
            f" --config '{folder}/dbguard.toml'"
        ) in line
        assert f"'{folder}/logs/" in line and line.endswith(" 2>&1")


def test_percent_signs_are_escaped_for_cron(tmp_path: Path) -> None:
    folder = tmp_path / "100%"
    folder.mkdir()
    (folder / "dbguard.toml").write_text("")
    block = render_block(load_config(folder / "dbguard.toml"), Path("/bin/dbguard"))
    assert "100\\%" in block and "100%/" not in block


def test_merge_replaces_the_block_and_keeps_other_entries(folder: Path) -> None:
    block = render_block(load_config(folder / "dbguard.toml"), Path("/bin/dbguard"))
    user = "MAILTO=ops@example.com\n15 4 * * * /usr/local/bin/rotate-logs\n"
    once = merge_block(user, block)
    twice = merge_block(once, block)
    assert twice == once
    assert once.startswith(user)
    assert once.count(BEGIN) == 1 and once.count(END) == 1


def test_unterminated_block_is_refused() -> None:
    with pytest.raises(ConfigError, match="without"):
        merge_block(f"{BEGIN}\n0 * * * * something\n", "block\n")


def run_schedule(
    folder: Path, fake_bin: Path, store: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    environment = fake_crontab_environment(fake_bin, store)
    return subprocess.run(
        [sys.executable, "-m", "dbguard", "schedule", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_install_twice_keeps_one_block_and_the_users_own_lines(
    folder: Path, tmp_path: Path
) -> None:
    fake_bin = fake_crontab_bin(tmp_path)
    store = tmp_path / "crontab.txt"
    store.write_text("# my own job\n*/10 * * * * /usr/bin/true\n")
    for _ in range(2):
        result = run_schedule(folder, fake_bin, store, "--install")
        assert result.returncode == 0, result.stderr
    installed = store.read_text()
    assert installed.startswith("# my own job\n*/10 * * * * /usr/bin/true\n")
    assert installed.count(BEGIN) == 1
    assert installed.count("health --quick") == 1
    assert (folder / "logs").is_dir()


def test_install_into_an_empty_crontab(folder: Path, tmp_path: Path) -> None:
    fake_bin = fake_crontab_bin(tmp_path)
    store = tmp_path / "crontab.txt"  # absent: `crontab -l` says "no crontab for …"
    result = run_schedule(folder, fake_bin, store, "--install")
    assert result.returncode == 0, result.stderr
    assert store.read_text().startswith(BEGIN)


def test_print_only_does_not_touch_the_crontab(folder: Path, tmp_path: Path) -> None:
    fake_bin = fake_crontab_bin(tmp_path)
    store = tmp_path / "crontab.txt"
    result = run_schedule(folder, fake_bin, store)
    assert result.returncode == 0
    assert result.stdout.startswith(BEGIN)
    assert not store.exists()


def test_systemd_prints_the_unit_for_serve_which_watches(folder: Path, tmp_path: Path) -> None:
    store = tmp_path / "crontab.txt"
    fake_bin = fake_crontab_bin(tmp_path)
    result = run_schedule(folder, fake_bin, store, "--systemd")
    assert result.returncode == 0, result.stderr
    unit = result.stdout
    assert unit.startswith("# dbguard-serve.service: save as /etc/systemd/system/")
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert exec_start.endswith(f'"--config" "{folder / "dbguard.toml"}" "serve"')
    assert "Restart=always" in unit and "KillMode=mixed" in unit
    assert unit.rstrip().endswith("WantedBy=multi-user.target")
    assert "dbguard-replicate.service" not in unit  # no [replication] here
    assert not store.exists()
    printed = run_schedule(folder, fake_bin, store)
    assert "`dbguard schedule --systemd` prints the unit for `dbguard serve`" in printed.stderr
