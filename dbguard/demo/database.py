"""Build the demo database deterministically: the plan's five tables and counts.

| table          | rows   |
|----------------|--------|
| pue_data       | 240    |  20 sites x 12 months
| fault_record   | 272    |
| huijugugan     | 28     |
| pue_comment    | 34     |
| pue_drill_data | 13,680 |  57 items per pue_data row
|                | 14,254 |

Values are realistic and consistent: PUE = total / IT energy, between 1.0 and
3.0; the 57 drill-down items of a PUE row sum to its total energy; a fault
recovers after it starts; utilisation lies in [0, 1]; every comment and
drill-down row points at an existing PUE row. The same seed gives the same
bytes of data on every machine.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from dbguard.errors import DatabaseError

SEED = 20250904
# Stamped into the file (PRAGMA application_id) so a rebuild replaces only a demo database.
DEMO_APPLICATION_ID = 0x64626764  # "dbgd"
SITES = [
    f"DC-{city}-{number:02d}"
    for city in (
        "Beijing",
        "Shanghai",
        "Guangzhou",
        "Shenzhen",
        "Chengdu",
        "Wuhan",
        "Xian",
        "Hangzhou",
        "Nanjing",
        "Tianjin",
    )
    for number in (1, 2)
]
MONTHS = [f"2024-{month:02d}" for month in range(9, 13)] + [
    f"2025-{month:02d}" for month in range(1, 9)
]
DRILL_CATEGORIES = {
    "it": 24,  # servers, storage, network racks: the IT load
    "cooling": 15,
    "power_distribution": 10,
    "lighting": 4,
    "other": 4,
}
FAULT_SEVERITIES = ("critical", "major", "minor", "warning")
FAULT_STATUSES = ("open", "recovered", "closed")
DEVICE_TYPES = ("UPS", "PDU", "CRAC", "chiller", "switch", "router", "generator", "battery")
FAULT_TYPES = ("power_loss", "overheat", "link_down", "hardware", "software", "maintenance")
NODE_TYPES = ("aggregation", "backbone")
NODE_STATUSES = ("online", "offline", "maintenance")

EXPECTED_COUNTS = {
    "pue_data": 240,
    "fault_record": 272,
    "huijugugan": 28,
    "pue_comment": 34,
    "pue_drill_data": 13_680,
}

SCHEMA = """
CREATE TABLE huijugugan (
    id              INTEGER PRIMARY KEY,
    node_name       TEXT NOT NULL UNIQUE,
    site            TEXT NOT NULL,
    node_type       TEXT NOT NULL,
    bandwidth_gbps  REAL NOT NULL,
    utilization     REAL NOT NULL,
    status          TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE pue_data (
    id               INTEGER PRIMARY KEY,
    site             TEXT NOT NULL,
    month            TEXT NOT NULL,
    total_energy_kwh REAL NOT NULL,
    it_energy_kwh    REAL NOT NULL,
    pue              REAL NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (site, month)
);
CREATE TABLE pue_drill_data (
    id          INTEGER PRIMARY KEY,
    pue_id      INTEGER NOT NULL REFERENCES pue_data (id),
    item_code   TEXT NOT NULL,
    category    TEXT NOT NULL,
    energy_kwh  REAL NOT NULL
);
CREATE INDEX pue_drill_data_pue_id ON pue_drill_data (pue_id);
CREATE TABLE pue_comment (
    id          INTEGER PRIMARY KEY,
    pue_id      INTEGER NOT NULL REFERENCES pue_data (id),
    author      TEXT NOT NULL,
    content     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE fault_record (
    id             INTEGER PRIMARY KEY,
    site           TEXT NOT NULL,
    node_id        INTEGER REFERENCES huijugugan (id),
    device_type    TEXT NOT NULL,
    fault_type     TEXT NOT NULL,
    severity       TEXT NOT NULL,
    status         TEXT NOT NULL,
    start_time     TEXT NOT NULL,
    recovery_time  TEXT,
    description    TEXT
);
"""


def build_demo_database(path: Path, *, drill_rows_per_pue: int = 57) -> Path:
    """Write the demo database to `path` (replacing a previous demo) in WAL mode.

    `drill_rows_per_pue` above 57 makes a larger database of the same shape for
    benchmarks; the demo itself always uses 57.
    """
    path = Path(path)
    if path.exists() and not is_demo_database(path):
        raise DatabaseError(
            f"{path} exists and is not a dbguard demo database; refusing to replace it",
            "pick another folder with: dbguard demo --dir DIR",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(SEED)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(SCHEMA)
        with connection:
            _insert_nodes(connection, rng)
            _insert_pue(connection, rng, drill_rows_per_pue)
            _insert_comments(connection, rng)
            _insert_faults(connection, rng)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return path


def is_demo_database(path: Path) -> bool:
    """True if `path` is a database this builder made (an empty file counts as replaceable)."""
    if Path(path).stat().st_size == 0:
        return True
    try:
        connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False
    return bool(application_id == DEMO_APPLICATION_ID)


def _insert_nodes(connection: sqlite3.Connection, rng: random.Random) -> None:
    rows = []
    for node_id in range(1, 29):
        site = SITES[(node_id - 1) % len(SITES)]
        node_type = NODE_TYPES[0] if node_id % 4 else NODE_TYPES[1]
        rows.append(
            (
                node_id,
                f"{site}-{'AGG' if node_type == 'aggregation' else 'BB'}-{node_id:02d}",
                site,
                node_type,
                float(rng.choice((10, 40, 100, 400))),
                round(rng.uniform(0.05, 0.92), 4),
                rng.choices(NODE_STATUSES, weights=(90, 3, 7))[0],
                f"2025-09-0{rng.randint(1, 4)}T{rng.randint(0, 23):02d}:00:00",
            )
        )
    connection.executemany("INSERT INTO huijugugan VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _insert_pue(connection: sqlite3.Connection, rng: random.Random, items_per_row: int) -> None:
    pue_rows = []
    drill_rows = []
    categories = [name for name, count in DRILL_CATEGORIES.items() for _ in range(count)]
    while len(categories) < items_per_row:
        categories.append("other")
    pue_id = 0
    for site in SITES:
        base_load = rng.uniform(300_000, 1_500_000)
        for month in MONTHS:
            pue_id += 1
            target_pue = rng.uniform(1.25, 1.85)
            it_total = base_load * rng.uniform(0.9, 1.1)
            overhead = it_total * (target_pue - 1)
            items = _split(rng, it_total, categories.count("it"))
            items += _split(rng, overhead, len(categories) - categories.count("it"))
            items = [round(value, 3) for value in items]
            it_energy = round(sum(items[: categories.count("it")]), 3)
            total_energy = round(sum(items), 3)
            pue_rows.append(
                (
                    pue_id,
                    site,
                    month,
                    total_energy,
                    it_energy,
                    round(total_energy / it_energy, 4),
                    f"{month}-28T06:00:00",
                )
            )
            for index, (category, energy) in enumerate(zip(categories, items, strict=True)):
                drill_rows.append(
                    (pue_id, f"{category[:4].upper()}-{index + 1:03d}", category, energy)
                )
    connection.executemany("INSERT INTO pue_data VALUES (?, ?, ?, ?, ?, ?, ?)", pue_rows)
    connection.executemany(
        "INSERT INTO pue_drill_data (pue_id, item_code, category, energy_kwh) VALUES (?, ?, ?, ?)",
        drill_rows,
    )


def _split(rng: random.Random, total: float, parts: int) -> list[float]:
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    return [weight * scale for weight in weights]


def _insert_comments(connection: sqlite3.Connection, rng: random.Random) -> None:
    remarks = (
        "PUE higher than last month: chiller maintenance",
        "Cooling retrofit finished, expect lower PUE",
        "IT load grew after the new cluster went live",
        "Metering gap on the 14th, values estimated",
        "Free cooling season started",
        "Confirmed with site engineer",
    )
    rows = []
    for comment_id in range(1, 35):
        pue_id = rng.randint(1, 240)
        rows.append(
            (
                comment_id,
                pue_id,
                rng.choice(("zhang.wei", "li.na", "wang.fang", "chen.jie")),
                rng.choice(remarks),
                f"2025-0{rng.randint(1, 8)}-{rng.randint(10, 28)}T09:30:00",
            )
        )
    connection.executemany("INSERT INTO pue_comment VALUES (?, ?, ?, ?, ?)", rows)


def _insert_faults(connection: sqlite3.Connection, rng: random.Random) -> None:
    rows = []
    start_of_period = datetime(2024, 9, 1)
    for fault_id in range(1, 273):
        start = start_of_period + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        status = rng.choices(FAULT_STATUSES, weights=(8, 30, 62))[0]
        recovery = None if status == "open" else start + timedelta(minutes=rng.randint(5, 72 * 60))
        node_id = rng.randint(1, 28)
        rows.append(
            (
                fault_id,
                SITES[(node_id - 1) % len(SITES)],
                node_id,
                rng.choice(DEVICE_TYPES),
                rng.choice(FAULT_TYPES),
                rng.choices(FAULT_SEVERITIES, weights=(5, 20, 45, 30))[0],
                status,
                start.isoformat(timespec="seconds"),
                recovery.isoformat(timespec="seconds") if recovery else None,
                None,
            )
        )
    connection.executemany("INSERT INTO fault_record VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
