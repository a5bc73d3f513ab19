"""The report as an analyst reads it, rendered by headless Chromium: status and problems
(with what to do) above pytest's environment table, expectations in plain language with the
raw form one click away, problems before passes, skipped rows folded, a 100 kB value cut,
capped rows counted, and one count of checks that agrees with pytest's."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from check_project import make_project, run_project
from chromium import CHROMIUM_MISSING, render

pytestmark = CHROMIUM_MISSING

HUGE = "x" * 100_000


def suite(name: str, entries: list[dict[str, object]]) -> str:
    return json.dumps({"name": name, "expectations": entries})


SUITES: dict[str, list[dict[str, object]]] = {
    "pue_data": [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "pue", "min_value": 1.0, "max_value": 3.0},
            "severity": "critical",
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "it_energy_kwh", "max_value": 400_000},
            "severity": "warning",
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "site"}},
    ],
    "fault_record": [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "status", "value_set": ["open", "recovered", "closed"]},
            "severity": "critical",
        }
    ],
}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path) -> tuple[str, str]:
    """(the DOM after the scripts ran, the HTML file as written)."""
    root = tmp_path_factory.mktemp("reading")
    db = root / "db.sqlite3"
    shutil.copy(demo_db_template, db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 17")
        connection.execute("UPDATE fault_record SET status = ? WHERE id = 3", (HUGE,))
    connection.close()
    project = make_project(root, db, {}, include=("test_expectations.py",))
    (project / "expectations").mkdir()
    for name, entries in SUITES.items():
        (project / "expectations" / f"{name}.json").write_text(suite(name, entries))
    report = Path(run_project(project)["html"])
    dom, requests = render(report, root)
    assert requests == []
    return dom, report.read_text()


def test_status_and_problems_come_before_the_environment_table(page: tuple[str, str]) -> None:
    dom, _ = page
    summary, environment = dom.index('id="dbguard-summary"'), dom.index('id="environment"')
    problems = dom.index('class="dbguard-problems"')
    assert summary < problems < environment
    assert dom.index("Status: CRITICAL") < environment
    items = re.findall(r"<li>(.*?)</li>", dom[problems:environment], re.S)
    levels = [re.search(r">(critical|warning)<", item).group(1) for item in items]  # type: ignore[union-attr]
    # pue and status (critical), it_energy_kwh and the tables without a suite (warning)
    assert levels == ["critical", "critical", "warning", "warning"]
    assert all("What to do:" in item for item in items)


def test_expectations_read_in_plain_language_with_the_raw_form_one_click_away(
    page: tuple[str, str],
) -> None:
    dom, _ = page
    sentence = "pue is between 1.0 and 3.0 — 1 of 240 rows outside: id=17 pue=9.9"
    assert dom.count(sentence) >= 2  # the problems list and the results table
    raw = re.search(r'<details class="dbguard-raw"><summary>raw</summary>(.*?)</details>', dom)
    assert raw is not None and "expected: expect_column_" in raw.group(1)
    assert "site is never empty (NULL) — holds" in dom


def test_a_100_kb_value_is_cut_and_capped_rows_are_counted(page: tuple[str, str]) -> None:
    dom, written = page
    for text in (dom, written):
        assert "x" * 201 not in text
    assert "(100,002 characters)" in dom
    assert re.search(
        r"it_energy_kwh is at most 400000 — \d+ of 240 rows outside: .*… and \d+ more rows", dom
    )


def test_problems_sort_first_and_skipped_rows_are_folded(page: tuple[str, str]) -> None:
    dom, _ = page
    order = re.findall(
        r'<td class="col-severity"><span hidden="">\d</span><span[^>]*>(\w+)</span>', dom
    )
    ranks = {"critical": 1, "warning": 2, "ok": 3, "skipped": 4}
    assert order and order == sorted(order, key=ranks.__getitem__)
    assert {"critical", "warning", "ok", "skipped"} <= set(order)
    skipped = re.findall(r'<tbody class="results-table-row skipped".*?</tbody>', dom, re.S)
    assert skipped and all('class="extras-row hidden"' in body for body in skipped)
    assert "No log output captured." not in dom


def test_one_count_of_checks_agrees_with_pytest(page: tuple[str, str]) -> None:
    dom, _ = page
    count = re.search(
        r'id="dbguard-count">(\d+) checks: (\d+) critical, (\d+) warning, (\d+) ok, (\d+) skipped \(pytest: ([^)]*)\)',
        dom,
    )
    assert count is not None
    total, critical, warning, ok, skipped = (int(n) for n in count.groups()[:5])
    assert total == critical + warning + ok + skipped
    theirs = {
        outcome.lower(): int(number)
        for number, outcome in re.findall(
            r'<span class="\w+">(\d+) (Passed|Failed|Skipped|Errors)', dom
        )
    }
    assert theirs["failed"] == critical and theirs["skipped"] == skipped
    assert theirs["passed"] == warning + ok
    assert f"{theirs['passed']} passed" in count.group(
        6
    ) and "a warning passes in pytest" in count.group(6)
