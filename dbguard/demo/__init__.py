"""The built-in demo: the seed's five tables with the plan's exact row counts."""
