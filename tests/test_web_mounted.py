"""The monitor mounted in a team's own Starlette app under a real uvicorn (tests/mounted_app.py):
the mount point without its trailing slash answers, and the routes work under the mount."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from check_project import ROOT
from mounted_app import mounted_app

TOKEN = "mounted-token-314"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def write_config(folder: Path, db: Path, serve: str = "") -> Path:
    config = folder / "dbguard.toml"
    config.write_text(
        f'[database]\npath = "{db}"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[backup]\ndir = "backups"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
        f'[serve]\ntoken = "{TOKEN}"\n{serve}'
    )
    return config


def test_the_mount_point_without_a_slash_answers_with_the_routes(
    tmp_path: Path, demo_db_template: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(demo_db_template, db)
    config = write_config(tmp_path, db, "public_health_quick = true\n")
    with mounted_app(tmp_path, config) as app, httpx.Client(base_url=app.url, timeout=30) as web:
        assert web.get("/").text == "the team's own app"
        bare = web.get("/tools/monitor", follow_redirects=True)
        assert bare.status_code == 200, bare.text
        assert bare.json() == web.get("/tools/monitor/").json()
        routes = bare.json()["routes"]
        assert routes["overview"] == {"path": "/tools/monitor/status/overview", "token": True}
        assert routes["health_quick"] == {"path": "/tools/monitor/health/quick", "token": False}
        # Every route it names answers under the mount point (with the token where wanted).
        for name, route in routes.items():
            response = web.get(route["path"], headers=AUTH if route["token"] else {})
            no_report_yet = name == "report"
            assert response.status_code == (404 if no_report_yet else 200), (name, response.text)
        assert web.get("/tools/monitor/status/overview").status_code == 401
        missing = web.get("/tools/monitor/nothing-here", headers=AUTH)
        assert missing.status_code == 404
        assert missing.json()["see"] == "/tools/monitor/status/overview"


def test_the_mounted_monitor_follows_its_config_file(
    tmp_path: Path, demo_db_template: Path
) -> None:
    """A changed dbguard.toml applies from the next request on (token and database here); a
    broken one keeps the last good configuration and the overview says why; the fix applies."""
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(demo_db_template, db)
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(demo_db_template, other)
    config = write_config(tmp_path, db, "cache_seconds = 60\n")
    with mounted_app(tmp_path, config) as app, httpx.Client(base_url=app.url, timeout=30) as web:
        quick = web.get("/tools/monitor/health/quick", headers=AUTH)
        assert quick.status_code == 200 and str(db) in quick.text
        overview = web.get("/tools/monitor/status/overview", headers=AUTH).json()
        assert overview["config"]["file"] == str(config)
        assert overview["config"]["reload_error"] is None

        new_token = {"Authorization": "Bearer second-token-271"}
        text = config.read_text().replace(TOKEN, "second-token-271").replace(str(db), str(other))
        config.write_text(text)
        assert web.get("/tools/monitor/health/quick", headers=AUTH).status_code == 401
        quick = web.get("/tools/monitor/health/quick", headers=new_token)
        # A new configuration starts with fresh caches (cache_seconds = 60 would keep the old).
        assert quick.status_code == 200 and str(other) in quick.text and str(db) not in quick.text

        config.write_text(text + "[checks\nbroken = \n")
        overview_response = web.get("/tools/monitor/status/overview", headers=new_token)
        assert overview_response.status_code == 200  # still served, by the last good config
        state = overview_response.json()["config"]
        assert "is not valid TOML" in state["reload_error"]
        assert "changed but cannot be used" in app.log.read_text()

        config.write_text(text.replace("cache_seconds = 60", "cache_seconds = 0"))
        overview = web.get("/tools/monitor/status/overview", headers=new_token).json()
        assert overview["config"]["reload_error"] is None
