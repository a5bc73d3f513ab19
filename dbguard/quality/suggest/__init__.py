"""`dbguard suggest`: expectations proposed from the live data, for analysts to review.

Modules, one job each: `profile` (one read-only aggregate pass per table), `propose`
(pure: a profile and [analysts.suggest] to proposals), `references` (portable SQL for
foreign keys), `coverage` (what a suite already checks), `apply` (keep what is new, append
it to the suites), `render` (the readable diff).
"""
