"""The pure "when to send" rule (dbguard.rules.alerting.decide), run over whole sequences of
runs: properties with hypothesis, and the plan's connection rule as an example."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dbguard.findings import Severity
from dbguard.rules.alerting import AlertKind, AlertPolicy, AlertState, alert_status, decide

START = datetime(2025, 9, 4, tzinfo=UTC)
SIX_HOURS = AlertPolicy(timedelta(hours=6))


@dataclass(frozen=True)
class Sent:
    run: int
    at: datetime
    kind: AlertKind
    status: Severity


def simulate(
    runs: list[tuple[Severity, int, bool]], policy: AlertPolicy = SIX_HOURS
) -> tuple[list[Sent], list[Sent], list[AlertState | None]]:
    """Feed (status, minutes since the last run, delivery works) runs through `decide` as
    dbguard.alerts.notify does: keep the new state unless a message was due and failed.
    Returns the messages delivered, the ones that failed, and the state after each run."""
    state: AlertState | None = None
    now = START
    delivered: list[Sent] = []
    failed: list[Sent] = []
    states: list[AlertState | None] = []
    for index, (status, minutes, works) in enumerate(runs):
        now += timedelta(minutes=minutes)
        decision = decide(state, status, now, policy)
        if decision.kind is None or works:
            state = decision.state
        if decision.kind is not None:
            (delivered if works else failed).append(
                Sent(index, now, decision.kind, decision.status)
            )
        states.append(state)
    return delivered, failed, states


severities = st.sampled_from(list(Severity))
runs_strategy = st.lists(
    st.tuples(severities, st.integers(min_value=1, max_value=600), st.booleans()), max_size=60
)
reliable_runs = st.lists(
    st.tuples(severities, st.integers(min_value=1, max_value=600), st.just(True)), max_size=60
)


@given(runs_strategy, st.sampled_from([Severity.WARNING, Severity.CRITICAL]))
def test_a_message_speaks_of_the_status_of_its_own_run(
    runs: list[tuple[Severity, int, bool]], minimum: Severity
) -> None:
    policy = AlertPolicy(timedelta(hours=6), minimum)
    delivered, failed, _ = simulate(runs, policy)
    for sent in delivered + failed:
        assert sent.status is alert_status(runs[sent.run][0], policy)
        if sent.kind is AlertKind.RECOVERY:
            assert sent.status is Severity.OK
        else:
            assert sent.status.rank >= minimum.rank


@given(reliable_runs)
def test_with_working_delivery_the_destination_always_knows_the_status(
    runs: list[tuple[Severity, int, bool]],
) -> None:
    _, _, states = simulate(runs)
    for (status, _, _), state in zip(runs, states, strict=True):
        assert state is not None
        assert state.status is alert_status(status, SIX_HOURS)


@given(reliable_runs)
def test_one_message_per_rise_one_recovery_per_fall_and_spaced_repeats(
    runs: list[tuple[Severity, int, bool]],
) -> None:
    delivered, _, _ = simulate(runs)
    statuses = [alert_status(status, SIX_HOURS) for status, _, _ in runs]
    rises = [
        i for i, s in enumerate(statuses) if s.rank > (statuses[i - 1] if i else Severity.OK).rank
    ]
    recoveries = [
        i
        for i, s in enumerate(statuses)
        if s is Severity.OK and i and statuses[i - 1] is not Severity.OK
    ]
    assert [s.run for s in delivered if s.kind is AlertKind.PROBLEM] == rises
    assert [s.run for s in delivered if s.kind is AlertKind.RECOVERY] == recoveries
    last_told: dict[int, datetime] = {}
    for sent in delivered:
        if sent.kind is AlertKind.REPEAT:
            previous = max(at for run, at in last_told.items() if run < sent.run)
            assert sent.at - previous >= SIX_HOURS.repeat_after
        last_told[sent.run] = sent.at


@given(runs_strategy)
def test_a_failed_message_is_sent_again_by_the_next_run_with_the_same_status(
    runs: list[tuple[Severity, int, bool]],
) -> None:
    delivered, failed, _ = simulate(runs)
    for miss in failed:
        following = miss.run + 1
        if following < len(runs) and alert_status(runs[following][0], SIX_HOURS) is miss.status:
            assert any(s.run == following for s in delivered + failed)


def test_one_connection_failure_that_recovers_never_pages_critical() -> None:
    # The plan: 1 failure = warning, 3 in a row = critical. Health every 5 minutes.
    runs = [(Severity.OK, 5, True), (Severity.WARNING, 5, True), (Severity.OK, 5, True)]
    delivered, _, _ = simulate(runs)
    assert [s.kind for s in delivered] == [AlertKind.PROBLEM, AlertKind.RECOVERY]
    assert all(s.status is not Severity.CRITICAL for s in delivered)
    # Paging on criticals only: nothing at all.
    only_critical = AlertPolicy(timedelta(hours=6), Severity.CRITICAL)
    assert simulate(runs, only_critical)[0] == []


def test_three_failures_in_a_row_page_critical_once_then_repeat_after_six_hours() -> None:
    runs = [
        (Severity.WARNING, 5, True),
        (Severity.WARNING, 5, True),
        (Severity.CRITICAL, 5, True),
        *[(Severity.CRITICAL, 5, True)] * 71,  # 5 h 55 min more
        (Severity.CRITICAL, 5, True),  # 6 h after the page
    ]
    delivered, _, _ = simulate(runs)
    assert [(s.kind, s.status) for s in delivered] == [
        (AlertKind.PROBLEM, Severity.WARNING),
        (AlertKind.PROBLEM, Severity.CRITICAL),
        (AlertKind.REPEAT, Severity.CRITICAL),
    ]


def test_critical_falling_to_warning_is_quiet_and_a_new_critical_pages_again() -> None:
    runs = [(Severity.CRITICAL, 5, True), (Severity.WARNING, 5, True), (Severity.CRITICAL, 5, True)]
    delivered, _, states = simulate(runs)
    assert [s.run for s in delivered] == [0, 2]
    assert states[1] is not None and states[1].status is Severity.WARNING
    assert states[1].since == START + timedelta(minutes=5)  # the problem is still open
