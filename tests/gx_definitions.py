"""GX's own expectation test definitions (../shared/testdata/gx_test_definitions/, Apache-2.0,
read there, never copied) as SQLite projects: one database and one suite per table for each
definition file, and the verdict plain GX gives each case on its own.

A case's verdict is "pass", "fail", "error" (it ran and raised inside GX) or "rejected"
(the entry cannot even be built: GX refuses it, and dbguard lint with it).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quality_runs import write_config

from dbguard.check_run import PROJECT_ROOT
from dbguard.quality.engine_gaps import ENGINE_GAPS

DEFINITIONS = PROJECT_ROOT.parent / "shared" / "testdata" / "gx_test_definitions"
ENGINE_KEYS = ("sqlite", "sqlalchemy")  # how the definitions name what applies to SQLite
DATE_TYPES = ("DATE", "DATETIME", "TIMESTAMP")


@dataclass(frozen=True)
class Case:
    table: str
    name: str  # the entry's meta.dbguard.name: its check is `table::type[name]`
    entry: dict[str, Any]


@dataclass(frozen=True)
class Dataset:
    table: str
    data: dict[str, list[Any]]
    types: dict[str, str]  # column -> SQLite type named by the definition, if any


def definition_files() -> list[Path]:
    return sorted(DEFINITIONS.glob("*/*.json")) if DEFINITIONS.is_dir() else []


def _applies(*notes: dict[str, Any]) -> bool:
    suppressed = [engine for note in notes for engine in note.get("suppress_test_for") or []]
    only = [engine for note in notes for engine in note.get("only_for") or []]
    if any(engine in ENGINE_KEYS for engine in suppressed):
        return False
    return not only or any(engine in ENGINE_KEYS for engine in only)


def sqlite_cases(path: Path) -> tuple[list[Dataset], list[Case]]:
    """The datasets and the cases of one definition file that apply to SQLite; none for a
    type GX cannot run on SQLite (dbguard.quality.engine_gaps)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    expectation_type = str(document["expectation_type"])
    if expectation_type in ENGINE_GAPS["sqlite"]:
        return [], []
    datasets: list[Dataset] = []
    cases: list[Case] = []
    for number, dataset in enumerate(document["datasets"]):
        if not _applies(dataset):
            continue
        types = (dataset.get("schemas") or {}).get("sqlite") or {}
        parts = dataset["data"] if isinstance(dataset["data"], list) else [dataset]
        tables = []
        for part_number, part in enumerate(parts):
            table = f"d{number}_{part_number}"
            if part.get("dataset_name"):
                table = str(part["dataset_name"])
            datasets.append(Dataset(table, part["data"], types))
            tables.append(table)
        for index, test in enumerate(dataset["tests"]):
            if not _applies(test):
                continue
            entry = {
                "type": expectation_type,
                "kwargs": dict(test["in"]),
                "meta": {"dbguard": {"name": f"case{number}_{index}"}},
            }
            cases.append(Case(tables[0], f"case{number}_{index}", entry))
    return datasets, cases


def build_project(folder: Path, datasets: list[Dataset], cases: list[Case]) -> Path:
    """db.sqlite3, expectations/ (a suite per table that has cases) and dbguard.toml."""
    import pandas as pd
    import sqlalchemy

    folder.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy.create_engine(f"sqlite:///{folder / 'db.sqlite3'}")
    try:
        for dataset in datasets:
            frame = pd.DataFrame(dataset.data)
            dtypes = {}
            for column, name in dataset.types.items():
                if column not in frame.columns:
                    continue
                kind = getattr(sqlalchemy.types, str(name).upper(), None)
                if kind is not None:
                    dtypes[column] = kind
                if str(name).upper() in DATE_TYPES:
                    frame[column] = pd.to_datetime(frame[column], format="mixed")
            frame.to_sql(dataset.table, engine, index=False, dtype=dtypes, if_exists="replace")
    finally:
        engine.dispose()
    suites = folder / "expectations"
    suites.mkdir(exist_ok=True)
    for table in dict.fromkeys(case.table for case in cases):
        entries = [case.entry for case in cases if case.table == table]
        document = {"name": table, "expectations": entries}
        (suites / f"{table}.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    return write_config(folder, suites)


def plain_gx_verdicts(database: Path, cases: list[Case]) -> dict[str, str]:
    """Each case validated alone by Great Expectations, with nothing of dbguard."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_sqlite("plain", connection_string=f"sqlite:///{database}")
    batches: dict[str, Any] = {}
    verdicts = {}
    for case in cases:
        if case.table not in batches:
            asset = source.add_table_asset(f"asset{len(batches)}", table_name=case.table)
            batches[case.table] = asset.add_batch_definition_whole_table("all").get_batch()
        try:
            expectation = ExpectationConfiguration(
                type=case.entry["type"], kwargs=case.entry["kwargs"]
            ).to_domain_obj()
        except Exception:
            verdicts[case.name] = "rejected"
            continue
        try:
            result = batches[case.table].validate(expectation)
        except Exception:
            verdicts[case.name] = "error"
            continue
        raised = bool((result.exception_info or {}).get("raised_exception")) or any(
            isinstance(info, dict) and info.get("raised_exception")
            for info in (result.exception_info or {}).values()
        )
        verdicts[case.name] = "error" if raised else ("pass" if result.success else "fail")
    return verdicts


def dbguard_rejected(cases: list[Case]) -> set[str]:
    """Cases whose entry dbguard lint refuses (a suite holding one would not run at all)."""
    from dbguard.quality.suite_entries import entry_problems

    return {case.name for case in cases if entry_problems(Path("x.json"), "", case.entry)}


def dbguard_verdict(finding: dict[str, str]) -> str:
    if finding["severity"] == "ok":
        return "pass"
    return "error" if finding["observed"].startswith("errored:") else "fail"


def compare_file(path: str, folder: str) -> dict[str, Any]:
    """One definition file: its project built, one `dbguard check --only expectations --json`
    run as the CLI runs it (dbguard.cli.warm_check: the command line, its output captured),
    and each case validated alone by plain GX. Runs in a child forked from a process that
    has GX imported (see tests/test_gx_conformance.py)."""
    from dbguard.cli.warm_check import warm_check

    datasets, cases = sqlite_cases(Path(path))
    if not cases:
        return {"cases": 0, "differ": {}, "exit": None}
    rejected = dbguard_rejected(cases)
    runnable = [case for case in cases if case.name not in rejected]
    config = build_project(Path(folder), datasets, runnable)
    plain = plain_gx_verdicts(Path(folder) / "db.sqlite3", cases)
    ours = dict.fromkeys(rejected, "rejected")
    answer = {"exit": None, "stdout": "", "stderr": ""}
    if runnable:
        argv = ["--config", str(config), "check", "--cold", "--only", "expectations", "--json"]
        answer = warm_check({"argv": argv, "cwd": folder, "environment": {}})
        if answer["exit"] in (0, 1):
            for finding in json.loads(answer["stdout"])["findings"]:
                name = finding["check"].rsplit("[", 1)[-1].rstrip("]")
                ours[name] = dbguard_verdict(finding)
    differ = {
        case.name: (ours.get(case.name, "missing"), plain[case.name])
        for case in cases
        if ours.get(case.name, "missing") != plain[case.name]
    }
    return {
        "cases": len(cases),
        "verdicts": dict(Counter(plain.values())),
        "differ": differ,
        "exit": answer["exit"],
        "stderr": str(answer["stderr"])[-2000:] if answer["exit"] not in (0, 1) else "",
    }
