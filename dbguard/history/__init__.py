"""The run history: every check, health and restore run's metrics and outcomes, in a small
SQLite file (`reports/history.sqlite3`).

It feeds the change-over-time checks (row counts vs the previous run, or vs
what a restore put back), the consecutive-failure logic (connection: 1 failure
is a warning, N in a row critical), the report's trend charts, the weekly
report and `dbguard baseline` (which refuses to capture from a database whose
last run was critical). It also keeps the incidents (when one opened and
closed, its assessment, its restores and repairs; dbguard.incident decides and
tells the story). The schema changes through `PRAGMA user_version` steps
(dbguard.history.migrations), so older files keep working. Only the standard
library is used, so the quick health path stays light.
"""

from dbguard.history.incident_records import (
    ActionRecord,
    Assessment,
    Incident,
    IncidentAction,
    RecoveryPoint,
)
from dbguard.history.incidents import IncidentStore
from dbguard.history.opening import (
    HistoryBusy,
    HistoryUnavailable,
    last_run_had_critical,
    open_history,
)
from dbguard.history.records import (
    CHECK,
    HEALTH,
    REPAIR,
    RESTORE,
    Outcome,
    RunRecord,
    StoredRun,
    utc_now,
)
from dbguard.history.store import History

__all__ = [
    "CHECK",
    "HEALTH",
    "REPAIR",
    "RESTORE",
    "ActionRecord",
    "Assessment",
    "History",
    "HistoryBusy",
    "HistoryUnavailable",
    "Incident",
    "IncidentAction",
    "IncidentStore",
    "Outcome",
    "RecoveryPoint",
    "RunRecord",
    "StoredRun",
    "last_run_had_critical",
    "open_history",
    "utc_now",
]
