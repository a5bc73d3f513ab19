"""The SQL of each kind of row difference between the attached `point` and `live` copies of
one table, matched on its key (dbguard.incident.tables.key_match): `what` is the select list.
`incident diff` counts and lists with them; `incident repair` plans with them."""

from __future__ import annotations

from dbguard.database import quote_identifier
from dbguard.incident.tables import TableShape, key_match, values_differ


def deleted_query(shape: TableShape, what: str) -> str:
    table = quote_identifier(shape.name)
    return (
        f"SELECT {what} FROM point.{table} AS p WHERE NOT EXISTS"
        f" (SELECT 1 FROM live.{table} AS l WHERE {key_match(shape, 'l', 'p')})"
    )


def inserted_query(shape: TableShape, what: str) -> str:
    table = quote_identifier(shape.name)
    return (
        f"SELECT {what} FROM live.{table} AS l WHERE NOT EXISTS"
        f" (SELECT 1 FROM point.{table} AS p WHERE {key_match(shape, 'p', 'l')})"
    )


def changed_query(shape: TableShape, what: str) -> str:
    table = quote_identifier(shape.name)
    return (
        f"SELECT {what} FROM point.{table} AS p JOIN live.{table} AS l"
        f" ON {key_match(shape, 'l', 'p')} WHERE {values_differ(shape, 'p', 'l')}"
    )
