"""Result objects: a validated runner document, typed for the aggregate step.

The JSON document stays the source of truth (it is what gets saved and re-read); the dataclasses
give the rest of the pipeline typed, read-only access to the figures it aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from concbench_poly.cases import Case
from concbench_poly.results.document import case_of


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
class Measurement:
    """The figures of a successful run (status ok)."""

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

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.system_s


@dataclass(frozen=True, eq=False)
class RunResult:
    """One run of one case: either a Measurement or an error, plus how it was executed."""

    case: Case
    status: str
    error_kind: str | None
    error_message: str | None
    measurement: Measurement | None
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
        """Build from a document already validated against the schema."""
        execution = document.get("execution") or {}
        runtime = document.get("runtime")
        error = document.get("error")
        return cls(
            case=case_of(document),
            status=document["status"],
            error_kind=error["kind"] if error else None,
            error_message=error["message"] if error else None,
            measurement=_measurement(document) if document["status"] == "ok" else None,
            runtime=f"{runtime['name']} {runtime['version']}" if runtime else None,
            executor=execution.get("executor"),
            repetition=int(execution.get("repetition", 0)),
            warmup=bool(execution.get("warmup", False)),
            document=document,
        )


def _measurement(document: dict[str, Any]) -> Measurement:
    latency, memory, cpu = document["latency_ms"], document["memory"], document["cpu"]
    cdf = latency.get("cdf") or {}
    return Measurement(
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
    )
