"""dbguard.rules.recovery: a point's verdict, whether it is usable, the rules that flipped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dbguard.findings import Severity
from dbguard.rules.recovery import NOT_CHECKED, flipped_rules, is_usable, point_verdict


@given(st.lists(st.sampled_from(list(Severity))))
def test_the_verdict_is_the_worst_result_and_info_counts_as_ok(severities: list[Severity]) -> None:
    verdict = point_verdict(severities)
    assert verdict in (Severity.OK, Severity.WARNING, Severity.CRITICAL)
    assert (verdict is Severity.CRITICAL) == (Severity.CRITICAL in severities)
    assert is_usable(verdict) == (Severity.CRITICAL not in severities)


def test_only_a_known_verdict_below_critical_is_usable() -> None:
    assert is_usable(Severity.OK) and is_usable("warning")
    assert not is_usable("critical") and not is_usable(None) and not is_usable(NOT_CHECKED)


def test_flipped_rules_are_the_bad_points_critical_rules_the_good_point_passed() -> None:
    good = ["pue_comment row count"]
    bad = ["fault_record row count", "pue_comment row count", "pue_data pue", "pue_data pue"]
    assert flipped_rules(good, bad) == ["fault_record row count", "pue_data pue"]
