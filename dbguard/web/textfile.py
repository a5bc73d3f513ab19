"""`[reports] prometheus_textfile`: `check` and `health` leave their metrics for
node_exporter's textfile collector (the cron-only setup: no `dbguard serve` needed).

One call each at the top of the command. A textfile that cannot be written is a warning
on stderr, never a changed exit code: the run's own outcome is what matters.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dbguard.config import Config
from dbguard.health.report import HealthReport

log = logging.getLogger(__name__)


def write_prometheus_textfile(config: Config, health: HealthReport | None = None) -> Path | None:
    """Write the metrics of `health` (a health run) or of the last check run; return the path,
    or None when no textfile is configured or it could not be written."""
    if not config.reports.prometheus_textfile:
        return None
    from dbguard.web.metrics import write_textfile
    from dbguard.web.observations import observe

    path = Path(config.reports.prometheus_textfile)
    try:
        write_textfile(observe(config, health), path)
    except OSError as error:
        log.warning("dbguard: warning: cannot write the Prometheus textfile %s: %s", path, error)
        return None
    return path
