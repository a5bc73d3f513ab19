"""Reference rules from foreign keys, as portable SQL for `unexpected_rows_expectation`.

The query names the child rows whose key has no parent row (SQL's MATCH SIMPLE: a key
with a NULL part is not checked), with the child's primary key so a report names the row.
It is the query the analysts' own reference rules use: a LEFT JOIN on the parent.
Identifiers are double-quoted, which SQLite and PostgreSQL both read; `{batch}` is the
table under test, as GX substitutes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbguard.database import quote_identifier


def reference_query(
    columns: Sequence[str], parent: str, parent_columns: Sequence[str], key: Sequence[str] = ()
) -> str:
    shown = [*key, *(column for column in columns if column not in key)]
    selected = ", ".join(f"child.{quote_identifier(column)}" for column in shown)
    present = " AND ".join(f"child.{quote_identifier(column)} IS NOT NULL" for column in columns)
    joined = " AND ".join(
        f"parent.{quote_identifier(theirs)} = child.{quote_identifier(ours)}"
        for ours, theirs in zip(columns, parent_columns, strict=True)
    )
    # A JOIN, not NOT EXISTS: GX then substitutes {batch} as a bare subquery the query may
    # alias itself; without a join it adds an alias of its own and "AS child" is an error.
    return (
        f"SELECT {selected} FROM {{batch}} AS child LEFT JOIN {quote_identifier(parent)} AS parent"
        f" ON {joined} WHERE {present} AND parent.{quote_identifier(parent_columns[0])} IS NULL"
    )


def reference_name(columns: Sequence[str], parent: str) -> str:
    return f"{'_'.join(columns)}_references_{parent}"
