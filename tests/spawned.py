"""Run one function in several fresh processes at once (spawned, so each imports dbguard
anew, as separate dbguard runs do) and return their exit codes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any


def run_at_once(
    target: Callable[..., None], arguments: Sequence[tuple[Any, ...]], timeout: float = 120
) -> list[int | None]:
    """Start a process per argument tuple, wait for all (at most `timeout` seconds each);
    their exit codes, None for one still running."""
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=args) for args in arguments]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=timeout)
    return [process.exitcode for process in processes]
