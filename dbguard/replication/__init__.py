"""Continuous replication: Litestream ships the WAL, dbguard configures, runs, watches and
verifies it (CONVENTIONS habit 15: supervise, don't reimplement).

One module per job: `location` (where the replica is, and Litestream's environment),
`binary` (finding the litestream executable), `config_file` (Litestream's YAML generated
from `[replication]`), `supervise` (`dbguard replicate`: Litestream as a child process),
`state` (what the replica holds, read from its files or `litestream ltx`), `status` (lag
and liveness, the findings of `health` and `check`), `restore` (Litestream restores into a
temporary file, then dbguard's verified restore path takes over).
"""
