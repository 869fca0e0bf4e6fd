"""The seam between the orchestrator and the world: docker, local and (in tests) fake executors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from concbench_poly.cases import Case
from concbench_poly.config import Limits
from concbench_poly.execution.invocation import Invocation
from concbench_poly.execution.machine import Machine

STDERR_TAIL_LINES = 20


@dataclass(frozen=True)
class RunRequest:
    """One runner invocation: a case under limits, as repetition k of an invocation."""

    case: Case
    limits: Limits
    run_id: str
    repetition: int = 0
    warmup: bool = False
    keep: bool = False
    invocation: Invocation | None = None  # who runs it: the labels a container carries

    @property
    def name(self) -> str:
        kind = "warmup" if self.warmup else "rep"
        return f"concbench-{self.run_id}-{self.case.key}-{kind}{self.repetition}"


@dataclass(frozen=True)
class RawRun:
    """What an executor observed: streams, exit status and the limits it really applied."""

    executor: str
    stdout: str
    stderr: str
    exit_code: int | None
    timed_out: bool
    wall_ms: float | None
    oom_killed: bool | None = None
    image: str | None = None
    image_id: str | None = None
    container_id: str | None = None
    applied_limits: dict[str, Any] = field(default_factory=dict)
    cgroup_peak_bytes: int | None = None  # the run's cgroup peak, read from outside after it exited
    host_checks: dict[str, Any] | None = None  # execution.host_checks, added by the suite

    @property
    def where(self) -> str:
        """How error messages name the place the run happened."""
        if self.container_id:
            return f"container {self.container_id[:12]}"
        return f"{self.executor} process"


class Executor(Protocol):
    """Runs one runner invocation to completion (or to its time limit) and cleans up after it."""

    name: str
    # Whether the runs happen on the machine this process runs on (so /proc and /sys describe it).
    on_this_machine: bool

    def run(self, request: RunRequest) -> RawRun: ...

    def host_info(self) -> dict[str, Any]: ...

    def machine(self) -> Machine:
        """The machine the runs will use: what limits can apply there (checked before anything runs)."""
        ...

    def reap(self, current: Invocation) -> list[str]:
        """Remove what dead invocations left behind (containers, cgroups); returns what went."""
        ...

    def lock_cores(
        self, cores: Sequence[int], current: Invocation, expires: float, *, wait: bool, notice: Callable[[str], None]
    ) -> AbstractContextManager[None]:
        """Hold the cores for the whole invocation, waiting (with a notice) or refusing while another holds one."""
        ...


def stderr_tail(stderr: str, lines: int = STDERR_TAIL_LINES) -> str:
    return "\n".join(stderr.strip().splitlines()[-lines:])
