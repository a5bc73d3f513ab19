"""Fixtures of the quality suite: the configuration, the live database, the latest backup.

Every check reports through `record_finding`, which attaches the finding to the
test for the report and decides the test's outcome: a critical finding fails
it, a warning fails it only with --strict-warnings.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dbguard.catalog import SqliteFile, live_source, open_catalog
from dbguard.check_scope import require_suite, run_scope
from dbguard.config import Config
from dbguard.database import kept_counts
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.quality.suites import SuiteFile, checked_suites, load_suites
from dbguard.quality.targets import (
    NOT_ON_SPARK,
    LatestBackup,
    RestoreDrill,
    Target,
    active_targets,
    engine_name,
    restore_latest,
)
from dbguard.run_config import run_config
from dbguard.scratch import scratch_folder
from dbguard.system import CpuWindow

if TYPE_CHECKING:
    from dbguard.quality.validate import OutcomeCache
    from dbguard.replication.drill import ReplicaDrill


SUITES_KEY = pytest.StashKey[list[SuiteFile]]()
EXPECTATION_TEST = "test_expectation"  # checks/test_expectations.py: one test per entry


def settings_from_options(pytestconfig: pytest.Config) -> Config:
    return run_config(pytestconfig)


def pytest_configure(config: pytest.Config) -> None:
    """Load every suite strictly before any test runs: a malformed file stops the run, named.
    The suites of tables `[checks] ignore_tables` names are not run."""
    config.addinivalue_line(
        "markers",
        "engine(name, skip=None): a check of one engine only (sqlite, postgresql or spark); on "
        "the others it is left out, or skipped saying `skip` when one is given (on Spark: "
        "that it checks the SQLite file itself)",
    )
    try:
        settings = settings_from_options(config)
        suites = checked_suites(
            load_suites(settings.checks.expectations_dir), settings.checks.ignore_tables
        )
        scope = run_scope(config)
        if scope is not None:
            require_suite(
                scope, [suite.table for suite in suites], settings.checks.expectations_dir
            )
            suites = [suite for suite in suites if scope.wants(suite.table)]
        config.stash[SUITES_KEY] = suites
    except DbguardError as error:
        raise pytest.UsageError(f"dbguard: {error.one_line()}") from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per expectation per target, with ids like `orders::expect_column_values_to_be_unique[id]-live`."""
    if "expectation_case" not in metafunc.fixturenames:
        return
    targets = active_targets(settings_from_options(metafunc.config))
    if run_scope(metafunc.config) is not None:
        targets = ("live",)  # iterating on a suite: the live database only
    params = [
        pytest.param(
            (suite, expectation.index), target, id=f"{suite.name}::{expectation.label}-{target}"
        )
        for target in targets
        for suite in metafunc.config.stash.get(SUITES_KEY, [])
        for expectation in suite.expectations
    ]
    metafunc.parametrize(("expectation_case", "target"), params)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Checks of the other engine are left out (or skipped, saying why: see the marker), and
    with --dbguard-only every check but the expectations."""
    try:
        engine = engine_name(settings_from_options(config))
        scope = run_scope(config)
    except DbguardError:  # pytest_configure has reported it
        return
    kept, left_out = [], []
    for item in items:
        marker = item.get_closest_marker("engine")
        if scope is not None and getattr(item, "originalname", "") != EXPECTATION_TEST:
            left_out.append(item)
        elif marker is None or engine in marker.args:
            kept.append(item)
        elif marker.kwargs.get("skip"):
            reason = NOT_ON_SPARK if engine == "spark" else marker.kwargs["skip"]
            item.add_marker(pytest.mark.skip(reason=reason))
            kept.append(item)
        else:
            left_out.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def cpu_window() -> CpuWindow:
    """Opened when the first check starts, read by the CPU check near the end of the run."""
    return CpuWindow()


@pytest.fixture(scope="session")
def config(pytestconfig: pytest.Config) -> Config:
    return settings_from_options(pytestconfig)


@pytest.fixture(scope="session")
def suites(pytestconfig: pytest.Config) -> list[SuiteFile]:
    """The expectation suites, loaded strictly when the run started."""
    return pytestconfig.stash[SUITES_KEY]


@pytest.fixture(scope="session")
def live_db(config: Config) -> Path:
    """The live SQLite file's path, for the checks of the file itself (its WAL, its volume).
    Everything else reads the live database through `open_catalog(config)`, read-only."""
    return config.database.path


@pytest.fixture(scope="session")
def live_row_counts(config: Config) -> Callable[[], dict[str, int]]:
    """Every live table's rows, counted once per run (one read transaction) at the first call
    and shared by the checks that need them; an unreadable database raises a DbguardError at
    every call, for each check to report its own way."""

    @functools.cache
    def counts() -> dict[str, int]:
        with open_catalog(config) as catalog:
            return catalog.row_counts()

    return counts


@pytest.fixture
def record_finding(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config
) -> Callable[[Finding], None]:
    strict = bool(pytestconfig.getoption("strict_warnings"))

    def record(finding: Finding) -> None:
        request.node.user_properties.extend(finding.properties())
        if finding.severity is Severity.CRITICAL or (
            strict and finding.severity is Severity.WARNING
        ):
            pytest.fail(finding.message(), pytrace=False)

    return record


METRICS_KEY = pytest.StashKey[dict[str, float]]()


@pytest.fixture
def record_metric(pytestconfig: pytest.Config) -> Callable[[str, float], None]:
    """Record a number for the run history and the trend charts, e.g. `rows.orders.live`."""
    metrics = pytestconfig.stash.setdefault(METRICS_KEY, {})

    def record(name: str, value: float) -> None:
        metrics[name] = float(value)

    return record


@pytest.fixture(scope="session")
def outcome_cache() -> OutcomeCache:
    """One GX context for the run; each suite validated once per target."""
    from dbguard.quality.validate import OutcomeCache, SuiteValidator

    return OutcomeCache(SuiteValidator())


@pytest.fixture(scope="session")
def latest_backup(config: Config) -> LatestBackup:
    try:
        from backup.catalog import latest_verified_backup

        entry = latest_verified_backup(config.backup.dir)
    except ImportError as error:
        return LatestBackup(None, None, 0, f"the backup package cannot be imported: {error}")
    except DbguardError as error:
        return LatestBackup(None, None, 0, error.one_line())
    if entry is None:
        return LatestBackup(None, None, 0, f"no verified backup in {config.backup.dir}")
    # A backup taken before a table joined [checks] ignore_tables still counts it.
    manifest_counts = entry.manifest.row_counts if entry.manifest is not None else {}
    counts = kept_counts(manifest_counts, config.checks.ignore_tables)
    return LatestBackup(entry.path, entry.created_at, entry.size, "", counts, entry.manifest)


@pytest.fixture(scope="session")
def restore_drill(config: Config, latest_backup: LatestBackup) -> Iterator[RestoreDrill]:
    """Restore the latest verified backup once per run into a temporary folder.

    The backup was verified (sha256, integrity, row counts) when `latest_backup` chose it, so
    the restore takes that manifest instead of reading the file again, and checks the restored
    copy (integrity, row counts against the manifest). The copy holds the backup's data, so
    the backup target's expectations run on it: one validation serves both the backup and
    the drill (test_restore_drill). The folder is removed when the run ends, whatever its
    outcome (dbguard.scratch).
    """
    if not config.checks.restore_drill:
        yield RestoreDrill(
            None, 0.0, skipped="restore drill turned off ([checks] restore_drill = false)"
        )
        return
    if latest_backup.path is None:
        yield RestoreDrill(
            None, 0.0, skipped=f"{latest_backup.reason} (reported by test_latest_backup_is_recent)"
        )
        return
    with scratch_folder("restore-drill") as folder:
        yield restore_latest(latest_backup, folder / "restore-drill.sqlite3")


@pytest.fixture(scope="session")
def replica_drill(config: Config) -> Iterator[ReplicaDrill]:
    """The replica's newest state restored once per run into a temporary folder, removed
    when the run ends (dbguard.scratch); the live row counts beside it."""
    from dbguard.replication.drill import drill_replica

    with scratch_folder("replica-drill") as folder:
        yield drill_replica(config, folder)


@pytest.fixture(scope="session")
def target_database(
    config: Config,
    latest_backup: LatestBackup,
    suites: list[SuiteFile],
    request: pytest.FixtureRequest,
) -> Iterator[Callable[[str], Target]]:
    """Resolve a target name to the file to check; skips when the target does not exist.

    The backup target is the restore drill's copy of the latest backup when the drill
    restored it, else (drill off or failed, which test_restore_drill reports) the file itself.
    The replica target is the replica drill's restored copy (test_replica_restores reports
    a replica that cannot be restored).

    When the run validated every suite on the backup target, the backup's quality verdict is
    recorded beside it at the end (dbguard.quality.verdict), for `backup list` and
    `restore --latest`.
    """
    judged: list[OutcomeCache] = []

    def resolve(name: str) -> Target:
        if name == "live":
            return Target(name, live_source(config))
        if name == "backup":
            if latest_backup.path is None:
                pytest.skip(f"{latest_backup.reason} (reported by test_backup_health)")
            # Looked up only here: checking the live target alone restores nothing.
            drill: RestoreDrill = request.getfixturevalue("restore_drill")
            if not judged:
                judged.append(request.getfixturevalue("outcome_cache"))
            return Target(name, SqliteFile(drill.path or latest_backup.path, immutable=True))
        if name == "replica":
            replica: ReplicaDrill = request.getfixturevalue("replica_drill")
            if replica.copy is None:
                pytest.skip(replica.skipped or f"{replica.error} (reported by test_replica)")
            return Target(name, SqliteFile(replica.copy.path, immutable=True))
        raise ValueError(f"unknown target {name!r}")

    yield resolve
    if judged and latest_backup.path is not None:
        from dbguard.quality.verdict import record_backup_verdict

        record_backup_verdict(config, latest_backup.path, suites, judged[0])
