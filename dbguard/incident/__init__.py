"""Incident response (round 3): incidents as records (`records`), the story of one incident
(`story`) and its post-mortem (`postmortem`, `postmortem_html`, `notes`); recovery points
(`points`: list every backup and restorable replica transaction, resolve a --from/--since,
bring one back into a scratch folder).

Between the CLI and the layers it reads (history, rules, alerts); nothing here imports
Great Expectations, pandas or SQLAlchemy at module level.
"""
