"""The JSON result document (schema/result.schema.json composed with schema/runner_contract.json)."""

from __future__ import annotations

import sys
from typing import Any

from concbench_runner.arguments import POOL_SIZE_APPROACHES, WORKERS_APPROACHES, BenchmarkConfig
from concbench_runner.failures import ErrorKind
from concbench_runner.measurement_window import MeasurementWindow
from concbench_runner.peak_concurrency import concurrency_document
from concbench_runner.task_timing import stamp_figures
from concbench_runner.workload_outcome import WorkloadOutcome

# The contract's schema_version (schema/README.md, "the version rule"); the contract test fails until they agree.
SCHEMA_VERSION = 2


def _plain_number(value: float) -> float | int:
    """10.0 -> 10 so that the document echoes the argument as given; 0.5 stays 0.5."""
    return int(value) if value.is_integer() else value


def workload_document(config: BenchmarkConfig) -> dict[str, Any]:
    """What was run; parameters that do not apply to the approach are null (pool_size, workers)."""
    workload: dict[str, Any] = {"kind": config.workload, "tasks": config.tasks}
    if config.workload in ("io", "mixed"):
        workload["io_ms"] = _plain_number(config.io_ms)
    if config.workload == "cpu":
        workload["payload_bytes"] = config.payload_bytes
        workload["repeat"] = config.repeat
    if config.workload in ("cpu-loop", "mixed"):
        workload["loop_bytes"] = config.loop_bytes
    workload["pool_size"] = config.pool_size if config.approach in POOL_SIZE_APPROACHES else None
    workload["workers"] = config.workers if config.approach in WORKERS_APPROACHES else None
    return workload


def runtime_document() -> dict[str, Any]:
    """The interpreter that ran: its version, whether the GIL was on at the end of the run (null before
    3.13, which has no sys._is_gil_enabled), and the flags it was configured with (CONFIG_ARGS)."""
    # After the window: nothing imported late counts towards the run's peak.
    import platform
    import sysconfig

    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    flags = sysconfig.get_config_var("CONFIG_ARGS")
    return {
        "name": platform.python_implementation().lower(),
        "version": platform.python_version(),
        "gil_enabled": bool(is_gil_enabled()) if callable(is_gil_enabled) else None,
        "build_flags": flags if isinstance(flags, str) else None,
    }


def _header(config: BenchmarkConfig, status: str, error: dict[str, Any] | None) -> dict[str, Any]:
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
    """status ok: every task completed and every measurement is present.

    Each figure is computed from the compact stamps in turn (runners/README.md, "Runner bookkeeping"),
    so that no two figures' per-task intermediates are alive at once.
    """
    total_ms = window.total_ms
    latency, wakeup = stamp_figures(outcome.times, outcome.wait_ns)
    concurrency = concurrency_document(outcome.times, window.opened_at_ns)
    document = _header(config, "ok", None)
    document.update(
        {
            "started_at": window.started_at,
            "total_ms": total_ms,
            "throughput_per_s": config.tasks / (total_ms / 1000) if total_ms > 0 else 0.0,
            "latency_ms": latency,
            "memory": window.memory_document(config.tasks, outcome.worker_peak_rss_bytes, outcome.runtime_details),
            "cpu": window.cpu_document(),
            "concurrency": concurrency,
            "checksum": outcome.checksum,
            "runtime": runtime_document(),
            "environment": environment,
            "wakeup_ms": wakeup,
            "checks": window.checks_document(),
        }
    )
    return document


def error_document(
    config: BenchmarkConfig,
    kind: ErrorKind,
    message: str,
    started_at: str,
    environment: dict[str, Any] | None,
    at_failure: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """status error: the reason (with error.at_failure when it could be read), and null wherever a
    measurement is missing or incomplete."""
    error: dict[str, Any] = {"kind": kind, "message": message}
    if at_failure is not None:
        error["at_failure"] = at_failure
    document = _header(config, "error", error)
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
