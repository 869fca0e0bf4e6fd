"""Result objects: a validated runner document, typed for the aggregate step.

The JSON document stays the source of truth (it is what gets saved and re-read); the dataclasses
give the rest of the pipeline typed, read-only access to the figures it aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from concbench_poly.cases import Case
from concbench_poly.results.document import case_of
from concbench_poly.results.upgrade import to_current

MemorySource = Literal["cgroup", "processes"]


@dataclass(frozen=True)
class Distribution:
    """Latency percentiles in float milliseconds (nearest rank)."""

    p50: float
    p90: float
    p99: float
    max: float
    mean: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Distribution:
        return cls(p50=data["p50"], p90=data["p90"], p99=data["p99"], max=data["max"], mean=data["mean"])


@dataclass(frozen=True)
class Wakeup:
    """Wake-up error of the waits, (woke - started) - D in ms (runners/README.md)."""

    early_tasks: int
    earliest: float
    p50: float
    p99: float
    latest: float


@dataclass(frozen=True)
class Checks:
    """BenchExec's checks as the runner read them; None where they could not be read."""

    cgroup_cpu_s: float | None
    process_cpu_s: float | None
    throttled_periods: int | None
    throttled_s: float | None
    swap_in_pages: int | None
    swap_out_pages: int | None


@dataclass(frozen=True)
class HostChecks:
    """BenchExec's machine checks as the orchestrator read them on the machine of the run."""

    governors: tuple[str, ...] | None
    turbo: bool | None
    siblings: str | None
    siblings_busy: float | None
    steal: float | None = None  # absent from documents written before the check existed


@dataclass(frozen=True)
class Measurement:
    """The figures of a successful run (status ok)."""

    tasks: int
    total_ms: float
    throughput_per_s: float
    service: Distribution
    end_to_end: Distribution
    service_cdf: tuple[float, ...] | None
    end_to_end_cdf: tuple[float, ...] | None
    baseline_rss_bytes: int
    peak_rss_bytes: int
    per_task_bytes: float
    vm_peak_bytes: int | None
    cgroup_peak_bytes: int | None
    runtime_memory: dict[str, Any]
    user_s: float
    system_s: float
    voluntary_ctx_switches: int
    involuntary_ctx_switches: int
    peak_threads: int
    peak_running: int  # most tasks inside their [start, finish) at once: the concurrency really reached
    peak_in_flight: int  # most tasks submitted and not yet finished at once (queued ones included)
    submit_ms: float  # window open to the last submission: the model's spawn cost
    processes_count: int | None
    processes_peak_rss_sum_bytes: int | None  # every process's VmHWM summed: shared pages counted again
    cgroup_baseline_bytes: int | None
    executor_cgroup_peak_bytes: int | None  # read from outside after the runner exited (local executor)
    wakeup: Wakeup | None
    checks: Checks | None
    host_checks: HostChecks | None

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.system_s

    @property
    def cgroup_peak(self) -> int | None:
        """The run's cgroup peak: the executor's reading of the whole run where it has one."""
        return (
            self.executor_cgroup_peak_bytes if self.executor_cgroup_peak_bytes is not None else self.cgroup_peak_bytes
        )

    @property
    def memory_source(self) -> MemorySource:
        return "cgroup" if self.cgroup_peak is not None else "processes"

    @property
    def memory_bytes(self) -> int:
        """The headline: what the run's processes cost together, counted once (the cgroup peak, as
        BenchExec and the OOM killer count it); without a cgroup, every process's peak summed."""
        if self.cgroup_peak is not None:
            return self.cgroup_peak
        if self.processes_peak_rss_sum_bytes is not None:
            return self.processes_peak_rss_sum_bytes
        return self.peak_rss_bytes

    @property
    def memory_per_task_bytes(self) -> float:
        """The headline's growth over the window per task: cgroup peak minus the cgroup's usage just
        before the window where both are known, else the runner process's RSS growth."""
        if self.cgroup_peak is not None and self.cgroup_baseline_bytes is not None:
            return (self.cgroup_peak - self.cgroup_baseline_bytes) / self.tasks
        return self.per_task_bytes


@dataclass(frozen=True)
class AtFailure:
    """What the runner counted when the run failed, beside the limits that bind those counts."""

    threads: int | None
    memory_maps: int | None
    pids: int | None
    rss_bytes: int | None
    vm_size_bytes: int | None
    pids_max: int | None
    pid_max: int | None
    threads_max: int | None
    max_map_count: int | None
    rlimit_nproc: int | None
    rlimit_as_bytes: int | None
    memory_limit_bytes: int | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AtFailure:
        limits = data["limits"]
        return cls(
            threads=data["threads"],
            memory_maps=data["memory_maps"],
            pids=data["pids"],
            rss_bytes=data["rss_bytes"],
            vm_size_bytes=data.get("vm_size_bytes"),
            **{name: limits[name] for name in _LIMIT_NAMES},
        )


_LIMIT_NAMES = (
    "pids_max",
    "pid_max",
    "threads_max",
    "max_map_count",
    "rlimit_nproc",
    "rlimit_as_bytes",
    "memory_limit_bytes",
)


@dataclass(frozen=True, eq=False)
class RunResult:
    """One run of one case: either a Measurement or an error, plus how it was executed."""

    case: Case
    status: str
    error_kind: str | None
    error_message: str | None
    measurement: Measurement | None
    at_failure: AtFailure | None
    runtime: str | None  # "cpython 3.11.2"
    executor: str | None
    repetition: int
    warmup: bool
    document: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.measurement is not None

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> RunResult:
        """Build from a document already validated against the schema (of any supported version);
        `document` stays as it was saved."""
        current = to_current(document)
        execution = current.get("execution") or {}
        runtime = current.get("runtime")
        error = current.get("error")
        return cls(
            case=case_of(current),
            status=current["status"],
            error_kind=error["kind"] if error else None,
            error_message=error["message"] if error else None,
            measurement=_measurement(current) if current["status"] == "ok" else None,
            at_failure=AtFailure.from_json(error["at_failure"]) if error and error.get("at_failure") else None,
            runtime=f"{runtime['name']} {runtime['version']}" if runtime else None,
            executor=execution.get("executor"),
            repetition=int(execution.get("repetition", 0)),
            warmup=bool(execution.get("warmup", False)),
            document=document,
        )


def _measurement(document: dict[str, Any]) -> Measurement:
    latency, memory, cpu = document["latency_ms"], document["memory"], document["cpu"]
    execution = document.get("execution") or {}
    cdf = latency.get("cdf") or {}
    return Measurement(
        tasks=document["workload"]["tasks"],
        total_ms=document["total_ms"],
        throughput_per_s=document["throughput_per_s"],
        service=Distribution.from_json(latency["service"]),
        end_to_end=Distribution.from_json(latency["end_to_end"]),
        service_cdf=tuple(cdf["service"]) if "service" in cdf else None,
        end_to_end_cdf=tuple(cdf["end_to_end"]) if "end_to_end" in cdf else None,
        baseline_rss_bytes=memory["baseline_rss_bytes"],
        peak_rss_bytes=memory["peak_rss_bytes"],
        per_task_bytes=memory["per_task_bytes"],
        vm_peak_bytes=memory.get("vm_peak_bytes"),
        cgroup_peak_bytes=memory.get("cgroup_peak_bytes"),
        runtime_memory=dict(memory.get("runtime") or {}),
        user_s=cpu["user_s"],
        system_s=cpu["system_s"],
        voluntary_ctx_switches=cpu["voluntary_ctx_switches"],
        involuntary_ctx_switches=cpu["involuntary_ctx_switches"],
        peak_threads=cpu["peak_threads"],
        peak_running=document["concurrency"]["peak_running"],
        peak_in_flight=document["concurrency"]["peak_in_flight"],
        submit_ms=document["concurrency"]["submit_ms"],
        processes_count=(memory.get("processes") or {}).get("count"),
        processes_peak_rss_sum_bytes=(memory.get("processes") or {}).get("peak_rss_sum_bytes"),
        cgroup_baseline_bytes=memory.get("cgroup_baseline_bytes"),
        executor_cgroup_peak_bytes=execution.get("cgroup_peak_bytes"),
        wakeup=Wakeup(**document["wakeup_ms"]) if document.get("wakeup_ms") else None,
        checks=Checks(**document["checks"]) if document.get("checks") else None,
        host_checks=_host_checks(execution.get("host_checks")),
    )


def _host_checks(raw: dict[str, Any] | None) -> HostChecks | None:
    if not raw:
        return None
    governors = raw.get("governors")
    return HostChecks(
        governors=tuple(governors) if governors is not None else None,
        turbo=raw.get("turbo"),
        siblings=raw.get("siblings"),
        siblings_busy=raw.get("siblings_busy"),
        steal=raw.get("steal"),
    )
