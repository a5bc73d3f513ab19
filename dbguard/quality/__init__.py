"""The quality engine: Great Expectations suites loaded strictly, validated read-only, classified.

Modules, one job each: `gx_context` (an ephemeral, quiet GX context and how a
table of any name is addressed in it), `suites` (strict loading of suite
files), `suite_entries` (each entry checked against GX, its label),
`suite_files` (safe file names, canonical text, atomic writes), `queries` (SQL
text around a table, identifiers quoted), `validate` (a suite against a SQLite
file), `suite_passes` (which entries GX validates in one call, and a raising call
retried entry by entry), `outcomes` (a GX result as a finding with fitting advice),
`row_examples` (the table's key and the rows that broke a rule), `suite_bands`
(the suites' row-count bands as plain JSON, for health), `baseline`
(re-capturing row-count baselines), `lint` (suites against the live schema),
`targets` (what a run checks). Threshold decisions live in dbguard.rules.
For analysts: `describe` (expectations in plain language), `schema_snapshot` (each
table's columns kept in its suite), `freshness` (the newest timestamp against its
limits), `suite_meta` (what dbguard keeps in a suite's meta), `formats` (fixed text
formats), and `suggest/` (rules proposed from the data).
"""
