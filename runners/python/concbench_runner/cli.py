"""Entry point: parse arguments, run one measured workload, print one JSON document on stdout.

Exit codes: 0 status ok; 1 status error (the document is still printed); 2 usage error (nothing
on stdout, one line on stderr).

Modules that only one workload or only the end of a run needs (the workloads' own, json, platform)
are imported when they are used: the runner's whole process is compared with a bare program of the
same task shape (runners/README.md, "Runner bookkeeping"), and a module loaded before the window adds
to its peak.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from types import TracebackType
from typing import Any

from concbench_runner.arguments import BenchmarkConfig, parse_arguments, refuse_unavailable
from concbench_runner.environment import describe_environment
from concbench_runner.failure_state import collect_at_failure
from concbench_runner.failures import (
    SubmissionStopped,
    TaskFailed,
    classify,
    describe,
    report_on_stderr,
    stopped_message,
)
from concbench_runner.measurement_window import MeasurementWindow, utc_timestamp
from concbench_runner.result_document import error_document, ok_document
from concbench_runner.task_timing import TaskTimes
from concbench_runner.workload_outcome import WorkloadOutcome

# The contract's exit_codes.ok and exit_codes.run_failed (exit_codes.usage is arguments.EXIT_USAGE).
EXIT_OK = 0
EXIT_RUN_FAILED = 1


def run_workload(config: BenchmarkConfig, window: MeasurementWindow) -> WorkloadOutcome:
    """Run the configured workload/approach inside `window`.

    Each workload's module is imported only when it runs (the cpu workloads' hashlib and
    multiprocessing have no place in an io run's memory).
    """
    if config.workload == "io":
        from concbench_runner.io_workload import run_io

        outcome = run_io(config, window)
    elif config.workload == "mixed":
        from concbench_runner.mixed_workload import run_mixed

        outcome = run_mixed(config, window)
    else:
        from concbench_runner.cpu_workload import run_cpu

        outcome = run_cpu(config, window)
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
        at_failure = stop.at_failure or collect_at_failure()
        _release_frames(stop)
        report_on_stderr(f"runner: {message}\n")
    except (Exception, KeyboardInterrupt) as exc:
        kind = classify(exc)
        message = "interrupted (SIGINT)" if isinstance(exc, KeyboardInterrupt) else describe(exc)
        # Read before the frames are released: the counts of the state that failed.
        at_failure = (exc.at_failure if isinstance(exc, TaskFailed) else None) or collect_at_failure()
        _release_frames(exc)
        # A resource that ran out is the measurement, not a bug: one line. Anything else: the traceback.
        internal = kind == "internal" and not isinstance(exc, KeyboardInterrupt)
        report_on_stderr(_formatted_traceback(exc) if internal else f"runner: {message}\n")
    started_at = window.started_at or run_started_at
    return error_document(config, kind, message, started_at, environment, at_failure), EXIT_RUN_FAILED


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
        _clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__, getattr(current, "cause", None)]
    gc.collect()


def _clear_frames(trace: TracebackType | None) -> None:
    """traceback.clear_frames without the traceback module (linecache, tokenize...), which only an
    internal error's report needs: a run that failed for want of memory must not have to load it."""
    while trace is not None:
        with contextlib.suppress(RuntimeError):  # a frame still executing keeps its locals
            trace.tb_frame.clear()
        trace = trace.tb_next


def _formatted_traceback(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(exc))


def render(document: dict[str, Any]) -> str:
    """The document as one line of strict JSON (no NaN/Infinity), newline-terminated."""
    import json

    return json.dumps(document, allow_nan=False) + "\n"


def _report_thread_error(hook: threading.ExceptHookArgs) -> None:
    """threading.excepthook: an exception that escaped a thread is one stderr line, never a traceback."""
    name = hook.thread.name if hook.thread is not None else "a thread"
    value = hook.exc_value if hook.exc_value is not None else hook.exc_type()
    report_on_stderr(f"runner: {name}: {describe(value)}\n")


def main(argv: list[str] | None = None) -> int:
    config = parse_arguments(argv)
    refuse_unavailable(config)
    threading.excepthook = _report_thread_error
    document, exit_code = measure(config)
    try:
        text = render(document)
    except (TypeError, ValueError, MemoryError) as exc:
        kind = classify(exc)
        message = f"result could not be rendered: {describe(exc)}"
        del document
        _release_frames(exc)
        fallback = error_document(config, kind, message, utc_timestamp(), None, collect_at_failure())
        text, exit_code = render(fallback), EXIT_RUN_FAILED
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        return EXIT_RUN_FAILED
    return exit_code
