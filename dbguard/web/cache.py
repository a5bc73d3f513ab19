"""A result reused for `cache_seconds`, computed by one task at a time.

However many requests arrive together, one computation runs; the others wait for its
result. A request that gives up (its timeout) does not cancel the computation: the next
request gets its result. Once the result is older than `cache_seconds` (but not twice as
old), requests still get it at once while one refresh runs behind them, so a busy
endpoint never stalls on a refresh; an older result is never served. A failed refresh
drops the result: the next request computes again and sees the failure.
With `cache_seconds = 0` every request waits for a computation of its own (shared only
with the requests that arrived while it ran).
Given a `stamp` (e.g. the stat of the file the result is read from), a result is reused only
while the stamp is what it was when its computation started: once the source changed, the
next request waits for a fresh result. (A run recorded and alerted is on the overview the
moment the alert arrives, not `cache_seconds` later.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Snapshot(Generic[T]):
    def __init__(
        self,
        compute: Callable[[], Awaitable[T]],
        max_age_seconds: float,
        stamp: Callable[[], Hashable] | None = None,
    ) -> None:
        self.compute = compute
        self.max_age = max_age_seconds
        self.stamp = stamp
        self._value: T | None = None
        self._value_stamp: Hashable = None
        self._task_stamp: Hashable = None
        self._at = 0.0
        self._task: asyncio.Task[T] | None = None

    async def get(self) -> tuple[T, float]:
        """The value and its age in seconds."""
        stamp = self.stamp() if self.stamp is not None else None
        if self._value is not None and stamp != self._value_stamp:
            self._value = None  # its source changed since: never served again
        if self._value is not None:
            age = time.monotonic() - self._at
            if age < self.max_age:
                return self._value, age
            if age < 2 * self.max_age:
                self._refreshing(stamp)
                return self._value, age
        return await asyncio.shield(self._refreshing(stamp)), 0.0

    def _refreshing(self, stamp: Hashable) -> asyncio.Task[T]:
        """The running refresh, or a new one (also when the running one began before the
        source changed)."""
        task = self._task
        if (
            task is None
            or task.done()
            or task.get_loop() is not asyncio.get_running_loop()
            or stamp != self._task_stamp
        ):
            task = self._task = asyncio.ensure_future(self._refresh(stamp))
            self._task_stamp = stamp
            # Read a failure nobody waited for (a refresh behind a stale answer, or every
            # request timed out), so asyncio does not log "Task exception was never retrieved".
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
        return task

    async def _refresh(self, stamp: Hashable) -> T:
        """`stamp` is taken before computing: a change made meanwhile makes the next request
        compute again."""
        try:
            value = await self.compute()
        except BaseException:
            self._value = None
            raise
        self._value, self._value_stamp, self._at = value, stamp, time.monotonic()
        return value
