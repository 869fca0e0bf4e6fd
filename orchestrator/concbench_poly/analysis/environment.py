"""Where and how the runs ran, as data: distinct values from the documents' execution blocks.

Exporters word it; this module only collects it, in a stable order so regenerated reports match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from concbench_poly.results.model import RunResult


@dataclass(frozen=True, order=True)
class LimitsSeen:
    """Limits an executor applied (None: not applied, e.g. no cgroup for a local run)."""

    cpus: float | None
    cpuset: str | None
    memory_bytes: int | None
    pids: int | None
    timeout_s: float | None


@dataclass(frozen=True, order=True)
class HostSeen:
    kernel: str | None
    cpu_model: str | None
    cpu_count: int | None
    docker_version: str | None
    cgroup_version: int | None


@dataclass(frozen=True, order=True)
class RunnerView:
    """What the runner saw of its limits from inside."""

    parallelism: int | None
    affinity: str | None
    cgroup_version: int | None
    cpu_quota_cores: float | None
    cpuset: str | None
    memory_limit_bytes: int | None


@dataclass(frozen=True, order=True)
class RuntimeSeen:
    language: str
    runtime: str  # "cpython 3.11.2"
    gil_enabled: bool | None = None  # CPython 3.13+: whether the GIL was on (False: free-threaded)
    build_flags: str | None = None  # how it was built, as it says (CPython: CONFIG_ARGS)


@dataclass(frozen=True)
class Environment:
    executors: tuple[str, ...] = ()
    run_ids: tuple[str, ...] = ()
    limits: tuple[LimitsSeen, ...] = ()
    runtimes: tuple[RuntimeSeen, ...] = ()
    hosts: tuple[HostSeen, ...] = ()
    runner_views: tuple[RunnerView, ...] = ()
    images: tuple[str, ...] = ()

    @property
    def memory_limits_bytes(self) -> tuple[int, ...]:
        return tuple(sorted({lim.memory_bytes for lim in self.limits if lim.memory_bytes is not None}))


def environment_of(results: Sequence[RunResult]) -> Environment:
    executors: set[str] = set()
    run_ids: set[str] = set()
    images: set[str] = set()
    limits: set[LimitsSeen] = set()
    hosts: set[HostSeen] = set()
    views: set[RunnerView] = set()
    runtimes: set[RuntimeSeen] = set()
    for result in results:
        document = result.document
        execution = document.get("execution") or {}
        if result.executor:
            executors.add(result.executor)
        if execution.get("run_id"):
            run_ids.add(str(execution["run_id"]))
        if execution.get("image"):
            images.add(str(execution["image"]))
        if isinstance(execution.get("limits"), dict):
            limits.add(_limits(execution["limits"]))
        if isinstance(execution.get("host"), dict):
            hosts.add(_host(execution["host"]))
        if result.runtime:
            seen = document.get("runtime") or {}
            runtimes.add(
                RuntimeSeen(result.case.language, result.runtime, seen.get("gil_enabled"), seen.get("build_flags"))
            )
        if isinstance(document.get("environment"), dict):
            views.add(_runner_view(document["environment"]))
    return Environment(
        executors=tuple(sorted(executors)),
        run_ids=tuple(sorted(run_ids)),
        limits=_sorted(limits),
        runtimes=_sorted(runtimes),
        hosts=_sorted(hosts),
        runner_views=_sorted(views),
        images=tuple(sorted(images)),
    )


T = TypeVar("T", LimitsSeen, HostSeen, RunnerView, RuntimeSeen)


def _sorted(values: set[T]) -> tuple[T, ...]:
    # None sorts before any value of its field, so fields that are missing in some runs still order.
    return tuple(sorted(values, key=lambda v: tuple((x is not None, x) for x in vars(v).values())))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _limits(raw: dict[str, Any]) -> LimitsSeen:
    return LimitsSeen(
        cpus=_number(raw.get("cpus")),
        cpuset=_text(raw.get("cpuset")),
        memory_bytes=_int(raw.get("memory_bytes")),
        pids=_int(raw.get("pids")),
        timeout_s=_number(raw.get("timeout_s")),
    )


def _host(raw: dict[str, Any]) -> HostSeen:
    return HostSeen(
        kernel=_text(raw.get("kernel")),
        cpu_model=_text(raw.get("cpu_model")),
        cpu_count=_int(raw.get("cpu_count")),
        docker_version=_text(raw.get("docker_version")),
        cgroup_version=_int(raw.get("cgroup_version")),
    )


def _runner_view(environment: dict[str, Any]) -> RunnerView:
    cgroup = environment.get("cgroup") or {}
    return RunnerView(
        parallelism=_int(environment.get("parallelism")),
        affinity=_text(environment.get("affinity")),
        cgroup_version=_int(cgroup.get("version")),
        cpu_quota_cores=_number(cgroup.get("cpu_quota_cores")),
        cpuset=_text(cgroup.get("cpuset")),
        memory_limit_bytes=_int(cgroup.get("memory_limit_bytes")),
    )
