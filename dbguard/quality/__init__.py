"""The quality engine: Great Expectations suites loaded strictly, validated read-only, classified.

Modules, one job each: `gx_context` (an ephemeral, quiet GX context), `suites`
(strict loading and canonical writing of suite files), `validate` (a suite
against a SQLite file), `severity` (pure classification), `baseline`
(re-capturing row-count baselines), `lint` (suites against the live schema).
"""
