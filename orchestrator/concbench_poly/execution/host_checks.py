"""BenchExec's machine checks around one run: frequency governor, turbo, and busy hyperthread siblings.

Read by the orchestrator on the machine that runs the runner, before and after each run (never
inside it): the runner's cores are the cpuset it was pinned to; their siblings are the hyperthreads
that share those cores' execution units but were not pinned, so anything they ran slowed the run down.
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
    return Snapshot(tuple(cpus), others, cpu_times(_read(proc_stat) or "") if others else {})


def after(snapshot: Snapshot, cpu_dir: Path = CPU_DIR, proc_stat: Path = PROC_STAT) -> dict[str, Any]:
    """execution.host_checks of the run (schema/result.schema.json)."""
    governors = {g for cpu in snapshot.cpus if (g := _read(cpu_dir / f"cpu{cpu}" / "cpufreq" / "scaling_governor"))}
    busy = None
    if snapshot.siblings:
        now = cpu_times(_read(proc_stat) or "")
        fractions = []
        for cpu in snapshot.siblings:
            if cpu in now and cpu in snapshot.times:
                busy_delta = now[cpu][0] - snapshot.times[cpu][0]
                total_delta = now[cpu][1] - snapshot.times[cpu][1]
                fractions.append(busy_delta / total_delta if total_delta > 0 else 0.0)
        busy = sum(fractions) / len(fractions) if fractions else None
    return {
        "governors": sorted(governors) or None,
        "turbo": turbo(cpu_dir),
        "siblings": ",".join(map(str, snapshot.siblings)) or None,
        "siblings_busy": busy,
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
