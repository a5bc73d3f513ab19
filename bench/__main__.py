"""`make bench` = `python -m bench`: measure dbguard against its baselines and write bench/RESULTS.md.

python -m bench                    # everything (~25 minutes on 2 cores, bench/README.md), writes bench/RESULTS.md
python -m bench --quick            # smoke run: one run each, small data, writes bench/.data/RESULTS.quick.md
python -m bench --only backup      # some benchmarks only (health, check, scale, backup, verify,
                                   # endpoints, replication, postgres, peer, incident,
                                   # incident_diff, incident_repair, watch, spark)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from bench import machine, postgres_data, results
from bench.context import BENCH_DIR, Context, Settings
from bench.measure import Section
from bench.scenarios import (
    backup,
    check,
    endpoints,
    health,
    incident_diff,
    incident_find,
    incident_repair,
    peer,
    postgres,
    replication,
    scale,
    spark,
    verify,
    watch,
)
from bench.tools import ToolMissing, require_tools

SCENARIOS = {
    "health": health.run,
    "check": check.run,
    "scale": scale.run,
    "backup": backup.run,
    "verify": verify.run,
    "endpoints": endpoints.run,
    "replication": replication.run,
    "postgres": postgres.run,
    "peer": peer.run,
    "incident": incident_find.run,
    "incident_diff": incident_diff.run,
    "incident_repair": incident_repair.run,
    "watch": watch.run,
    "spark": spark.run,
}
log = logging.getLogger("bench")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="one run each on small data (smoke test)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SCENARIOS),
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=BENCH_DIR / ".data", help="cache of generated databases"
    )
    parser.add_argument("--output", type=Path, help="where to write the results (Markdown)")
    parser.add_argument(
        "--refresh-notes",
        action="store_true",
        help="only copy bench/NOTES.md into the notes section of bench/RESULTS.md",
    )
    args = parser.parse_args(argv)
    if args.refresh_notes:
        results.refresh_notes(args.output or BENCH_DIR / "RESULTS.md")
        return 0
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )

    try:
        tool_versions = require_tools()
    except ToolMissing as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return 2
    settings = Settings.smoke() if args.quick else Settings.full()
    context = Context(settings, args.data_dir.resolve())
    partial = args.quick or bool(args.only)
    output = args.output or (
        context.data_dir / "RESULTS.quick.md" if partial else BENCH_DIR / "RESULTS.md"
    )
    started_at = results.utc_now()
    started = time.perf_counter()
    sections: list[Section] = []
    try:
        for name in args.only or SCENARIOS:
            log.info("=== %s ===", name)
            load_before, section_started = os.getloadavg()[0], time.perf_counter()
            try:
                section = SCENARIOS[name](context)
            except Exception as error:  # one broken benchmark must not cost the others' figures
                log.exception("%s failed", name)
                section = Section(name, f"{name} (failed)", "", skipped=f"it failed: {error!r}")
            section.load_before, section.load_after = load_before, os.getloadavg()[0]
            section.seconds = time.perf_counter() - section_started
            sections.append(section)
    finally:
        postgres_data.stop()  # the PostgreSQL benchmarks' cluster, if one was started
    command = "python -m bench" + (" --quick" if args.quick else "")
    command += "".join(f" --only {name}" for name in args.only or [])
    if command == "python -m bench":
        command = "make bench"
    text = results.render(
        sections,
        machine.describe_machine(context.data_dir, tool_versions),
        started=started_at,
        total_seconds=time.perf_counter() - started,
        command=command,
        data_dir=context.data_dir,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    log.info("wrote %s in %.0f s", output, time.perf_counter() - started)
    for item in results.series_failures(sections):
        log.warning("not measured: %s: %s", item.label, item.failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
