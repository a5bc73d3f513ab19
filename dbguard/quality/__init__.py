"""The quality engine: Great Expectations suites loaded strictly, validated read-only, classified.

Modules, one job each: `gx_context` (an ephemeral, quiet GX context), `suites`
(strict loading and canonical writing of suite files), `validate` (a suite
against a SQLite file), `severity` (pure classification), `baseline`
(re-capturing row-count baselines), `lint` (suites against the live schema).
For analysts: `describe` (expectations in plain language), `schema_snapshot` (each
table's columns kept in its suite), `freshness` (the newest timestamp against its
limits), `suite_meta` (what dbguard keeps in a suite's meta), `formats` (fixed text
formats), and `suggest/` (rules proposed from the data).
"""
