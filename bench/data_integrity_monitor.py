"""The plan's data_integrity_monitor.py logic as a plain script: three COUNT(*) against a baseline.

    python bench/data_integrity_monitor.py DB

The plan runs it through an async SQLAlchemy session; this keeps only its
work (three counts, ±10 % warning / ±25 % critical) on the sqlite3 module,
the lightest fair baseline for `dbguard health --quick`.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime

BASELINE = {"pue_data": 240, "fault_record": 272, "huijugugan": 28}


def check_data_integrity(path: str) -> dict[str, object]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        current = {
            table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in BASELINE
        }
    finally:
        connection.close()
    alerts = []
    for table, baseline in BASELINE.items():
        change_percent = abs(current[table] - baseline) / baseline * 100
        if change_percent > 25:
            alerts.append(f"critical: {table} changed {change_percent:.1f}%")
        elif change_percent > 10:
            alerts.append(f"warning: {table} changed {change_percent:.1f}%")
    status = (
        "error" if any(a.startswith("critical") for a in alerts) else "warning" if alerts else "ok"
    )
    return {
        "timestamp": datetime.now(UTC),
        "current_data": current,
        "alerts": alerts,
        "status": status,
    }


if __name__ == "__main__":
    result = check_data_integrity(sys.argv[1])
    print(f"data integrity: {result['status']}")
    for alert in result["alerts"]:  # type: ignore[attr-defined]
        print(f"  {alert}")
