"""Perfdata labels as the Nagios plugin guidelines spell them, for any table name.

A label with anything but letters, digits, `_` and `.` goes in single quotes, an
inner single quote doubled: `'rows_it''s'=20`. A monitoring system splits the
perfdata on spaces and `=`, so an unquoted `rows_order items=20` would be read as
two broken values.
"""

from __future__ import annotations

import re

import pytest

from dbguard.errors import NagiosCode
from dbguard.health.nagios import PerfValue, status_line

# One perfdata value per the guidelines: a plain label, or a quoted one with '' for a quote.
PERFDATA_VALUE = re.compile(r"(?:'(?:[^']|'')+'|[^\s'=]+)=[^\s]+")


@pytest.mark.parametrize(
    ("label", "rendered"),
    [
        ("rows_pue_data", "rows_pue_data=20"),
        ("rows_a.b", "rows_a.b=20"),
        ("rows_order items", "'rows_order items'=20"),
        ("rows_it's", "'rows_it''s'=20"),
        ("rows_''", "'rows_'''''=20"),
        ('rows_we"ird', "'rows_we\"ird'=20"),
        ("rows_a=b", "'rows_a=b'=20"),
    ],
)
def test_label_is_quoted_and_inner_quotes_doubled(label: str, rendered: str) -> None:
    assert PerfValue(label, 20).render() == rendered


def test_a_status_line_of_awkward_tables_splits_into_one_value_per_table() -> None:
    names = ["order", "group", "order items", 'we"ird', "it's", "a.b"]
    line = status_line(NagiosCode.OK, "ok", [PerfValue(f"rows_{name}", 20) for name in names])
    perfdata = line.split(" | ", 1)[1]
    values = PERFDATA_VALUE.findall(perfdata)
    assert len(values) == len(names)
    assert " ".join(values) == perfdata
    labels = [value.rsplit("=", 1)[0] for value in values]
    unquoted = [
        label[1:-1].replace("''", "'") if label.startswith("'") else label for label in labels
    ]
    assert unquoted == [f"rows_{name}" for name in names]
