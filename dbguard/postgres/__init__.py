"""PostgreSQL, read with psycopg 3 directly (no SQLAlchemy, no GX): the connection the health
checks and the table listing use. Every session is read-only
(`default_transaction_read_only`): dbguard never writes to a checked database."""
