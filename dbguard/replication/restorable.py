"""Which transactions Litestream can still restore one by one, read from the replica's files.

`litestream restore -txid T` starts from the newest snapshot (level 9) ending at or before T,
then, from the coarsest level down to level 0, adds every file ending after what it has and
at or before T; the files must follow each other without a gap (Litestream 0.5's
CalcRestorePlan). It restores the last transaction it reaches, which is T only when a file
ends at T. So a transaction is restorable when a file ends with it and that walk reaches it
without a gap. Compaction merges level-0 files into coarser ones and removes them later:
older transactions then survive only as the coarser files' ends.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dbguard.replication.state import SNAPSHOT_LEVEL, LtxFile


@dataclass(frozen=True)
class _Level:
    max_txids: list[int]  # sorted
    min_txids: list[int]  # in the same order
    gaps_before: list[int]  # gaps_before[k]: gaps between files 0..k (file k starts past k-1)

    @classmethod
    def of(cls, files: Iterable[LtxFile]) -> _Level:
        ordered = sorted(files, key=lambda file: (file.max_txid, file.min_txid))
        gaps, total, previous = [], 0, None
        for file in ordered:
            if previous is not None and file.min_txid > previous + 1:
                total += 1
            gaps.append(total)
            previous = file.max_txid
        return cls([f.max_txid for f in ordered], [f.min_txid for f in ordered], gaps)

    def walk(self, reached: int, target: int) -> int | None:
        """Add this level's files ending in (reached, target]: the new end, None on a gap."""
        start = bisect.bisect_right(self.max_txids, reached)
        end = bisect.bisect_right(self.max_txids, target)
        if start >= end:
            return reached
        if (
            self.min_txids[start] > reached + 1
            or self.gaps_before[end - 1] != self.gaps_before[start]
        ):
            return None
        return self.max_txids[end - 1]


def restorable_txids(files: Sequence[LtxFile]) -> list[int]:
    """Every transaction `litestream restore -txid` restores exactly, oldest first."""
    snapshots = sorted(file.max_txid for file in files if file.level == SNAPSHOT_LEVEL)
    levels = [
        _Level.of(file for file in files if file.level == level)
        for level in range(SNAPSHOT_LEVEL - 1, -1, -1)
    ]
    found = []
    for target in sorted({file.max_txid for file in files}):
        position = bisect.bisect_right(snapshots, target)
        reached: int | None = snapshots[position - 1] if position else 0
        for level in levels:
            assert reached is not None
            reached = level.walk(reached, target)
            if reached is None:
                break
        if reached == target:
            found.append(target)
    return found
