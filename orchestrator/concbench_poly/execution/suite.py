"""The run loop of one invocation: every case's warm-ups and repetitions, one process or container
at a time, each result saved as soon as it exists. Progress goes to `events`; nothing prints here.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from concbench_poly.cases import Case
from concbench_poly.config import RunOptions, options_json
from concbench_poly.errors import ConcbenchError, EngineUnavailableError, RunnerFailedError
from concbench_poly.execution import host_checks, interrupts
from concbench_poly.execution.base import Executor, RunRequest
from concbench_poly.execution.images import ImageRef
from concbench_poly.execution.interrupts import interruption
from concbench_poly.execution.invocation import Invocation
from concbench_poly.files import storage_fault
from concbench_poly.results.model import RunResult
from concbench_poly.results.outcome import failed_result, to_result
from concbench_poly.results.store import (
    has_results,
    load_results,
    load_run_info,
    prepare_out_dir,
    raw_file_name,
    request_file_name,
    save_result,
    save_run_info,
)


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


# Endings that leave the run to be tried again by --resume: it never got to run for its own reasons.
RETRIED_ON_RESUME = frozenset({"interrupted", "engine_lost", "engine_unavailable"})


class SuiteStopped(ConcbenchError):
    """The suite stopped early (storage fault); what was saved is saved. Carries the reason."""


def run_suite(
    options: RunOptions,
    planned: Sequence[Case],
    out_dir: Path,
    events: Events,
    executor: Executor,
    images: Sequence[ImageRef] = (),
    *,
    invocation: Invocation | None = None,
    resume: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> BenchmarkRun:
    """Run every case (warm-ups, then repetitions) one process/container at a time, saving as it goes.

    A sweep (options.task_counts) stops an approach at its first failing count: the larger counts
    of that approach become rows that say why they were not run. Engine loss stops the suite: the
    runs not tried are recorded in run.json (`stopped`), never invented as rows. resume: reuse every
    saved run that ended for its own reasons, and run the rest. should_stop: asked before and after each
    run; once true the suite stops as an interrupt would (a fleet's hosts run in threads, which signals
    never reach).
    """
    started_wall = time.perf_counter()
    started_at = datetime.now(UTC)
    previous = load_run_info(out_dir) if resume else None
    run_id = str(previous["run_id"]) if previous else (invocation.run_id if invocation else new_run_id(started_at))
    prepare_out_dir(out_dir, resume=resume)
    done = {raw_file_name(r): r for r in load_results(out_dir)} if resume and has_results(out_dir) else {}
    stop_after_failure = options.task_counts is not None
    host = executor.host_info()
    unbuilt = {(ref.language, ref.runtime) for ref in images if not ref.tag}
    session = {"started_at": _stamp(started_at), "pid": os.getpid(), "command": " ".join(sys.argv)}
    info: dict[str, Any] = (
        dict(previous)
        if previous
        else {
            "run_id": run_id,
            "started_at": session["started_at"],
            "executor": executor.name,
            "command": session["command"],
            "python": platform.python_version(),
            "options": options_json(options),
            "host": host,
            "cases": [case.key for case in planned],
            "plan": [{"key": c.key, "workload": c.workload, "language": c.language, "label": c.label} for c in planned],
        }
    )
    info.update(images=[asdict(ref) for ref in images], complete=False, stopped=None)
    info["sessions"] = [*info.get("sessions", []), session]
    _save_info(out_dir, info, [])

    results: list[RunResult] = []
    overhead_ms: list[float] = []
    requests = run_order(planned, options, run_id, invocation)
    broken: dict[tuple[str, str, str, int | None, int | None], RunResult] = {}
    stopped: str | None = None

    def forced() -> None:
        info.update(complete=False, stopped=f"forced out by a second {interruption(-1)}", runs=len(results))
        _save_info(out_dir, info, results)

    try:
        with interrupts.on_force(forced):
            for index, request in enumerate(requests):
                if should_stop is not None and should_stop():
                    stopped = f"interrupted ({interruption()}) before run {index + 1} of {len(requests)}"
                    break
                case = request.case
                family = (case.language, case.approach, case.workload, case.pool_size, case.workers)
                events.run_started(request, index, len(requests))
                first_failure = broken.get(family)
                earlier = done.get(request_file_name(request))
                if earlier is not None and earlier.error_kind not in RETRIED_ON_RESUME:
                    result = earlier  # saved by the interrupted invocation: kept, not run again
                elif (case.language, case.runtime) in unbuilt:
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
                        if should_stop is not None and should_stop():
                            # Its container was killed by the interrupt: an interrupted row, not a crash.
                            raise KeyboardInterrupt
                    except KeyboardInterrupt:
                        # The executor has removed its container or process; the interrupted run is a row too.
                        interrupted = failed_result(
                            request,
                            "interrupted",
                            f"{case.language}/{case.approach}: interrupted ({interruption()})",
                            executor.name,
                            host,
                        )
                        stopped = f"interrupted ({interruption()}) at run {index + 1} of {len(requests)}"
                        _save(out_dir, interrupted, results)
                        results.append(interrupted)
                        raise
                if result is not earlier:
                    stopped = _save(out_dir, result, results)
                    if stopped is not None:
                        break
                results.append(result)
                events.run_finished(result)
                if result.error_kind == "engine_lost":
                    stopped = (
                        f"engine lost at run {index + 1} of {len(requests)} ({result.error_message}); "
                        f"{len(requests) - index - 1} run(s) not tried: `concbench-poly all --resume {out_dir}` "
                        "tries them once the engine is back"
                    )
                    events.notice(stopped)
                    break
                if not result.ok and not request.warmup:
                    broken.setdefault(family, result)
    finally:
        info.update(
            complete=stopped is None and len(results) == len(requests),
            stopped=stopped,
            finished_at=_stamp(datetime.now(UTC)),
            wall_s=round(time.perf_counter() - started_wall, 3),
            runs=len(results),
            failures=sum(1 for r in results if not r.ok),
        )
        session["finished_at"] = info["finished_at"]
        unsaved = _save_info(out_dir, info, results)
    if stopped is not None and stopped.startswith("storage"):
        raise SuiteStopped(stopped + (f"; {unsaved}" if unsaved else "; run.json records it as incomplete"))
    return BenchmarkRun(
        run_id, out_dir, executor.name, tuple(results), time.perf_counter() - started_wall, tuple(overhead_ms)
    )


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _save(out_dir: Path, result: RunResult, saved: Sequence[RunResult]) -> str | None:
    """Save one raw document; on a storage fault, the one-line reason the suite stops for."""
    try:
        save_result(out_dir, result)
    except OSError as exc:
        return f"storage: {storage_fault(exc, out_dir)} while saving a result; {len(saved)} run(s) saved in {out_dir}"
    return None


def _save_info(out_dir: Path, info: dict[str, Any], saved: Sequence[RunResult]) -> str | None:
    try:
        save_run_info(out_dir, info)
    except OSError as exc:
        return f"run.json could not be written either ({storage_fault(exc, out_dir)})"
    return None


def run_order(
    planned: Sequence[Case], options: RunOptions, run_id: str, invocation: Invocation | None = None
) -> list[RunRequest]:
    """Rounds: every case once per round, warm-up rounds first.

    Interleaving spreads each case's repetitions over the whole invocation, so slow drift of the
    machine (another tenant, thermal state) shows up as spread within each case and hits every
    approach alike, instead of making whichever case ran during a bad minute look slower.
    """
    rounds = [(True, k) for k in range(options.repetitions.warmup)]
    rounds += [(False, k) for k in range(options.repetitions.repeat)]
    return [
        RunRequest(
            case,
            options.core_limits(case.cores) if case.cores is not None else options.limits,
            run_id,
            repetition=k,
            warmup=warm,
            keep=options.keep_containers,
            invocation=invocation,
        )
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
        return failed_result(request, "engine_lost", str(exc), executor.name, host)
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
