"""Series of runs, their medians, and the comparisons (ratios, targets) taken from them."""

from __future__ import annotations

import logging
import shlex
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.tools import Sample, time_command

log = logging.getLogger(__name__)


@dataclass
class Series:
    """Repeated runs of one command. Wall times may come from hyperfine instead of GNU time."""

    label: str
    command: list[str]
    ok_exit_codes: tuple[int, ...] = (0,)
    samples: list[Sample] = field(default_factory=list)
    wall_override: list[float] | None = None
    wall_tool: str = "GNU time"
    stalls_ms: list[float] = field(default_factory=list)
    commits_in_window: list[int] = field(default_factory=list)
    writer_synchronous: str = "FULL"  # PRAGMA synchronous of the concurrent writer, if any
    failure: str = ""
    environment: dict[str, str] = field(default_factory=dict)  # added to the measured one

    @property
    def measured(self) -> bool:
        return not self.failure and bool(self.walls)

    @property
    def walls(self) -> list[float]:
        return (
            self.wall_override
            if self.wall_override is not None
            else [s.wall_s for s in self.samples]
        )

    @property
    def cpu_s(self) -> list[float]:
        return [sample.cpu_s for sample in self.samples]

    @property
    def rss_mib(self) -> list[float]:
        return [sample.max_rss_mib for sample in self.samples]

    @property
    def wall_median(self) -> float:
        return statistics.median(self.walls)

    @property
    def rss_median(self) -> float:
        return statistics.median(self.rss_mib)

    @property
    def exit_codes(self) -> list[int]:
        return [sample.exit_code for sample in self.samples]

    def display_command(self, replacements: dict[str, str]) -> str:
        text = shlex.join(self.command)
        for long, short in replacements.items():
            text = text.replace(long, short)
        return text

    def run_once(self, *, cwd: Path, timeout: float) -> Sample | None:
        """One timed run; on an unexpected exit code the series is marked not measured."""
        if self.failure:
            return None
        try:
            sample = time_command(
                self.command, cwd=cwd, timeout=timeout, environment=self.environment
            )
        except TimeoutError:
            self.failure = f"did not finish within {timeout:.0f} s"
            return None
        except Exception as error:  # subprocess.TimeoutExpired and OSError alike
            self.failure = f"{type(error).__name__}: {error}"
            return None
        if sample.exit_code not in self.ok_exit_codes:
            detail = sample.stderr_tail.splitlines()[-1] if sample.stderr_tail else ""
            self.failure = f"exit code {sample.exit_code}: {detail}".strip()
            log.warning("%s: %s", self.label, self.failure)
            return None
        self.samples.append(sample)
        log.info("%s: %.2f s, %.0f MiB", self.label, sample.wall_s, sample.max_rss_mib)
        return sample


def measure_rounds(
    series: Sequence[Series],
    *,
    rounds: int,
    cwd: Path,
    timeout: float,
    slow_single_run_s: float | None = None,
    warmup: bool = False,
) -> int:
    """Run every series once per round, interleaved, so drift hits them alike; return rounds run.

    `warmup` runs each command once first, untimed (bytecode caches, page
    cache). If one round took longer than `slow_single_run_s`, stop after it
    (all the time budget allows; RESULTS.md says so).
    """
    if warmup:
        for item in series:
            if item.run_once(cwd=cwd, timeout=timeout) is not None:
                item.samples.clear()
    done = 0
    for _ in range(rounds):
        total = 0.0
        for item in series:
            sample = item.run_once(cwd=cwd, timeout=timeout)
            total += sample.wall_s if sample else 0.0
        done += 1
        if slow_single_run_s is not None and total > slow_single_run_s:
            log.warning("one round took %.0f s: stopping after %d round(s)", total, done)
            break
    return done


@dataclass
class Check:
    """One figure held to a target (met=None when there is no target or no measurement)."""

    figure: str
    measured: str
    target: str
    met: bool | None


def ratio_check(figure: str, numerator: Series, denominator: Series, limit: float | None) -> Check:
    if not (numerator.measured and denominator.measured):
        missing = numerator if not numerator.measured else denominator
        return Check(
            figure,
            f"not measured ({missing.label}: {missing.failure or 'no runs'})",
            _limit(limit),
            None,
        )
    ratio = numerator.wall_median / denominator.wall_median
    measured = f"{ratio:.2f}×"
    if numerator.samples and denominator.samples and numerator.wall_tool == "GNU time":
        cpu_denominator = statistics.median(denominator.cpu_s)
        if cpu_denominator > 0:
            measured += f" (CPU time {statistics.median(numerator.cpu_s) / cpu_denominator:.2f}×)"
    return Check(figure, measured, _limit(limit), None if limit is None else ratio <= limit)


def _limit(limit: float | None) -> str:
    return "—" if limit is None else f"≤ {limit:g}×"


def value_check(
    figure: str, series: Series, value: Callable[[Series], float], unit: str, below: float
) -> Check:
    if not series.measured:
        return Check(
            figure, f"not measured ({series.failure or 'no runs'})", f"< {below:g} {unit}", None
        )
    observed = value(series)
    return Check(figure, f"{observed:.3g} {unit}", f"< {below:g} {unit}", observed < below)


@dataclass
class Section:
    """One benchmark: what it compares, the series measured, the checks against targets."""

    key: str
    title: str
    description: str
    series: list[Series] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    show_stalls: bool = False
    skipped: str = ""
    load_before: float = 0.0
    load_after: float = 0.0
    seconds: float = 0.0  # how long the whole benchmark took, set-up included
