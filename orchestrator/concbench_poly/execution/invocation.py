"""Who is running: the invocation every container and core lock is labelled with, and whether a
labelled invocation is still alive.

An invocation is this process: its run id, the machine it runs on, its pid and that pid's start time
(a pid alone is reused), when it started and its per-run time limit. "Gone" means: on the same
machine, that pid no longer runs that invocation; on any engine, its container is older than its time
limit plus a grace period, which no live run can be.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from concbench_poly.config import MANAGED_LABEL

PREFIX = "concbench-poly."
INVOCATION_LABEL = PREFIX + "invocation"
MACHINE_LABEL = PREFIX + "machine"
PID_LABEL = PREFIX + "pid"
PID_START_LABEL = PREFIX + "pid-start"
STARTED_LABEL = PREFIX + "started"
TIME_LIMIT_LABEL = PREFIX + "time-limit"
# Beyond its time limit a container is killed; this leaves room for the kill and the removal.
GRACE_S = 120.0


@dataclass(frozen=True)
class Invocation:
    run_id: str
    machine: str
    pid: int
    pid_start: str  # /proc/<pid>/stat field 22: ticks since boot when the process started
    started: float  # epoch seconds
    time_limit_s: float

    def labels(self) -> dict[str, str]:
        return {
            MANAGED_LABEL: "true",
            INVOCATION_LABEL: self.run_id,
            MACHINE_LABEL: self.machine,
            PID_LABEL: str(self.pid),
            PID_START_LABEL: self.pid_start,
            STARTED_LABEL: f"{self.started:.3f}",
            TIME_LIMIT_LABEL: f"{self.time_limit_s:g}",
        }

    def describe(self) -> str:
        since = time.strftime("%H:%M:%S", time.localtime(self.started))
        return f"invocation {self.run_id} (pid {self.pid} on {self.machine}, since {since})"


def this_invocation(run_id: str, time_limit_s: float) -> Invocation:
    pid = os.getpid()
    return Invocation(
        run_id=run_id,
        machine=machine_name(),
        pid=pid,
        pid_start=pid_start_time(pid) or "",
        started=time.time(),
        time_limit_s=time_limit_s,
    )


def machine_name() -> str:
    return platform.node() or "localhost"


def pid_start_time(pid: int, proc: Path = Path("/proc")) -> str | None:
    """The start time of a pid (field 22 of /proc/<pid>/stat); None when no such process runs."""
    try:
        stat = (proc / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: fields after its last ')' are safe.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def from_labels(labels: Mapping[str, str]) -> Invocation | None:
    try:
        return Invocation(
            run_id=labels[INVOCATION_LABEL],
            machine=labels[MACHINE_LABEL],
            pid=int(labels[PID_LABEL]),
            pid_start=labels.get(PID_START_LABEL, ""),
            started=float(labels[STARTED_LABEL]),
            time_limit_s=float(labels[TIME_LIMIT_LABEL]),
        )
    except (KeyError, ValueError):
        return None


def is_gone(owner: Invocation | None, now: float, deadline: float, proc: Path = Path("/proc")) -> bool:
    """Whether the invocation that labelled something can no longer own it.

    On this machine: its pid no longer runs it. Elsewhere: `deadline` has passed, the latest moment
    any live use could last (a run container: its creation plus the time limit and a grace period; a
    core lock: the bound its holder wrote on it). Without invocation labels (an older concbench-poly),
    only the deadline counts.
    """
    if owner is not None and owner.machine == machine_name():
        start = pid_start_time(owner.pid, proc)
        return start is None or (owner.pid_start != "" and start != owner.pid_start)
    return now > deadline
