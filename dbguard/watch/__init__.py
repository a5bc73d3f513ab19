"""`dbguard serve` watches as well as serves (issue 20).

- `changes`: did the data change since the last run? Two `stat` calls, nothing held open.
- `warm`: a `multiprocessing` forkserver preloaded with Great Expectations, pandas,
  SQLAlchemy and pytest; every run is a fresh child forked from it, killed at its timeout.
- `jobs`: what a child runs: the quick health, the check (`check_run.run_checks`), exactly as
  `dbguard health --quick` and `dbguard check` run from cron (history, alerts, textfile).
- `loop`: the thread in `dbguard serve` that runs them on `[watch]`'s intervals.

The watcher computes nothing the commands do not: verdicts come from check_run, health and
the alert rules; state lives in the history and the alert store, never in this process.
"""
