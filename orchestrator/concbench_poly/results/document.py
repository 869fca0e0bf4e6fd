"""The one mapping between the orchestrator's objects and the result document.

case <-> `workload` (+ the dimensions), limits <-> `execution.limits`, the runner command line of a
case, the orchestrator's own error documents and `execution` block, and the schema version they
carry (the contract's). Nothing else builds or reads these parts of a document.
"""

from __future__ import annotations

from typing import Any

from concbench_poly.cases import Case
from concbench_poly.config import Limits
from concbench_poly.contract import contract
from concbench_poly.execution.base import RawRun, RunRequest, stderr_tail


def schema_version() -> int:
    return contract().schema_version


def workload_json(case: Case) -> dict[str, Any]:
    """The `workload` block a runner prints for this case (pool_size and workers null when unused)."""
    registry = contract()
    values = case.option_values()
    workload: dict[str, Any] = {"kind": case.workload, "tasks": case.tasks}
    for name in registry.workload(case.workload).options:
        workload[name] = values[name]
    workload["pool_size"] = case.pool_size
    workload["workers"] = case.workers
    return workload


def case_of(document: dict[str, Any]) -> Case:
    """The case a (validated) document measured."""
    workload = document["workload"]
    # The orchestrator's axes: a runner knows nothing of them, so they live in its execution block.
    axes = (document.get("execution") or {}).get("axes") or {}
    return Case(
        language=document["language"],
        approach=document["approach"],
        workload=workload["kind"],
        tasks=workload["tasks"],
        io_ms=workload.get("io_ms"),
        payload_bytes=workload.get("payload_bytes"),
        loop_bytes=workload.get("loop_bytes"),
        repeat=workload.get("repeat"),
        pool_size=workload.get("pool_size"),
        workers=workload.get("workers"),
        cores=axes.get("cores"),
        runtime=axes.get("runtime"),
        host=axes.get("host"),
    )


def runner_args(case: Case) -> list[str]:
    """The runner command line of runners/README.md, flags from the contract."""
    registry = contract()
    args = ["--workload", case.workload, "--approach", case.approach]
    values = case.option_values()
    names = ["tasks", *registry.workload(case.workload).options, "pool_size", "workers"]
    for name in names:
        value = values[name]
        if value is not None:
            args += [registry.option(name).flag, _number(value)]
    return args


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def limits_json(limits: Limits) -> dict[str, Any]:
    return {
        "cpus": limits.cpus,
        "cpuset": limits.cpuset,
        "memory_bytes": limits.memory_bytes,
        "pids": limits.pids,
        "timeout_s": limits.timeout_s,
    }


def error_document(case: Case, kind: str, message: str) -> dict[str, Any]:
    return {
        "schema_version": schema_version(),
        "language": case.language,
        "approach": case.approach,
        "status": "error",
        "error": {"kind": kind, "message": message},
        "workload": workload_json(case),
    }


def execution_json(raw: RawRun | None, request: RunRequest, host: dict[str, Any], executor: str) -> dict[str, Any]:
    return {
        "executor": executor,
        "run_id": request.run_id,
        "repetition": request.repetition,
        "warmup": request.warmup,
        "axes": {"cores": request.case.cores, "runtime": request.case.runtime, "host": request.case.host},
        "image": raw.image if raw else None,
        "image_id": raw.image_id if raw else None,
        "container_id": raw.container_id if raw else None,
        "limits": dict(raw.applied_limits) if raw and raw.applied_limits else limits_json(request.limits),
        "exit_code": raw.exit_code if raw else None,
        "oom_killed": raw.oom_killed if raw else None,
        "wall_ms": raw.wall_ms if raw else None,
        "stderr_tail": stderr_tail(raw.stderr) if raw else None,
        "host": dict(host),
        "cgroup_peak_bytes": raw.cgroup_peak_bytes if raw else None,
        "host_checks": raw.host_checks if raw else None,
    }
