"""A database no suite was written for, built deterministically for `dbguard suggest` tests:
keys (single, composite, unique index, key-like), a foreign key, categories, fixed formats,
numbers, and timestamps that end just before `now` so freshness can be proposed.

`awkward=True` gives the tables names that need quoting everywhere (`order`, `we"ird`,
`a.b`, `order items`)."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path


@dataclass(frozen=True)
class Names:
    orders: str
    items: str
    weird: str
    dotted: str
    readings: str = "sensor_reading"


PLAIN = Names("orders", "order_items", "tickets", "assets")
AWKWARD = Names("order", "order items", 'we"ird', "a.b")


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def build_generated_database(path: Path, now: datetime, *, awkward: bool = False) -> Names:
    names = AWKWARD if awkward else PLAIN
    orders, items, weird, dotted = (
        quoted(names.orders),
        quoted(names.items),
        quoted(names.weird),
        quoted(names.dotted),
    )
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.executescript(
            f"""
            CREATE TABLE {orders} (
                id INTEGER PRIMARY KEY,
                external_id TEXT NOT NULL,
                status TEXT NOT NULL,
                amount REAL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE {items} (
                order_id INTEGER NOT NULL REFERENCES {orders} (id),
                line_no INTEGER NOT NULL,
                sku TEXT NOT NULL,
                quantity INTEGER NOT NULL,
                PRIMARY KEY (order_id, line_no)
            );
            CREATE TABLE {weird} (
                id INTEGER PRIMARY KEY,
                "a.b" TEXT NOT NULL,
                label TEXT NOT NULL UNIQUE,
                ticket_no TEXT NOT NULL,
                score REAL NOT NULL
            );
            CREATE TABLE {dotted} (
                id INTEGER PRIMARY KEY,
                uuid TEXT NOT NULL,
                note TEXT,
                kind TEXT NOT NULL
            );
            CREATE TABLE sensor_reading (
                id INTEGER PRIMARY KEY,
                sensor_code TEXT NOT NULL,
                reading_at TEXT NOT NULL,
                value REAL NOT NULL
            );
            """
        )
        with connection:
            statuses = ("new", "paid", "shipped")
            order_rows = [
                (
                    number,
                    f"EXT-{number * 7919 % 100_000:05d}",
                    statuses[number % 3],
                    round(10 + (number * 37) % 490 + 0.25, 2),
                    stamp(now - timedelta(minutes=5 * (300 - number) + 2)),
                )
                for number in range(1, 301)
            ]
            connection.executemany(f"INSERT INTO {orders} VALUES (?, ?, ?, ?, ?)", order_rows)
            item_rows = [
                (order, line, f"SKU-{(order * 3 + line) % 40:04d}", 1 + (order + line) % 10)
                for order in range(1, 301)
                for line in range(1, 1 + order % 3 + 1)
            ]
            connection.executemany(f"INSERT INTO {items} VALUES (?, ?, ?, ?)", item_rows)
            connection.executemany(
                f"INSERT INTO {weird} VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        number,
                        f"2025-{number % 12 + 1:02d}",
                        f"label {number}",
                        f"T-{number:05d}",
                        round((number * 13) % 100 / 10, 1),
                    )
                    for number in range(1, 121)
                ],
            )
            connection.executemany(
                f"INSERT INTO {dotted} VALUES (?, ?, ?, ?)",
                [
                    (
                        number,
                        str(uuid.UUID(int=number * 2**64 + number)),
                        None if number % 4 == 0 else f"note {number}",
                        "xy"[number % 2],
                    )
                    for number in range(1, 61)
                ],
            )
            connection.executemany(
                "INSERT INTO sensor_reading VALUES (?, ?, ?, ?)",
                [
                    (
                        number,
                        f"S{number % 4 + 1:02d}",
                        stamp(now - timedelta(minutes=10 * (432 - number) + 1)),
                        round(18 + (number * 17) % 90 / 10, 1),
                    )
                    for number in range(1, 433)
                ],
            )
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return names
