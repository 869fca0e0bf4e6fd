"""The machine a run will use, and whether the requested limits can apply there.

Checked before anything is built, started or written: a CPU the engine's machine lacks, a quota above
the pinned CPUs, or more memory than it has would fail every run at run time, or silently run
unpinned. Limits that the machine cannot enforce at all (no swap accounting, no pids controller) are
warnings for `doctor`.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from concbench_poly.cases import Case
from concbench_poly.config import Limits, RunOptions, parse_cpuset
from concbench_poly.errors import UsageError

GIB = 1024**3


@dataclass(frozen=True)
class Machine:
    name: str
    cpus: frozenset[int]  # CPUs a run may be pinned to
    memory_bytes: int | None
    # Limits the engine can enforce (Docker's info); None where unknown (the local executor's cgroups
    # are checked when it makes them).
    enforces: dict[str, bool] | None = None


def local_machine() -> Machine:
    return Machine(
        name=platform.node() or "this machine",
        cpus=frozenset(os.sched_getaffinity(0)),
        memory_bytes=_meminfo_total(Path("/proc/meminfo")),
    )


def docker_machine(info: dict[str, Any]) -> Machine:
    """From the engine's `docker info`: its machine, which may not be this one."""
    count = int(info.get("NCPU") or 0)
    return Machine(
        name=str(info.get("Name") or "the Docker engine's machine"),
        cpus=frozenset(range(count)),
        memory_bytes=int(info["MemTotal"]) if info.get("MemTotal") else None,
        enforces={
            "memory": bool(info.get("MemoryLimit", True)),
            "swap": bool(info.get("SwapLimit", True)),
            "cpu quota": bool(info.get("CpuCfsQuota", True)),
            "cpuset": bool(info.get("CPUSet", True)),
            "pids": bool(info.get("PidsLimit", True)),
        },
    )


def _meminfo_total(path: Path) -> int | None:
    try:
        for line in path.read_text(encoding="ascii").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_list(cpus: frozenset[int] | list[int]) -> str:
    """[0, 1, 2, 5] -> '0-2,5'."""
    ordered = sorted(cpus)
    ranges: list[str] = []
    start = previous = None
    for cpu in [*ordered, None]:
        if cpu is not None and previous is not None and cpu == previous + 1:
            previous = cpu
            continue
        if start is not None:
            ranges.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = cpu
    return ",".join(ranges)


def check_limits(limits: Limits, machine: Machine) -> None:
    """UsageError (one line naming the option) for limits the machine cannot give a run."""
    wanted = limits.cpuset_list()
    missing = sorted(set(wanted) - machine.cpus)
    if missing and machine.cpus:
        raise UsageError(
            f"--cpuset: CPU {cpu_list(missing)} is not available on {machine.name} "
            f"(available: {cpu_list(machine.cpus)})"
        )
    if limits.cpus > len(wanted):
        raise UsageError(
            f"--cpus: {limits.cpus:g} is more than the {len(wanted)} CPU(s) of --cpuset {limits.cpuset}; "
            "a quota above the pinned CPUs can never be used"
        )
    if machine.memory_bytes is not None and limits.memory_bytes > machine.memory_bytes:
        raise UsageError(
            f"--memory: {limits.memory_bytes / GIB:.3g} GiB is more than {machine.name} has "
            f"({machine.memory_bytes / GIB:.3g} GiB)"
        )


def limit_warnings(machine: Machine) -> list[str]:
    """Limits this machine's engine cannot enforce: a run would go on without them."""
    names = {
        "memory": "the memory limit",
        "swap": "the no-swap limit (swap accounting is off)",
        "cpu quota": "the CPU quota (--cpus)",
        "cpuset": "CPU pinning (--cpuset)",
        "pids": "the pids limit (--pids)",
    }
    return [f"{names[k]} cannot apply on {machine.name}" for k, ok in (machine.enforces or {}).items() if not ok]


# The default axis goes up to this many cores: the article's CPU-bound figures are from a 4-core machine.
AXIS_DEFAULT_MAX = 4


def resolve_core_axis(options: RunOptions, machine: Machine) -> tuple[RunOptions, list[str]]:
    """The core counts and CPUs of the axis on this machine, and a note per count that cannot fit.

    Allowed CPUs: --cpuset, or every CPU of the machine. Default counts: 1 and all allowed up to 4.
    """
    if options.cores is None:
        return options, []
    allowed = parse_cpuset(options.axis_cpuset) if options.axis_cpuset else sorted(machine.cpus)
    missing = sorted(set(allowed) - machine.cpus)
    if missing and machine.cpus:
        raise UsageError(
            f"--cpuset: CPU {cpu_list(missing)} is not available on {machine.name} "
            f"(available: {cpu_list(machine.cpus)})"
        )
    wanted = options.cores or tuple(sorted({1, min(len(allowed), AXIS_DEFAULT_MAX)}))
    counts = tuple(k for k in wanted if k <= len(allowed))
    notes = [
        f"--cores: {k} dropped: only {len(allowed)} CPU(s) allowed ({cpu_list(allowed)})"
        for k in wanted
        if k > len(allowed)
    ]
    if not counts:
        raise UsageError(f"--cores: none of {','.join(map(str, wanted))} fits the {len(allowed)} allowed CPU(s)")
    return replace(options, cores=counts, axis_cpuset=cpu_list(allowed)), notes


def cores_used(options: RunOptions, planned: Sequence[Case]) -> list[int]:
    """Every CPU the invocation's runs are pinned to: what its core lock must hold, and only that."""
    cpus = set()
    for case in planned:
        limits = options.core_limits(case.cores) if case.cores is not None else options.limits
        cpus.update(limits.cpuset_list())
    return sorted(cpus)
