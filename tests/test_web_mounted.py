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
