"""The repair's decision per row (dbguard.rules.repair): the damage is undone, conflicts are
skipped unless overwritten, and --overwrite changes nothing but conflicts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dbguard.rules.repair import Case, Write, damaged_tables, repair_row


def test_the_damage_is_undone_whatever_overwrite_says() -> None:
    for overwrite in (False, True):
        assert repair_row(Case.DELETED, overwrite).write is Write.INSERT
        assert repair_row(Case.CHANGED, overwrite).write is Write.UPDATE


def test_conflicts_are_skipped_and_overwritten_only_when_asked() -> None:
    assert [
        repair_row(c, False).write for c in (Case.KEY_TAKEN, Case.CHANGED_AGAIN, Case.DELETED_AGAIN)
    ] == [Write.NONE] * 3
    assert repair_row(Case.KEY_TAKEN, True).write is Write.UPDATE
    assert repair_row(Case.CHANGED_AGAIN, True).write is Write.UPDATE
    assert repair_row(Case.DELETED_AGAIN, True).write is Write.INSERT


@given(st.sampled_from(list(Case)))
def test_a_conflict_is_listed_either_way_and_only_overwrite_writes_it(case: Case) -> None:
    skipped, overwritten = repair_row(case, False), repair_row(case, True)
    assert skipped.conflict == overwritten.conflict
    if skipped.conflict:
        assert skipped.write is Write.NONE and overwritten.write is not Write.NONE
    else:
        assert skipped == overwritten


def test_damaged_tables_are_those_the_damage_changed_or_whose_rules_flipped() -> None:
    rules = ["fault_record row count", "pue_data pue between 1.0 and 3.0"]
    assert damaged_tables(["pue_comment"], [], rules[:1]) == {"pue_comment", "fault_record"}
    # a rule failing at the point already did not flip: its table is not damaged by it
    assert damaged_tables([], rules[:1], rules) == {"pue_data"}
    assert damaged_tables([], rules, rules) is None  # nothing named: every table counts
