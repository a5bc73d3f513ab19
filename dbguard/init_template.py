"""The commented dbguard.toml that `dbguard init` writes beside a database.

Every path in it is relative to the file (so the folder can move), and every
number is read from the configuration's own defaults, so the file and the code
never disagree. The reference of every key is docs/configuration.md.
"""

from __future__ import annotations

import json
from datetime import datetime

from dbguard.config import Config


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def render_config(database_name: str, written_at: datetime) -> str:
    """dbguard.toml for the SQLite file `database_name`, which sits beside it."""
    defaults = Config()
    backup, retention = defaults.backup, defaults.backup.retention
    checks, system, replication = defaults.checks, defaults.system, defaults.replication
    excluded = ", ".join(toml_string(pattern) for pattern in defaults.archive.exclude)
    ignored = ", ".join(toml_string(pattern) for pattern in checks.ignore_tables)
    return f"""\
# dbguard configuration, written by `dbguard init` on {written_at:%Y-%m-%d}.
# Paths are relative to this file. Every key is optional: a key left out takes the
# default shown here. Every key is described in docs/configuration.md of dbguard.

[database]
path = {toml_string(database_name)}
# latency_query = "SELECT COUNT(*) FROM sqlite_master"   # the query whose latency health times

[backup]
dir = "backups"                 # verified snapshots db_YYYYMMDD_HHMMSS.sqlite3 (put it on another disk if you can)
max_age_warning_hours = {backup.max_age_warning_hours:g}      # the newest verified backup older than this: warning
max_age_critical_hours = {backup.max_age_critical_hours:g}     # older than this: critical
safety_copies_keep = {backup.safety_copies_keep}          # safety copies a restore or repair leaves beside the database

[backup.retention]
# restic's rules; keep_within counts back from the newest backup, not from now.
keep_last = {retention.keep_last}
keep_daily = {retention.keep_daily}
keep_weekly = {retention.keep_weekly}
keep_monthly = {retention.keep_monthly}
keep_within = {toml_string(retention.keep_within)}
min_verified = {retention.min_verified}                # never fewer verified backups than this

[archive]
# The weekly project archive (`dbguard backup archive`): this folder as a .tar.gz, without
# the backups, the live database and the patterns below.
source = "."
dir = "backups/archives"
exclude = [{excluded}]

[checks]
expectations_dir = "expectations"   # one suite per table: `dbguard baseline` and `suggest` write them
warning_percent = {checks.warning_percent:g}                # a table this far off its baseline row count: warning
critical_percent = {checks.critical_percent:g}               # this far: critical
# ignore_tables = [{ignored}]   # tables that get no suite, count or alert

[system]
disk_warning_percent = {system.disk_warning_percent:g}
disk_critical_percent = {system.disk_critical_percent:g}
memory_warning_percent = {system.memory_warning_percent:g}
memory_critical_percent = {system.memory_critical_percent:g}
# health_url = "http://localhost:8000/health"   # your application's health route (2 s / 5 s)

[reports]
dir = "reports"                 # HTML reports, JUnit XML, weekly reports
history = "reports/history.sqlite3"
logs_dir = "logs"               # the scheduled jobs' logs

# [alerts]
# urls = ["json://ops.example.com:8080/dbguard"]   # apprise URLs: slack://, dingtalk://, wecombot://, mailtos://

[replication]
# Continuous replication with Litestream: set enabled = true, then run `dbguard replicate`
# (or install its systemd unit: `dbguard schedule --systemd`).
enabled = false
# replica = "/mnt/other-disk/replica"   # a folder (default: <backup dir>/replica) or "s3://bucket/path"
sync_interval = {toml_string(replication.sync_interval)}            # a host crash loses up to about two intervals of writes (docs/replication.md)
"""
