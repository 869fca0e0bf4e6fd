"""BenchExec's machine checks around one run: frequency governor, turbo, busy hyperthread siblings,
and the time a hypervisor took from the pinned cores (steal).

Read by the orchestrator on the machine that runs the runner, before and after each run (never
inside it): the runner's cores are the cpuset it was pinned to; their siblings are the hyperthreads
that share those cores' execution units but were not pinned, so anything they ran slowed the run down.
On a virtual machine the hypervisor may also run other guests on the physical cores behind the pinned
ones: the guest kernel counts that as steal time, and a run on stolen cores takes longer than its
own work explains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CPU_DIR = Path("/sys/devices/system/cpu")
PROC_STAT = Path("/proc/stat")


@dataclass(frozen=True)
class Snapshot:
    """What the checks need from before the run: the cores, their siblings and the siblings' times."""

    cpus: tuple[int, ...]
    siblings: tuple[int, ...]
    times: dict[int, tuple[int, int]]  # cpu -> (busy jiffies, total jiffies)
    steal: dict[int, tuple[int, int]]  # pinned cpu -> (steal jiffies, total jiffies)


def parse_cpu_list(text: str) -> list[int]:
    """'0-1,4' -> [0, 1, 4]; anything unreadable -> []."""
    cpus: list[int] = []
    for part in text.strip().split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            return []
        cpus += range(int(lo), int(hi or lo) + 1)
    return cpus


def cpu_times(stat_text: str) -> dict[int, tuple[int, int]]:
    """Per-CPU (busy, total) jiffies from /proc/stat; idle and iowait are not busy."""
    times: dict[int, tuple[int, int]] = {}
    for line in stat_text.splitlines():
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or not name[3:].isdigit():
            continue
        values = [int(v) for v in fields[:8] if v.isdigit()]
        total = sum(values)
        idle = sum(values[3:5])
        times[int(name[3:])] = (total - idle, total)
    return times


def steal_times(stat_text: str) -> dict[int, tuple[int, int]]:
    """Per-CPU (steal, total) jiffies from /proc/stat: steal is the 8th field, 0 on bare metal."""
    times: dict[int, tuple[int, int]] = {}
    for line in stat_text.splitlines():
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or not name[3:].isdigit() or len(fields) < 8:
            continue
        values = [int(v) for v in fields[:8] if v.isdigit()]
        if len(values) == 8:
            times[int(name[3:])] = (values[7], sum(values))
    return times


Jiffies = dict[int, tuple[int, int]]  # cpu -> (the jiffies counted, all jiffies)


def _fraction(before: Jiffies, after: Jiffies, cpus: Sequence[int]) -> float | None:
    """The mean over `cpus` of (part delta / total delta) between two reads; None if none was read twice."""
    fractions = []
    for cpu in cpus:
        if cpu in after and cpu in before:
            part = after[cpu][0] - before[cpu][0]
            total = after[cpu][1] - before[cpu][1]
            fractions.append(part / total if total > 0 else 0.0)
    return sum(fractions) / len(fractions) if fractions else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None


def before(cpus: Sequence[int], cpu_dir: Path = CPU_DIR, proc_stat: Path = PROC_STAT) -> Snapshot:
    siblings: set[int] = set()
    for cpu in cpus:
        text = _read(cpu_dir / f"cpu{cpu}" / "topology" / "thread_siblings_list")
        siblings.update(parse_cpu_list(text or ""))
    others = tuple(sorted(siblings - set(cpus)))
    text = _read(proc_stat) or ""
    return Snapshot(tuple(cpus), others, cpu_times(text) if others else {}, steal_times(text))


def after(snapshot: Snapshot, cpu_dir: Path = CPU_DIR, proc_stat: Path = PROC_STAT) -> dict[str, Any]:
    """execution.host_checks of the run (schema/result.schema.json)."""
    governors = {g for cpu in snapshot.cpus if (g := _read(cpu_dir / f"cpu{cpu}" / "cpufreq" / "scaling_governor"))}
    text = _read(proc_stat) or ""
    busy = _fraction(snapshot.times, cpu_times(text), snapshot.siblings) if snapshot.siblings else None
    return {
        "governors": sorted(governors) or None,
        "turbo": turbo(cpu_dir),
        "siblings": ",".join(map(str, snapshot.siblings)) or None,
        "siblings_busy": busy,
        "steal": _fraction(snapshot.steal, steal_times(text), snapshot.cpus),
    }


def turbo(cpu_dir: Path = CPU_DIR) -> bool | None:
    """intel_pstate's no_turbo (1: off), else cpufreq's boost (1: on); None where neither exists."""
    no_turbo = _read(cpu_dir / "intel_pstate" / "no_turbo")
    if no_turbo in ("0", "1"):
        return no_turbo == "0"
    boost = _read(cpu_dir / "cpufreq" / "boost")
    if boost in ("0", "1"):
        return boost == "1"
    return None
