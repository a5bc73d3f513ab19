"""SQL text dbguard builds around a suite's table: every identifier quoted, any name works."""

from __future__ import annotations

import re

from dbguard.database import quote_identifier

BATCH_PLACEHOLDER = re.compile(r"\{batch\}")


def batch_sql(query: str, table: str) -> str:
    """An unexpected-rows query with `{batch}` replaced by the table, ready for plain sqlite3."""
    return BATCH_PLACEHOLDER.sub(lambda _: quote_identifier(table), query.strip()).rstrip(";")


def whole_table_query(table: str) -> str:
    """Every row of `table`: the query of a GX query asset for a name GX cannot address."""
    return f"SELECT * FROM {quote_identifier(table)}"
