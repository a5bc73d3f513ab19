"""Alerts: tell people when the status of a check, health or backup run changes.

One module per job: `store` (state and record in the run history file), `message` (the
text), `sending` (apprise, within one time budget), `notify` (decide, send, record),
`sources` (the one call each command makes), `weekly` (the weekly report's section).
"When to send" is the pure rule `dbguard.rules.alerting.decide`.
"""
