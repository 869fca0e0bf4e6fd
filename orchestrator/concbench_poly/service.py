"""One service function per CLI command. Nothing here prints or exits; progress goes to `events`."""

from __future__ import annotations

import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from concbench_poly.config import RunOptions, WorkloadKind
from concbench_poly.errors import EngineUnavailableError, ImageBuildError, RunnerFailedError, UsageError
from concbench_poly.executors.base import Executor, RunRequest
from concbench_poly.executors.docker_engine import connect, managed_containers, remove_quietly
from concbench_poly.executors.docker_executor import DockerExecutor
from concbench_poly.executors.local_executor import LocalExecutor
from concbench_poly.host import cgroup_version
from concbench_poly.images import ImageBuilder, ImageRef
from concbench_poly.paths import repo_root
from concbench_poly.registry import Case, plan_cases
from concbench_poly.results import RunResult
from concbench_poly.results_store import prepare_out_dir, save_result, save_run_info
from concbench_poly.run_outcome import failed_result, to_result


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


def choose_executor(options: RunOptions, events: Events) -> tuple[Executor, list[ImageRef]]:
    """docker when asked or reachable, else local (saying so in one line)."""
    if options.executor == "local":
        return LocalExecutor(repo_root()), []
    try:
        client = connect()
    except EngineUnavailableError as exc:
        if options.executor == "docker":
            raise
        events.notice(f"no Docker engine answers; running the runners as local processes ({exc})")
        return LocalExecutor(repo_root()), []
    images = _ensure_images(client, options.languages, options.offline, events, force=False)
    return DockerExecutor(client, {ref.language: ref for ref in images}), images


def _ensure_images(
    client: Any, languages: Sequence[str], offline: bool | None, events: Events, *, force: bool
) -> list[ImageRef]:
    """For `all`/`run`: a language whose image fails to build gets an empty ref (its runs become rows)."""
    builder = ImageBuilder(client, repo_root(), log=events.notice)
    use_offline = _offline(builder, languages, offline, events)
    refs = []
    for language in languages:
        try:
            refs.append(builder.ensure(language, offline=use_offline, force=force))
        except ImageBuildError as exc:
            events.notice(str(exc).splitlines()[0])
            refs.append(ImageRef(language, tag="", image_id=None, built=False))
    return refs


def _offline(builder: ImageBuilder, languages: Sequence[str], offline: bool | None, events: Events) -> bool:
    """--offline/--online as given, else offline exactly when no registry answers (said in one line)."""
    if offline is not None:
        return offline
    if builder.registry_reachable(languages):
        return False
    events.notice("no container registry answers: building from an offline Debian bookworm base")
    return True


def build_images(languages: Sequence[str], offline: bool | None, force: bool, events: Events) -> list[ImageRef]:
    """`build`: fails (ImageBuildError) if any language could not be built."""
    builder = ImageBuilder(connect(), repo_root(), log=events.notice)
    use_offline = _offline(builder, languages, offline, events)
    return [builder.ensure(language, offline=use_offline, force=force) for language in languages]


def run_benchmarks(
    options: RunOptions,
    out_dir: Path,
    events: Events,
    *,
    cases: Sequence[Case] | None = None,
    stop_after_failure: bool = False,
    executor: Executor | None = None,
) -> BenchmarkRun:
    """Run every case (warm-ups, then repetitions) one process/container at a time, saving as it goes."""
    prepare_out_dir(out_dir)
    started_wall = time.perf_counter()
    started_at = datetime.now(UTC)
    run_id = new_run_id(started_at)
    planned = (
        list(cases)
        if cases is not None
        else plan_cases(options.languages, options.workloads, options.params, options.approaches)
    )
    images: list[ImageRef] = []
    if executor is None:
        executor, images = choose_executor(options, events)
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


# --- doctor, clean, list ------------------------------------------------------------------------


@dataclass(frozen=True)
class DoctorReport:
    engine: str | None
    engine_error: str | None
    images: dict[str, str | None]
    offline_base: bool | None
    cgroup_version: int | None
    toolchains: dict[str, str | None]
    debootstrap: str | None
    limits: dict[str, Any]

    @property
    def healthy(self) -> bool:
        return self.engine is not None or all(self.toolchains.values())


def doctor(options: RunOptions) -> DoctorReport:
    from concbench_poly.images import OFFLINE_BASE_IMAGE, build_args, image_tag, source_digest

    engine, error = None, None
    images: dict[str, str | None] = {}
    base_present: bool | None = None
    try:
        client = connect()
        engine = str(client.version().get("Version"))
        for language in options.languages:
            found = None
            for offline in (False, True):
                context = repo_root() / f"runners/{language}"
                tag = image_tag(language, source_digest(context, build_args(language, offline)))
                if client.images.list(name=tag):
                    found = tag
            images[language] = found
        base_present = bool(client.images.list(name=OFFLINE_BASE_IMAGE))
    except EngineUnavailableError as exc:
        error = str(exc)
    tools = {"python3": shutil.which("python3"), "go": shutil.which("go"), "node": shutil.which("node")}
    return DoctorReport(
        engine=engine,
        engine_error=error,
        images=images,
        offline_base=base_present,
        cgroup_version=cgroup_version(),
        toolchains=tools,
        debootstrap=shutil.which("debootstrap"),
        limits=asdict(options.limits),
    )


def clean(remove_images: bool) -> tuple[list[str], list[str]]:
    """Remove every labelled container (and, if asked, the runner images); returns what went."""
    client = connect()
    containers = []
    for container in managed_containers(client):
        containers.append(str(container.name or container.id))
        remove_quietly(container)
    images = ImageBuilder(client, repo_root()).remove_all() if remove_images else []
    return containers, images


def list_cases(options: RunOptions) -> list[Case]:
    return plan_cases(options.languages, options.workloads, options.params, options.approaches)


def validate_languages(languages: Sequence[str]) -> tuple[str, ...]:
    from concbench_poly.registry import runner_spec

    for language in languages:
        runner_spec(language)
    return tuple(languages)


def workloads_from(option: str) -> tuple[WorkloadKind, ...]:
    if option == "all":
        return ("io", "cpu")
    if option in ("io", "cpu"):
        return (option,)  # type: ignore[return-value]
    raise UsageError(f"--workload: expected io, cpu or all, got {option!r}")


def sweep_cases(options: RunOptions, counts: Sequence[int]) -> list[Case]:
    """Each approach at every count, smallest first, so a break at N spares the larger points."""
    by_count = [
        plan_cases(options.languages, options.workloads, options.params.with_tasks(n), options.approaches)
        for n in sorted(set(counts))
    ]
    return [by_count[i][j] for j in range(len(by_count[0])) for i in range(len(by_count))]


def run_sweep(
    options: RunOptions, counts: Sequence[int], out_dir: Path, events: Events, *, executor: Executor | None = None
) -> BenchmarkRun:
    return run_benchmarks(
        options, out_dir, events, cases=sweep_cases(options, counts), stop_after_failure=True, executor=executor
    )
