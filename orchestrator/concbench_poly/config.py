"""Frozen configuration: limits, workload parameters and the defaults every entry point shares.

docker-compose.yml repeats DEFAULT_LIMITS; tests/test_compose_defaults.py keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from concbench_poly.errors import UsageError

WorkloadKind = Literal["io", "cpu"]
ExecutorName = Literal["docker", "local", "auto"]

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """What each benchmark container (or local process) is confined to."""

    cpus: float = 1.0
    cpuset: str = "0"
    memory_bytes: int = 512 * MIB
    pids: int = 4096
    timeout_s: float = 300.0

    @property
    def nano_cpus(self) -> int:
        return round(self.cpus * 1_000_000_000)

    def cpuset_list(self) -> list[int]:
        return parse_cpuset(self.cpuset)


DEFAULT_LIMITS = Limits()
# Containers run as this user; the images create it (runners/*/Dockerfile).
CONTAINER_USER = "10001:10001"
CONTAINER_TMPFS = {"/tmp": "size=16m,mode=1777"}
MANAGED_LABEL = "concbench-poly.managed"


@dataclass(frozen=True)
class WorkloadParams:
    """Workload sizes shared by every approach of one invocation (the article's by default)."""

    tasks: int = 1000
    io_ms: float = 10.0
    payload_bytes: int = 64
    repeat: int = 10000
    # The article runs ThreadPool(50) and ThreadPool(100), multiprocessing(4) and worker_threads(4).
    pool_sizes: tuple[int, ...] = (50, 100)
    workers: int = 4

    def with_tasks(self, tasks: int) -> WorkloadParams:
        return replace(self, tasks=tasks)


@dataclass(frozen=True)
class Repetitions:
    """hyperfine-style: warm-up runs are saved but never aggregated."""

    warmup: int = 1
    repeat: int = 5


@dataclass(frozen=True)
class RunOptions:
    """Everything one `all`/`run`/`sweep` invocation needs below the CLI."""

    params: WorkloadParams = field(default_factory=WorkloadParams)
    limits: Limits = DEFAULT_LIMITS
    repetitions: Repetitions = field(default_factory=Repetitions)
    workloads: tuple[WorkloadKind, ...] = ("io", "cpu")
    languages: tuple[str, ...] = ("python", "go", "node")
    approaches: tuple[str, ...] | None = None
    executor: ExecutorName = "auto"
    offline: bool | None = None
    keep_containers: bool = False


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": MIB, "g": GIB, "t": 1024 * GIB}


def parse_memory(text: str) -> int:
    """'512m', '4g', '1.5GiB', '67108864' -> bytes (binary units, as docker does)."""
    match = _SIZE_RE.match(text)
    if not match:
        raise UsageError(f"--memory: expected a size such as 512m or 4g, got {text!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    value = int(number * _UNITS[unit])
    if value < 6 * MIB:
        raise UsageError(f"--memory: {text!r} is below Docker's minimum of 6 MiB")
    return value


def parse_cpuset(text: str) -> list[int]:
    """'0', '0-1', '0,2-3' -> sorted CPU numbers."""
    cpus: set[int] = set()
    try:
        for part in text.split(","):
            lo, _, hi = part.strip().partition("-")
            start, end = int(lo), int(hi) if hi else int(lo)
            if start < 0 or end < start:
                raise ValueError(part)
            cpus.update(range(start, end + 1))
    except ValueError:
        raise UsageError(f"--cpuset: expected a list such as 0 or 0-1 or 0,2, got {text!r}") from None
    if not cpus:
        raise UsageError(f"--cpuset: expected at least one CPU, got {text!r}")
    return sorted(cpus)


def parse_task_counts(text: str) -> list[int]:
    """'1000,10000,1e5' -> [1000, 10000, 100000] for sweeps."""
    counts: list[int] = []
    for part in text.split(","):
        try:
            value = float(part.strip())
        except ValueError:
            raise UsageError(f"--tasks: expected comma-separated counts, got {part.strip()!r}") from None
        if value < 1 or value != int(value):
            raise UsageError(f"--tasks: every count must be a whole number >= 1, got {part.strip()!r}")
        counts.append(int(value))
    return counts
