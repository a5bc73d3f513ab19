"""`incident find`: when the damage began. Bisects the recovery points for the last good one.

A point is good when its critical rules pass (dbguard.rules.recovery). The search judges
the live database first (nothing to find when it passes), then the newest point (good: the
damage is newer than every point, so the first bad state is live itself), then the oldest
(bad: no good point as far back as the points reach). Between a good oldest and a bad
newest it bisects: each probe restores one point into a scratch folder and judges it in
this process (one Judge, so Great Expectations is imported once). A point that cannot be
restored any more (compacted meanwhile) is dropped and the search goes on.

Bisection assumes the signal is monotone: good until the damage, bad after. When the data
went bad, was fixed and went bad again, it finds one of the changes; `caveat` says so.
Backups are judged with every rule and their verdicts recorded (dbguard.incident.verdicts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from backup.naming import utc_now
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.incident.points import (
    Point,
    materialize,
    recovery_points,
    require_sqlite,
    resolve_point,
)
from dbguard.incident.probe import Judge
from dbguard.incident.verdicts import backup_quality
from dbguard.quality.verdict import Quality
from dbguard.rules.recovery import flipped_rules, is_usable
from dbguard.scratch import scratch_folder

NOTHING = "nothing to find"
FOUND = "found"
NO_GOOD = "no good point"
MONOTONE_CAVEAT = (
    "bisection assumes the data stayed bad once it went bad; if it was fixed and broke "
    "again in between, this is one of the changes, not necessarily the first"
)


@dataclass
class FindResult:
    status: str  # NOTHING, FOUND or NO_GOOD
    live: Quality
    searched: list[Point]  # the points searched, oldest first
    probes: int = 0  # recovery points restored and judged
    last_good: Point | None = None
    first_bad: Point | None = None  # None with FOUND: the live database itself
    flipped: list[str] = field(default_factory=list)
    precision: str = ""
    caveat: str = ""
    dropped: list[str] = field(default_factory=list)  # points that could not be restored
    checked_at: datetime = field(default_factory=utc_now)

    def first_bad_json(self) -> dict[str, Any] | None:
        if self.first_bad is not None:
            return self.first_bad.to_json()
        if self.status == FOUND:
            return {"time": self.live.checked_at.isoformat(), "live": "the live database"}
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "last_good": self.last_good.to_json() if self.last_good else None,
            "first_bad": self.first_bad_json(),
            "flipped": self.flipped,
            "precision": self.precision,
            "caveat": self.caveat,
            "probes": self.probes,
            "points": len(self.searched),
            "oldest": self.searched[0].to_json() if self.searched else None,
            "newest": self.searched[-1].to_json() if self.searched else None,
            "live_failing": self.live.critical_rules(),
            "dropped": self.dropped,
        }


def find_damage(config: Config, since: str | None = None) -> FindResult:
    """Search the recovery points (from `since` on, a point as resolve_point reads it)."""
    require_sqlite(config)
    points = recovery_points(config)
    if since is not None:
        start = resolve_point(config, since, option="--since")
        points = [point for point in points if point >= start]
    judge = Judge(config)
    live = judge.judge(Path(config.database.path), immutable=False, only_critical=True)
    result = FindResult(NOTHING, live, points)
    if is_usable(live.verdict):
        return result
    search = _Search(config, judge, list(points), result)
    search.run()
    result.probes = search.probes
    return result


class _Search:
    def __init__(self, config: Config, judge: Judge, points: list[Point], result: FindResult):
        self.config, self.judge, self.points, self.result = config, judge, points, result
        self.judged: dict[Point, Quality] = {}
        self.probes = 0

    def quality(self, point: Point) -> Quality | None:
        """The point's verdict, or None when it cannot be restored (then it is dropped)."""
        if point in self.judged:
            return self.judged[point]
        self.probes += 1
        try:
            if point.backup is not None:
                quality = backup_quality(self.config, point.backup, self.judge)
            else:
                with scratch_folder("point") as folder:
                    copy = materialize(self.config, point, folder)
                    quality = self.judge.judge(copy, only_critical=True)
        except DbguardError as error:
            self.result.dropped.append(f"{point.label()}: {error.one_line()}")
            self.points.remove(point)
            return None
        self.judged[point] = quality
        return quality

    def end(self, newest: bool) -> tuple[int, Quality] | None:
        """The newest (or oldest) point that can be restored, with its verdict."""
        while self.points:
            index = len(self.points) - 1 if newest else 0
            quality = self.quality(self.points[index])
            if quality is not None:
                return index, quality
        return None

    def run(self) -> None:
        result = self.result
        newest = self.end(newest=True)
        if newest is None:
            result.status = NO_GOOD
            return
        if is_usable(newest[1].verdict):  # the damage is newer than every point
            self._found(self.points[-1], None, newest[1], result.live)
            return
        oldest = self.end(newest=False)
        assert oldest is not None  # the newest point at least is there
        if not is_usable(oldest[1].verdict):
            result.status = NO_GOOD
            result.caveat = "the oldest point is already bad: the search cannot bracket the change"
            return
        low, high = self.points[0], self.points[-1]
        while True:
            inside = [point for point in self.points if low < point < high]
            if not inside:
                break
            middle = inside[len(inside) // 2]
            quality = self.quality(middle)
            if quality is None:
                continue
            if is_usable(quality.verdict):
                low = middle
            else:
                high = middle
        self._found(low, high, self.judged[low], self.judged[high])

    def _found(self, good: Point, bad: Point | None, good_q: Quality, bad_q: Quality) -> None:
        result = self.result
        result.status = FOUND
        result.last_good, result.first_bad = good, bad
        result.flipped = flipped_rules(good_q.critical_rules(), bad_q.critical_rules())
        result.precision = precision(good, bad)
        result.caveat = MONOTONE_CAVEAT


def precision(good: Point, bad: Point | None) -> str:
    """How exactly the damage is placed: between two points, or after the newest."""
    if bad is None:
        return (
            f"after {good.describe()}, the newest recovery point: the damage is in the live "
            "database only (no point holds it yet)"
        )
    text = f"between {good.describe()} and {bad.describe()}"
    if good.txid is not None and bad.txid is not None:
        if bad.txid == good.txid + 1:
            return f"{text}: transaction 0x{bad.txid:x} did it"
        return (
            f"{text}: transactions 0x{good.txid + 1:x}..0x{bad.txid:x} can no longer be "
            "restored one by one (Litestream compacted them)"
        )
    return text
