"""Every threshold decision dbguard makes, written once: pure functions from what was
observed (plus the configuration) to a Finding.

The quality suite in checks/, `dbguard health`, the weekly report, the monitor
endpoints and the alerts all call these rules and never re-derive a severity or a
band, so the same table and counts get the same verdict everywhere (a property
test proves it). No I/O happens here: the caller measures, a rule decides.

One module per family of rules, named for it (rows, database, backup, connection,
system, …); each rule is `<what>_finding(observation…, config…) -> Finding`.
"""
