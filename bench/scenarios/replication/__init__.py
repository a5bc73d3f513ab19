"""6. Continuous replication: Litestream run by `dbguard replicate` on this machine.

- RPO after kill -9: a writer commits numbered rows at about 200 a second
  (tests/numbered_writer.py); either the writer alone is killed (Litestream keeps
  running; two sync intervals later the replica is restored) or the writer, Litestream
  and dbguard are killed at the same instant (a host crash). The loss is the time
  between the newest row in the live database and the newest row the restore holds.
- The writer's worst commit (bench/writer.py, synchronous=FULL, a commit every 2 ms)
  at 200 MiB with replication off and on (Litestream's first snapshot included).
- Restore from the replica at 200 MiB and 1 GiB: `dbguard backup restore --from-replica`
  (Litestream's restore, then dbguard's verified path) against a bare `litestream restore`.
- What the replica target adds to `dbguard check` on the demo database.

One module per measurement (rpo, stall, restore, check_time); what they share is in common.
"""

from __future__ import annotations

from bench.context import Context
from bench.measure import Section
from bench.scenarios.backup import size_label
from bench.scenarios.replication.check_time import measure_check_added_time
from bench.scenarios.replication.common import not_failing
from bench.scenarios.replication.restore import measure_restore
from bench.scenarios.replication.rpo import WRITE_RATE, measure_rpo
from bench.scenarios.replication.stall import STALL_WINDOW_S, measure_writer_stall


def run(context: Context) -> Section:
    section = Section(
        "replication",
        "6. Continuous replication (Litestream run by `dbguard replicate`)",
        "Litestream 0.5 as `dbguard replicate` runs it, with the default `sync_interval = 1s`, "
        "into a folder replica on the same disk. RPO: a writer commits numbered rows at about "
        f"{WRITE_RATE} a second and is killed with SIGKILL — alone (Litestream keeps running; the "
        "replica is restored two sync intervals later), or together with Litestream and dbguard "
        "(a host crash) — and the loss is the time between the newest row in the live database "
        "and the newest row a restore from the replica holds. Writer stall: bench/writer.py "
        "(synchronous=FULL, a commit every 2 ms) for "
        f"{STALL_WINDOW_S:g} s on the {size_label(min(context.settings.backup_sizes_mib))} blob "
        "database, replication off and on (started 1 s "
        "into the window, so Litestream's first snapshot of the whole database is inside it). "
        "Restore: `dbguard backup restore --from-replica --db NEW --yes` (Litestream restores into "
        "a temporary file; dbguard checks it, describes it with a manifest, then restores it through the "
        "verified path) against a bare `litestream restore -o NEW`. Check: `dbguard check` on the "
        "demo database with and without the replica target (replication running). GNU time.",
    )
    measure_rpo(context, section)
    measure_writer_stall(context, section)
    for size in context.settings.backup_sizes_mib:
        not_failing(
            section, f"restore at {size_label(size)}", measure_restore, context, section, size
        )
    not_failing(section, "check's added time", measure_check_added_time, context, section)
    return section
