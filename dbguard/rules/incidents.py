"""When an incident opens, closes, or takes a restore or repair: a pure decision over one run
appended to the history and whether an incident of its database is open. No I/O:
dbguard.incident.records applies it, the history only stores what it decided.

- A check run that is CRITICAL opens an incident, unless one is open already (a second
  critical run belongs to the same incident).
- A check run that is OK again (INFO counts as OK, as everywhere) closes the open incident.
  A WARNING does not: the incident stays open until the data is OK.
- A restore (or a repair) while an incident is open is attached to it.
- Anything else (health runs, a restore with no incident open) changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dbguard.findings import Severity
from dbguard.history.records import CHECK, REPAIR, RESTORE


class IncidentStep(enum.StrEnum):
    OPEN = "open"  # a new incident, detected by this run
    CLOSE = "close"  # the open incident ends with this run
    ATTACH = "attach"  # this restore or repair belongs to the open incident
    KEEP = "keep"  # the open incident goes on
    NONE = "none"  # nothing to do with incidents


@dataclass(frozen=True)
class IncidentDecision:
    step: IncidentStep
    reason: str


def incident_step(incident_open: bool, run_kind: str, run_status: str) -> IncidentDecision:
    """What a run of `run_kind` with `run_status` (a Severity value) does to the incidents of
    its database, given whether one of them is open."""
    if run_kind in (RESTORE, REPAIR):
        if incident_open:
            return IncidentDecision(IncidentStep.ATTACH, f"a {run_kind} during the incident")
        return IncidentDecision(IncidentStep.NONE, f"a {run_kind} with no incident open")
    if run_kind != CHECK:
        return IncidentDecision(IncidentStep.NONE, f"{run_kind} runs do not open incidents")
    status = _severity(run_status)
    if status is Severity.CRITICAL:
        if incident_open:
            return IncidentDecision(IncidentStep.KEEP, "still critical: the same incident")
        return IncidentDecision(IncidentStep.OPEN, "the check turned critical")
    if not incident_open:
        return IncidentDecision(IncidentStep.NONE, "no incident open")
    if status in (Severity.OK, Severity.INFO):
        return IncidentDecision(IncidentStep.CLOSE, "the check is OK again")
    return IncidentDecision(IncidentStep.KEEP, f"{status.value}, not OK yet: still open")


def _severity(status: str) -> Severity:
    try:
        return Severity(status)
    except ValueError:  # a status this version does not know: treat it as a failed run
        return Severity.CRITICAL
