"""A fake executor for unit tests of the orchestrator's own seams (never for runner behaviour)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from concbench_poly.execution.base import RawRun, RunRequest
from concbench_poly.execution.invocation import Invocation
from concbench_poly.execution.machine import Machine
from concbench_poly.results.document import workload_json
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "schema" / "examples" / "valid" / "ok_io_python_asyncio.json"


def runner_document(request: RunRequest, total_ms: float = 20.0) -> dict[str, Any]:
    """A plausible runner document for the request's case, from the schema's own example."""
    document: dict[str, Any] = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    case = request.case
    document.update(language=case.language, approach=case.approach, workload=workload_json(case), total_ms=total_ms)
    return document


def ok_run(request: RunRequest) -> RawRun:
    return RawRun(
        executor="local",
        stdout=json.dumps(runner_document(request)),
        stderr="",
        exit_code=0,
        timed_out=False,
        wall_ms=50.0,
        oom_killed=False,
        container_id="f" * 64,
    )


def oom_killed_run(request: RunRequest) -> RawRun:
    """What the docker executor sees of a container the OOM killer ended: exit 137, no output."""
    return RawRun(
        executor="docker",
        stdout="",
        stderr="",
        exit_code=137,
        timed_out=False,
        wall_ms=5.0,
        oom_killed=True,
        container_id="c0ffee" * 4,
    )


class FakeExecutor:
    """Answers each request with `behaviour(request)`; records what it was asked."""

    name = "local"
    on_this_machine = False  # its runs happen nowhere: there is no machine to check

    def __init__(self, behaviour: Callable[[RunRequest], RawRun] = ok_run) -> None:
        self.behaviour = behaviour
        self.requests: list[RunRequest] = []
        self.locked: tuple[int, ...] = ()

    def host_info(self) -> dict[str, Any]:
        return {
            "kernel": "6.1.0-test",
            "cpu_model": "Test CPU",
            "cpu_count": 2,
            "docker_version": None,
            "cgroup_version": 1,
        }

    def run(self, request: RunRequest) -> RawRun:
        self.requests.append(request)
        return self.behaviour(request)

    def machine(self) -> Machine:
        return Machine(name="fake", cpus=frozenset({0, 1}), memory_bytes=8 * 1024**3)

    def reap(self, current: Invocation) -> list[str]:
        return []

    def lock_cores(
        self, cores: Sequence[int], current: Invocation, expires: float, *, wait: bool, notice: Callable[[str], None]
    ) -> AbstractContextManager[None]:
        self.locked = tuple(cores)
        return nullcontext()


class FakeHost:
    """A fleet host for the fleet service's own tests: a FakeExecutor, nothing to ship, nothing to kill."""

    def __init__(self, executor: FakeExecutor | None = None) -> None:
        self.fake = executor or FakeExecutor()
        self.killed: list[str] = []

    def executor(self) -> FakeExecutor:
        return self.fake

    def ship(self, images: Sequence[Any]) -> list[str]:
        return []

    def kill_runs(self, run_id: str) -> None:
        self.killed.append(run_id)
