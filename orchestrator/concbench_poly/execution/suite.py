"""The run loop of one invocation: every case's warm-ups and repetitions, one process or container
at a time, each result saved as soon as it exists. Progress goes to `events`; nothing prints here.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from concbench_poly.cases import Case
from concbench_poly.config import RunOptions
from concbench_poly.errors import EngineUnavailableError, RunnerFailedError, UsageError
from concbench_poly.execution import host_checks
from concbench_poly.execution.base import Executor, RunRequest
from concbench_poly.execution.images import ImageRef
from concbench_poly.results.model import RunResult
from concbench_poly.results.outcome import failed_result, to_result
from concbench_poly.results.store import prepare_out_dir, save_result, save_run_info


class Events(Protocol):
    """Where progress goes; the CLI renders it with rich, tests collect it."""

    def notice(self, message: str) -> None: ...

    def run_started(self, request: RunRequest, index: int, total: int) -> None: ...

    def run_finished(self, result: RunResult) -> None: ...


class SilentEvents:
    def notice(self, message: str) -> None:
        pass

    def run_started(self, request: RunRequest, index: int, total: int) -> None:
        pass

    def run_finished(self, result: RunResult) -> None:
        pass


@dataclass(frozen=True)
class BenchmarkRun:
    """What `all`, `run` and `sweep` return: every result (also failed ones) and where they were saved."""

    run_id: str
    out_dir: Path
    executor: str
    results: tuple[RunResult, ...]
    wall_s: float
    overhead_ms: tuple[float, ...] = field(default=())

    @property
    def failures(self) -> tuple[RunResult, ...]:
        return tuple(r for r in self.results if not r.ok)


def new_run_id(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def run_suite(
    options: RunOptions,
    planned: Sequence[Case],
    out_dir: Path,
    events: Events,
    executor: Executor,
    images: Sequence[ImageRef] = (),
) -> BenchmarkRun:
    """Run every case (warm-ups, then repetitions) one process/container at a time, saving as it goes.

    A sweep (options.task_counts) stops an approach at its first failing count: the larger counts
    of that approach become rows that say why they were not run.
    """
    prepare_out_dir(out_dir)
    started_wall = time.perf_counter()
    started_at = datetime.now(UTC)
    run_id = new_run_id(started_at)
    stop_after_failure = options.task_counts is not None
    host = executor.host_info()
    check_cpuset(options.limits.cpuset_list(), _available_cpus(executor.name, host))
    unbuilt = {ref.language for ref in images if not ref.tag}
    info: dict[str, Any] = {
        "run_id": run_id,
        "started_at": started_at.isoformat().replace("+00:00", "Z"),
        "executor": executor.name,
        "command": " ".join(sys.argv),
        "python": platform.python_version(),
        "options": _jsonable(asdict(options)),
        "images": [asdict(ref) for ref in images],
        "host": host,
        "cases": [case.key for case in planned],
        "complete": False,
    }
    save_run_info(out_dir, info)

    results: list[RunResult] = []
    overhead_ms: list[float] = []
    requests = run_order(planned, options, run_id)
    broken: dict[tuple[str, str, str, int | None, int | None], RunResult] = {}
    try:
        for index, request in enumerate(requests):
            case = request.case
            family = (case.language, case.approach, case.workload, case.pool_size, case.workers)
            events.run_started(request, index, len(requests))
            first_failure = broken.get(family)
            if case.language in unbuilt:
                result = failed_result(
                    request,
                    "build_failed",
                    f"{case.language}: the runner image could not be built; see the build error above",
                    executor.name,
                    host,
                )
            elif stop_after_failure and first_failure is not None and first_failure.case.key != case.key:
                result = failed_result(
                    request,
                    first_failure.error_kind or "internal",
                    f"{case.language}/{case.approach}: not run at {case.tasks} tasks because a smaller point "
                    f"already failed (N={first_failure.case.tasks}: {first_failure.error_kind})",
                    executor.name,
                    host,
                )
            else:
                try:
                    result = _run_one(executor, request, host, overhead_ms)
                except KeyboardInterrupt:
                    # The executor has removed its container or process; the interrupted run is a row too.
                    interrupted = failed_result(
                        request,
                        "interrupted",
                        f"{case.language}/{case.approach}: interrupted (Ctrl-C)",
                        executor.name,
                        host,
                    )
                    save_result(out_dir, interrupted)
                    results.append(interrupted)
                    raise
            save_result(out_dir, result)
            results.append(result)
            events.run_finished(result)
            if not result.ok and not request.warmup:
                broken.setdefault(family, result)
    finally:
        info.update(
            complete=len(results) == len(requests),
            finished_at=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            wall_s=round(time.perf_counter() - started_wall, 3),
            runs=len(results),
            failures=sum(1 for r in results if not r.ok),
        )
        save_run_info(out_dir, info)
    return BenchmarkRun(
        run_id, out_dir, executor.name, tuple(results), time.perf_counter() - started_wall, tuple(overhead_ms)
    )


def run_order(planned: Sequence[Case], options: RunOptions, run_id: str) -> list[RunRequest]:
    """Rounds: every case once per round, warm-up rounds first.

    Interleaving spreads each case's repetitions over the whole invocation, so slow drift of the
    machine (another tenant, thermal state) shows up as spread within each case and hits every
    approach alike, instead of making whichever case ran during a bad minute look slower.
    """
    rounds = [(True, k) for k in range(options.repetitions.warmup)]
    rounds += [(False, k) for k in range(options.repetitions.repeat)]
    return [
        RunRequest(case, options.limits, run_id, repetition=k, warmup=warm, keep=options.keep_containers)
        for warm, k in rounds
        for case in planned
    ]


def _run_one(executor: Executor, request: RunRequest, host: dict[str, Any], overhead_ms: list[float]) -> RunResult:
    case = request.case
    # The machine checks are read around the run, never during it, and only where /proc is the run's.
    snapshot = host_checks.before(request.limits.cpuset_list()) if executor.on_this_machine else None
    started = time.perf_counter_ns()
    try:
        raw = executor.run(request)
    except EngineUnavailableError as exc:
        return failed_result(request, "engine_unavailable", str(exc), executor.name, host)
    except RunnerFailedError as exc:
        return failed_result(request, "runner_crashed", str(exc), executor.name, host)
    except Exception as exc:  # one broken run must not lose the others: it becomes a row naming itself
        message = f"{case.language}/{case.approach} ({executor.name}): {type(exc).__name__}: {exc}"
        return failed_result(request, "internal", message, executor.name, host)
    elapsed_ms = (time.perf_counter_ns() - started) / 1e6
    if snapshot is not None:
        raw = replace(raw, host_checks=host_checks.after(snapshot))
    if raw.wall_ms is not None:
        # What the orchestrator spends per run beyond the container's own life (create, start, logs, remove).
        overhead_ms.append(elapsed_ms - raw.wall_ms)
    return to_result(raw, request, host)


def check_cpuset(wanted: Sequence[int], available: set[int]) -> None:
    """Pinning to a CPU that does not exist fails every run, or silently unpins a local one: refuse it."""
    missing = sorted(set(wanted) - available)
    if available and missing:
        have = ",".join(map(str, sorted(available)))
        raise UsageError(f"--cpuset: CPU {','.join(map(str, missing))} is not available here (available: {have})")


def _available_cpus(executor: str, host: dict[str, Any]) -> set[int]:
    if executor == "local":
        return set(os.sched_getaffinity(0))
    return set(range(host.get("cpu_count") or 0))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
