"""BenchExec's checks as flags on a case: reasons to trust its figures less, each with its numbers.

Thresholds follow BenchExec's own warnings: whole-process CPU from the cgroup and from rusage should
agree within 5%; any throttling, swapping, a non-performance frequency governor, turbo, or busy
hyperthread siblings mean the run did not have its cores to itself at a fixed speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from concbench_poly.results.model import Measurement

CPU_AGREEMENT = 0.05  # relative difference of cgroup and rusage CPU above which a run is flagged
SIBLINGS_BUSY = 0.10  # fraction of the run a sibling hyperthread may have been busy
STEAL = 0.05  # fraction of the pinned cores' time a hypervisor may take in the median run before a flag


@dataclass(frozen=True)
class CpuDisagreement:
    kind: ClassVar[str] = "cpu_disagreement"
    cgroup_s: float
    process_s: float

    @property
    def difference(self) -> float:
        return abs(self.cgroup_s - self.process_s) / max(self.cgroup_s, self.process_s)


@dataclass(frozen=True)
class Throttled:
    kind: ClassVar[str] = "throttled"
    periods: int
    seconds: float


@dataclass(frozen=True)
class Swapped:
    kind: ClassVar[str] = "swap"
    pages: int


@dataclass(frozen=True)
class FrequencyScaling:
    kind: ClassVar[str] = "governor"
    governors: tuple[str, ...]


@dataclass(frozen=True)
class Turbo:
    kind: ClassVar[str] = "turbo"


@dataclass(frozen=True)
class BusySiblings:
    kind: ClassVar[str] = "siblings_busy"
    siblings: str
    busy: float


@dataclass(frozen=True)
class Stolen:
    """A hypervisor ran something else on the physical cores behind the pinned ones (a VM's steal time)."""

    kind: ClassVar[str] = "steal"
    worst: float  # the largest fraction of one run
    median: float  # over the case's runs


@dataclass(frozen=True)
class SharedPages:
    """The headline is every process's peak summed (no cgroup of its own): shared pages count again."""

    kind: ClassVar[str] = "shared_pages"
    processes: int


Flag = CpuDisagreement | Throttled | Swapped | FrequencyScaling | Turbo | BusySiblings | Stolen | SharedPages


def case_flags(runs: Sequence[Measurement]) -> tuple[Flag, ...]:
    """The flags of a case's successful runs; where runs differ, the worst run's numbers."""
    flags: list[Flag] = []
    disagreements = [
        CpuDisagreement(c.cgroup_cpu_s, c.process_cpu_s)
        for m in runs
        if (c := m.checks) and c.cgroup_cpu_s and c.process_cpu_s
    ]
    worst = max(disagreements, key=lambda d: d.difference, default=None)
    if worst is not None and worst.difference > CPU_AGREEMENT:
        flags.append(worst)
    throttled = [(c.throttled_periods, c.throttled_s or 0.0) for m in runs if (c := m.checks) and c.throttled_periods]
    if throttled:
        flags.append(Throttled(*max(throttled)))
    swapped = [(c.swap_in_pages or 0) + (c.swap_out_pages or 0) for m in runs if (c := m.checks)]
    if any(swapped):
        flags.append(Swapped(max(swapped)))
    governors = sorted({g for m in runs if (h := m.host_checks) and h.governors for g in h.governors})
    if governors and governors != ["performance"]:
        flags.append(FrequencyScaling(tuple(governors)))
    if any(h.turbo for m in runs if (h := m.host_checks)):
        flags.append(Turbo())
    busy = [(h.siblings_busy, h.siblings) for m in runs if (h := m.host_checks) and h.siblings and h.siblings_busy]
    if busy and max(busy)[0] > SIBLINGS_BUSY:
        fraction, siblings = max(busy)
        flags.append(BusySiblings(siblings or "", fraction))
    # The median run, not the worst: a run of a second spans ~100 jiffies a core, so one stolen
    # jiffy reads as 1%, and a single short run's share is mostly that rounding.
    stolen = sorted(h.steal for m in runs if (h := m.host_checks) and h.steal is not None)
    if stolen and (median := stolen[(len(stolen) - 1) // 2]) > STEAL:
        flags.append(Stolen(stolen[-1], median))
    shared = [m.processes_count or 1 for m in runs if m.memory_source == "processes"]
    if shared and max(shared) > 1:
        flags.append(SharedPages(max(shared)))
    return tuple(flags)
