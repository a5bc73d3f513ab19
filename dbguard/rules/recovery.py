"""Which recovery point is usable, and what changed between two: pure decisions, no I/O.

- A point's verdict is the worst severity of the suites' results on its data (INFO is OK),
  as `check` judges its backup target.
- A point is usable unless its verdict is CRITICAL. `restore --latest` restores the newest
  backup that verifies and is usable; retention keeps the newest usable backup; `incident
  find` calls a point good when it is usable on the critical rules.
- The rules that flipped between a good point and the next bad one are those critical on
  the bad point and not on the good one.
"""

from __future__ import annotations

from collections.abc import Iterable

from dbguard.findings import Severity

NOT_CHECKED = "not checked"


def point_verdict(severities: Iterable[Severity]) -> Severity:
    """OK, WARNING or CRITICAL: the worst of the results (INFO counts as OK)."""
    worst = Severity.worst(list(severities))
    return Severity.OK if worst is Severity.INFO else worst


def is_usable(verdict: Severity | str | None) -> bool:
    """Usable: known and not CRITICAL. A point not checked yet is not known to be usable."""
    if verdict is None or verdict == NOT_CHECKED:
        return False
    return Severity(str(verdict)) is not Severity.CRITICAL


def flipped_rules(good: Iterable[str], bad: Iterable[str]) -> list[str]:
    """The critical rules of the bad point that the good point passed, in the bad one's order."""
    passed = set(good)
    return [rule for rule in dict.fromkeys(bad) if rule not in passed]
