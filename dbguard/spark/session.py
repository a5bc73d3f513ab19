"""The SparkSession dbguard builds for `[database.spark]`: UI off, console progress bar off,
UTC session time zone, few shuffle partitions, bound to 127.0.0.1 unless SPARK_LOCAL_IP says
otherwise. Great Expectations' Spark engine calls `SparkSession.builder.getOrCreate()`, so it
validates in this session.

Without the extra, or without Java, a Spark source is refused in one line saying what to
install; pyspark's own errors never reach the user.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.config.spark import SparkConfig
from dbguard.errors import ConfigError, DatabaseError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

EXTRA_HINT = "install the extra: pip install 'dbguard[spark]' (or -e '.[spark]' in a checkout)"
JAVA_HINT = (
    "install Java 17 (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME to"
    " a Java installation"
)

# Settings every dbguard session has; [database.spark] conf may override any of them.
SESSION_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    # Suites' SQL quotes identifiers the standard way ("order"), as SQLite and PostgreSQL do.
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
}


def java_executable(environ: Mapping[str, str] | None = None) -> str | None:
    """The java pyspark would start: $JAVA_HOME/bin/java, else `java` on PATH."""
    environ = os.environ if environ is None else environ
    home = environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if os.access(candidate, os.X_OK) else None
    return shutil.which("java", path=environ.get("PATH"))


def unavailable_reason() -> str | None:
    """Why Spark cannot run here (None when it can): for tests and benchmarks to skip saying so."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        return f"pyspark is not installed ({EXTRA_HINT})"
    if java_executable() is None:
        return f"no Java runtime ({JAVA_HINT})"
    return None


def require_pyspark() -> None:
    """pyspark importable, else a ConfigError saying how to add the extra."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigError(
            "[database.spark] is configured, and pyspark is not installed", EXTRA_HINT
        ) from None


def spark_session(spark: SparkConfig) -> SparkSession:
    """The session for `spark` (the running one if this process has one already)."""
    require_pyspark()
    if java_executable() is None:
        home = os.environ.get("JAVA_HOME")
        where = f"JAVA_HOME={home} has no bin/java" if home else "no java on PATH"
        raise DatabaseError(f"Spark needs a Java runtime, and there is none ({where})", JAVA_HINT)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(spark.master).appName("dbguard")
    for key, value in {**SESSION_SETTINGS, **spark.conf}.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # pyspark raises its own runtime errors for a JVM that died
        raise DatabaseError(
            f"Spark did not start (master {spark.master}): {_first_line(error)}",
            "check master in [database.spark] and the Java installation (java -version)",
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    # pyspark logs every failed query as JSON on stderr; dbguard reports the error itself.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
    return session


def _first_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] if text else type(error).__name__
