"""Turns what an executor saw (RawRun) into a validated result document. Pure: no I/O.

A runner that printed a valid document keeps it; everything else (OOM kill, time limit, invalid
output, a crash before printing) becomes a schema-valid status "error" document naming the runner,
the approach and the container, so a failed run is a row in the report, never a lost run.
"""

from __future__ import annotations

from typing import Any

from concbench_poly.errors import SchemaError
from concbench_poly.executors.base import RawRun, RunRequest, stderr_tail
from concbench_poly.registry import Case
from concbench_poly.results import RunResult
from concbench_poly.schema import parse_document, validate_document

SCHEMA_VERSION = 1


def workload_json(case: Case) -> dict[str, Any]:
    workload: dict[str, Any] = {
        "kind": case.workload,
        "tasks": case.tasks,
        "pool_size": case.pool_size,
        "workers": case.workers,
    }
    if case.workload == "io":
        workload["io_ms"] = case.io_ms
    else:
        workload["payload_bytes"] = case.payload_bytes
        workload["repeat"] = case.repeat
    return workload


def error_document(case: Case, kind: str, message: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
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
        "image": raw.image if raw else None,
        "image_id": raw.image_id if raw else None,
        "container_id": raw.container_id if raw else None,
        "limits": dict(raw.applied_limits)
        if raw and raw.applied_limits
        else {
            "cpus": request.limits.cpus,
            "cpuset": request.limits.cpuset,
            "memory_bytes": request.limits.memory_bytes,
            "pids": request.limits.pids,
            "timeout_s": request.limits.timeout_s,
        },
        "exit_code": raw.exit_code if raw else None,
        "oom_killed": raw.oom_killed if raw else None,
        "wall_ms": raw.wall_ms if raw else None,
        "stderr_tail": stderr_tail(raw.stderr) if raw else None,
        "host": dict(host),
    }


def to_result(raw: RawRun, request: RunRequest, host: dict[str, Any]) -> RunResult:
    case = request.case
    who = f"{case.language}/{case.approach} ({raw.where})"
    # OOM first: a run whose worker was OOM-killed may then hang until the time limit.
    if raw.oom_killed:
        limit = request.limits.memory_bytes / (1024 * 1024)
        document = error_document(case, "oom_killed", f"{who}: killed by the OOM killer (memory limit {limit:g} MiB)")
    elif raw.timed_out:
        document = error_document(case, "timeout", f"{who}: killed after the {request.limits.timeout_s:g} s time limit")
    else:
        document = _runner_document(raw, case, who)
    document["execution"] = execution_json(raw, request, host, raw.executor)
    return RunResult.from_document(validate_document(document, source=who))


def failed_result(request: RunRequest, kind: str, message: str, executor: str, host: dict[str, Any]) -> RunResult:
    """A run that never produced a RawRun (build failure, engine down): still a saved error row."""
    document = error_document(request.case, kind, message)
    document["execution"] = execution_json(None, request, host, executor)
    return RunResult.from_document(validate_document(document, source=message))


def _runner_document(raw: RawRun, case: Case, who: str) -> dict[str, Any]:
    if not raw.stdout.strip() and raw.exit_code not in (0, None):
        tail = stderr_tail(raw.stderr, 3) or "no stderr"
        return error_document(case, "runner_crashed", f"{who}: exited with code {raw.exit_code}: {tail}")
    try:
        document = parse_document(raw.stdout, source=who)
    except SchemaError as exc:
        return error_document(case, "invalid_output", str(exc))
    if (document["language"], document["approach"]) != (case.language, case.approach):
        return error_document(
            case,
            "invalid_output",
            f"{who}: printed a result for {document['language']}/{document['approach']}",
        )
    if document["status"] == "ok" and raw.exit_code not in (0, None):
        return error_document(case, "runner_crashed", f"{who}: printed status ok but exited with code {raw.exit_code}")
    return document
