"""The incident rule: a critical check opens, an OK check closes, a warning keeps it open, a
restore or repair joins the open incident; over any sequence of runs, incidents never
overlap and each one spans exactly one stretch of not-OK check runs that began critical."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dbguard.rules.incidents import IncidentStep, incident_step

STATUSES = ["ok", "info", "warning", "critical"]


def test_a_critical_check_opens_an_incident() -> None:
    assert incident_step(False, "check", "critical").step is IncidentStep.OPEN


def test_a_second_critical_check_keeps_the_same_incident() -> None:
    assert incident_step(True, "check", "critical").step is IncidentStep.KEEP


def test_an_ok_check_closes_it_and_info_counts_as_ok() -> None:
    assert incident_step(True, "check", "ok").step is IncidentStep.CLOSE
    assert incident_step(True, "check", "info").step is IncidentStep.CLOSE


def test_a_warning_does_not_close_it_nor_open_one() -> None:
    assert incident_step(True, "check", "warning").step is IncidentStep.KEEP
    assert incident_step(False, "check", "warning").step is IncidentStep.NONE


def test_restores_and_repairs_join_the_open_incident_only() -> None:
    for kind in ("restore", "repair"):
        assert incident_step(True, kind, "ok").step is IncidentStep.ATTACH
        assert incident_step(False, kind, "ok").step is IncidentStep.NONE


def test_health_runs_never_open_or_close_incidents() -> None:
    for status in STATUSES:
        assert incident_step(False, "health", status).step is IncidentStep.NONE
        assert incident_step(True, "health", status).step is IncidentStep.NONE


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["check", "check", "health", "restore"]), st.sampled_from(STATUSES)
        ),
        max_size=60,
    )
)
def test_incidents_are_the_stretches_from_a_critical_check_to_the_next_ok_check(
    runs: list[tuple[str, str]],
) -> None:
    incidents: list[list[int]] = []  # indexes of the runs each incident spans
    is_open = False
    for index, (kind, status) in enumerate(runs):
        step = incident_step(is_open, kind, status).step
        if step is IncidentStep.OPEN:
            assert not is_open
            incidents.append([index])
            is_open = True
        elif step is IncidentStep.CLOSE:
            assert is_open
            incidents[-1].append(index)
            is_open = False
        elif step in (IncidentStep.KEEP, IncidentStep.ATTACH):
            assert is_open
            incidents[-1].append(index)
        else:
            assert step is IncidentStep.NONE
            if is_open:
                assert kind == "health"
    checks = [(i, status) for i, (kind, status) in enumerate(runs) if kind == "check"]
    # An independent reading: an incident starts at each critical check while none is open.
    expected_starts, open_now = [], False
    for index, status in checks:
        if status == "critical" and not open_now:
            expected_starts.append(index)
            open_now = True
        elif status in ("ok", "info"):
            open_now = False
    assert [span[0] for span in incidents] == expected_starts
    assert is_open == open_now
