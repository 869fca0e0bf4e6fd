"""The JSON result document (schema/result.schema.json composed with schema/runner_contract.json)."""

from __future__ import annotations

import platform
from typing import Any

from concbench_runner.arguments import BenchmarkConfig
from concbench_runner.failures import ErrorKind
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.peak_concurrency import concurrency_document
from concbench_runner.task_timing import latency_document
from concbench_runner.workload_outcome import WorkloadOutcome

# The contract's schema_version (schema/README.md, "the version rule"); the contract test fails until they agree.
SCHEMA_VERSION = 1


def _plain_number(value: float) -> float | int:
    """10.0 -> 10 so that the document echoes the argument as given; 0.5 stays 0.5."""
    return int(value) if value.is_integer() else value


def workload_document(config: BenchmarkConfig) -> dict[str, Any]:
    """What was run; parameters that do not apply to the approach are null (pool_size, workers)."""
    workload: dict[str, Any] = {"kind": config.workload, "tasks": config.tasks}
    if config.workload == "io":
        workload["io_ms"] = _plain_number(config.io_ms)
    else:
        workload["payload_bytes"] = config.payload_bytes
        workload["repeat"] = config.repeat
    workload["pool_size"] = config.pool_size if config.approach == "threadpool" else None
    workload["workers"] = config.workers if config.approach == "multiprocessing" else None
    return workload


def runtime_document() -> dict[str, str]:
    return {"name": platform.python_implementation().lower(), "version": platform.python_version()}


def _header(config: BenchmarkConfig, status: str, error: dict[str, str] | None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "language": "python",
        "approach": config.approach,
        "status": status,
        "error": error,
        "workload": workload_document(config),
    }


def ok_document(
    config: BenchmarkConfig,
    window: MeasurementWindow,
    outcome: WorkloadOutcome,
    environment: dict[str, Any],
) -> dict[str, Any]:
    """status ok: every task completed and every measurement is present."""
    total_ms = window.total_ms
    document = _header(config, "ok", None)
    document.update(
        {
            "started_at": window.started_at,
            "total_ms": total_ms,
            "throughput_per_s": config.tasks / (total_ms / 1000) if total_ms > 0 else 0.0,
            "latency_ms": latency_document(outcome.times),
            "memory": window.memory_document(config.tasks, outcome.worker_peak_rss_bytes, outcome.runtime_details),
            "cpu": window.cpu_document(),
            "concurrency": concurrency_document(outcome.times, window.opened_at_ns),
            "checksum": outcome.checksum if config.workload == "cpu" else None,
            "runtime": runtime_document(),
            "environment": environment,
        }
    )
    return document


def error_document(
    config: BenchmarkConfig,
    kind: ErrorKind,
    message: str,
    started_at: str,
    environment: dict[str, Any] | None,
) -> dict[str, Any]:
    """status error: the reason, and null wherever a measurement is missing or incomplete."""
    document = _header(config, "error", {"kind": kind, "message": message})
    document.update(
        {
            "started_at": started_at,
            "total_ms": None,
            "throughput_per_s": None,
            "latency_ms": None,
            "memory": None,
            "cpu": None,
            "checksum": None,
            "runtime": runtime_document(),
        }
    )
    if environment is not None:
        document["environment"] = environment
    return document
