"""Entry point: parse arguments, run one measured workload, print one JSON document on stdout.

Exit codes: 0 status ok; 1 status error (the document is still printed); 2 usage error (nothing
on stdout, one line on stderr).
"""

from __future__ import annotations

import gc
import json
import sys
import traceback
from typing import Any

from concbench_runner.arguments import BenchmarkConfig, parse_arguments
from concbench_runner.cpu_workload import run_cpu
from concbench_runner.environment import describe_environment
from concbench_runner.failures import SubmissionStopped, classify, describe, stopped_message
from concbench_runner.io_workload import run_io
from concbench_runner.measurement_window import MeasurementWindow, utc_timestamp
from concbench_runner.result_document import error_document, ok_document
from concbench_runner.task_timing import TaskTimes
from concbench_runner.workload_outcome import WorkloadOutcome

# The contract's exit_codes.ok and exit_codes.run_failed (exit_codes.usage is arguments.EXIT_USAGE).
EXIT_OK = 0
EXIT_RUN_FAILED = 1


def run_workload(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """Run the configured workload/approach inside `window`."""
    outcome = run_io(config, window) if config.workload == "io" else run_cpu(config, window)
    _check_complete(outcome.times)
    return outcome


def _check_complete(times: TaskTimes) -> None:
    missing = times.incomplete()
    if missing:
        raise RuntimeError(f"{len(missing)} tasks have no complete timestamps (first: task {missing[0]})")


def measure(config: BenchmarkConfig) -> tuple[dict[str, Any], int]:
    """One measured run; returns the result document and the exit code. Never raises for a run failure."""
    run_started_at = utc_timestamp()
    environment: dict[str, Any] | None = None
    window = MeasurementWindow()
    try:
        environment = describe_environment()
        outcome = run_workload(config, window)
        return ok_document(config, window, outcome, environment), EXIT_OK
    except SubmissionStopped as stop:
        kind, message = classify(stop), stopped_message(stop, config.tasks)
        _release_frames(stop)
        _report_on_stderr(f"runner: {message}\n")
    except (Exception, KeyboardInterrupt) as exc:
        kind = classify(exc)
        message = "interrupted (SIGINT)" if isinstance(exc, KeyboardInterrupt) else describe(exc)
        _release_frames(exc)
        _report_on_stderr("".join(traceback.format_exception(exc)))
    started_at = window.started_at or run_started_at
    return error_document(config, kind, message, started_at, environment), EXIT_RUN_FAILED


def _release_frames(exc: BaseException) -> None:
    """Free what the failed run's frames still hold (task stamps, threads, tasks) before reporting.

    A run that ran out of memory must still print its document; its traceback keeps every local of
    the workload alive, often in reference cycles, until the frames are cleared and collected.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__, getattr(current, "cause", None)]
    gc.collect()


def _report_on_stderr(text: str) -> None:
    """Diagnostics for stderr; losing them (no memory, closed stream) must not lose the document."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (MemoryError, OSError, ValueError):
        pass


def render(document: dict[str, Any]) -> str:
    """The document as one line of strict JSON (no NaN/Infinity), newline-terminated."""
    return json.dumps(document, allow_nan=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    config = parse_arguments(argv)
    document, exit_code = measure(config)
    try:
        text = render(document)
    except (TypeError, ValueError, MemoryError) as exc:
        kind = classify(exc)
        message = f"result could not be rendered: {describe(exc)}"
        del document
        _release_frames(exc)
        fallback = error_document(config, kind, message, utc_timestamp(), None)
        text, exit_code = render(fallback), EXIT_RUN_FAILED
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        return EXIT_RUN_FAILED
    return exit_code
