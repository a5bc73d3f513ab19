"""Benchmarks of issue 5, run by `make bench` (never by `make test`); results in bench/RESULTS.md."""
