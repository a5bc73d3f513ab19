"""Database health outside the full quality run: the connection check, row-count bands, and
the five-minute `dbguard health --quick` (Nagios). Standard library and psutil only."""
