"""[alerts] and [serve] configuration: URLs from the file and the environment, checked with
apprise at load (once per URL set and apprise install); the deprecated webhook_url; bad
input is one line and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alert_receiver import dbguard

from dbguard.config import load_config
from dbguard.config.alerts import alert_secrets, mask_alert_url
from dbguard.config.apprise_record import RECORD_NAME, accepted_before, remember_accepted
from dbguard.errors import ConfigError
from dbguard.redact import mask_secrets


def write_config(folder: Path, text: str) -> Path:
    path = folder / "dbguard.toml"
    path.write_text(text)
    return path


def test_urls_from_the_file_and_the_environment_are_joined(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, '[alerts]\nurls = ["json://127.0.0.1:9000/a"]\nrepeat_after = "90m"\n'
    )
    environ = {
        "DBGUARD_ALERT_URLS": "dingtalk://abcdefgh12, json://127.0.0.1:9000/a  jsons://x.example/b"
    }
    alerts = load_config(path, environ).alerts
    assert alerts.urls == (
        "json://127.0.0.1:9000/a",
        "dingtalk://abcdefgh12",
        "jsons://x.example/b",
    )
    assert alerts.repeat_after_delta.total_seconds() == 5400


def test_deprecated_webhook_url_becomes_an_alert_url_with_one_warning_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(
        tmp_path, '[reports]\nwebhook_url = "https://hooks.example.com/x/SECRET1"\n'
    )
    alerts = load_config(path, {}).alerts
    assert alerts.urls == ("jsons://hooks.example.com/x/SECRET1",)
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("dbguard")]
    assert len(warnings) == 1 and "deprecated" in warnings[0] and "[alerts] urls" in warnings[0]
    assert "SECRET1" not in warnings[0]


@pytest.mark.parametrize(
    ("toml", "environ", "expected"),
    [
        ('[alerts]\nurls = ["nosuchservice://x"]\n', {}, "is not a URL apprise can send to"),
        ('[alerts]\nurls = ["just text"]\n', {}, "is not a URL"),
        ("", {"DBGUARD_ALERT_URLS": "json://"}, "$DBGUARD_ALERT_URLS"),
        ('[alerts]\nrepeat_after = "soon"\n', {}, "is not a duration"),
        ('[alerts]\nmin_severity = "info"\n', {}, "min_severity"),
        ("[alerts]\ntimeout_seconds = 0\n", {}, "timeout_seconds"),
        ('[serve]\ntoken = ""\n', {}, "token in"),
        ("", {"DBGUARD_SERVE_TOKEN": " "}, "$DBGUARD_SERVE_TOKEN is set but empty"),
        ("[serve]\nport = 70000\n", {}, "is not a TCP port"),
        ('[reports]\nprometheus_textfile = "metrics.txt"\n', {}, "does not end in .prom"),
    ],
)
def test_bad_alert_and_serve_settings_are_config_errors(
    tmp_path: Path, toml: str, environ: dict[str, str], expected: str
) -> None:
    path = write_config(tmp_path, toml)
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ)
    assert expected in raised.value.one_line()


def test_malformed_apprise_url_is_one_line_and_exit_2_for_any_command(tmp_path: Path) -> None:
    write_config(tmp_path, '[alerts]\nurls = ["nosuchservice://SECRETPART/x"]\n')
    for command in (["check"], ["alert", "test"], ["serve"]):
        result = dbguard(*command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("dbguard: error: alert URL"), lines
        assert "SECRETPART" not in result.stderr


def test_empty_serve_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    write_config(tmp_path, '[serve]\ntoken = ""\n')
    result = dbguard("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"dbguard: error: token in {tmp_path / 'dbguard.toml'} [serve] is empty (remove it to"
        " serve without a token, or set a long random one)"
    ]
    write_config(tmp_path, "")
    result = dbguard("serve", cwd=tmp_path, env={"DBGUARD_SERVE_TOKEN": ""})
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "$DBGUARD_SERVE_TOKEN is set but empty" in result.stderr


def test_alert_test_without_urls_is_exit_2(tmp_path: Path) -> None:
    write_config(tmp_path, "")
    result = dbguard("alert", "test", cwd=tmp_path)
    assert result.returncode == 2
    assert "no alert URLs are configured" in result.stderr


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("dingtalk://SECRETTOKEN123/SIGNSECRET456", "SECRETTOKEN123"),
        ("dingtalk://SECRETTOKEN123/SIGNSECRET456", "SIGNSECRET456"),
        ("json://user:PASSWORD99@127.0.0.1:80/hook/PATHTOKEN1", "PASSWORD99"),
        ("json://user:PASSWORD99@127.0.0.1:80/hook/PATHTOKEN1", "PATHTOKEN1"),
        ("jsons://example.com/x?token=QUERYSECRET", "QUERYSECRET"),
        ("wecombot://BOTKEY7777", "BOTKEY7777"),
    ],
)
def test_alert_urls_are_masked_everywhere(url: str, secret: str) -> None:
    assert secret not in mask_alert_url(url)
    text = f"sending to {url} failed (host {url.split('://')[1]})"
    assert secret not in mask_secrets(text, alert_secrets((url,)))


def test_masked_url_keeps_what_identifies_a_destination() -> None:
    assert mask_alert_url("json://127.0.0.1:8080/") == "json://127.0.0.1:8080/"
    assert mask_alert_url("json://127.0.0.1:8080/hook") == "json://127.0.0.1:8080/****"
    assert mask_alert_url("dingtalk://token") == "dingtalk://****"


def test_a_plain_word_in_a_json_url_path_is_not_masked_elsewhere() -> None:
    secrets = alert_secrets(("json://127.0.0.1:8080/alerts",))
    text = "database /srv/alerts/db.sqlite3, sent to json://127.0.0.1:8080/alerts"
    assert mask_secrets(text, secrets) == (
        "database /srv/alerts/db.sqlite3, sent to json://127.0.0.1:8080/****"
    )


LOADS_APPRISE = (
    "import sys\n"
    "from dbguard.config import load_config\n"
    "load_config(sys.argv[1], {})\n"
    "print('apprise' in sys.modules)\n"
)


def fresh_python(code: str, argument: Path, environment: dict[str, str] | None = None) -> str:
    """What `code` prints in a fresh interpreter (given `argument` as sys.argv[1])."""
    result = subprocess.run(
        [sys.executable, "-c", code, str(argument)],
        env={**os.environ, **(environment or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def loads_apprise(config: Path) -> bool:
    """Whether loading `config` in a fresh interpreter imported apprise."""
    return fresh_python(LOADS_APPRISE, config) == "True"


def test_urls_apprise_accepted_once_are_not_checked_again(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    text = '[reports]\nhistory = "reports/history.sqlite3"\n[alerts]\nurls = ["{url}"]\n'
    path = write_config(tmp_path, text.format(url="json://127.0.0.1:9/a?token=TOKEN1234"))
    assert loads_apprise(path)  # the first load checks with apprise…
    assert not loads_apprise(path)  # …and remembers, so the five-minute health does not
    record = (tmp_path / "reports" / RECORD_NAME).read_text()
    assert "TOKEN1234" not in record and "127.0.0.1" not in record  # digests only
    assert (tmp_path / "reports" / RECORD_NAME).stat().st_mode & 0o077 == 0
    write_config(tmp_path, text.format(url="json://127.0.0.1:9/b"))
    assert loads_apprise(path)  # another URL is checked again
    write_config(tmp_path, text.format(url="nosuchservice://x"))
    with pytest.raises(ConfigError, match="is not a URL apprise can send to"):
        load_config(path, {})  # a refused URL is never remembered
    with pytest.raises(ConfigError, match="is not a URL apprise can send to"):
        load_config(path, {})


def test_the_record_belongs_to_one_apprise_install(tmp_path: Path) -> None:
    urls = ("json://127.0.0.1:9/a",)
    remember_accepted(urls, tmp_path)
    assert accepted_before(urls, tmp_path)
    assert not accepted_before(("json://127.0.0.1:9/other",), tmp_path)
    # The installed apprise is part of what was accepted: a rewritten apprise (an upgrade)
    # makes the recorded digests stale. Simulated by recording under another apprise copy.
    other_apprise = tmp_path / "site" / "apprise"
    other_apprise.mkdir(parents=True)
    (other_apprise / "__init__.py").write_text("")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from dbguard.config.apprise_record import accepted_before\n"
        "print(accepted_before(('json://127.0.0.1:9/a',), Path(sys.argv[1])))\n"
    )
    assert fresh_python(code, tmp_path, {"PYTHONPATH": str(tmp_path / "site")}) == "False"


def test_no_record_is_written_where_there_is_no_folder(tmp_path: Path) -> None:
    remember_accepted(("json://127.0.0.1:9/a",), tmp_path / "missing")
    assert not (tmp_path / "missing").exists()
    assert not accepted_before(("json://127.0.0.1:9/a",), tmp_path / "missing")
