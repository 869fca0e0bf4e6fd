"""One service function per CLI command. Nothing here prints or exits; progress goes to `events`.

The flow of a benchmark command: choose an executor (building images if needed) -> run the suite,
saving every raw document as it finishes -> build the one report model from the saved results ->
write every export. `report` starts at the third step from a results directory.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.compare import Comparison, comparison, workload_differences
from concbench_poly.analysis.report_model import Plan, PlannedCase, Report, build_report
from concbench_poly.cases import Case, blocking_cases, calibration_key, plan_cases, runtimes_of, sweep_cases
from concbench_poly.config import RunOptions, run_options_from_json
from concbench_poly.contract import contract
from concbench_poly.errors import EngineUnavailableError, ImageBuildError, ResultsDirError, UsageError
from concbench_poly.execution.base import Executor, RunRequest
from concbench_poly.execution.docker_engine import connect, managed_containers, remove_quietly
from concbench_poly.execution.docker_executor import DockerExecutor
from concbench_poly.execution.host import cgroup_version
from concbench_poly.execution.images import ImageBuilder, ImageRef
from concbench_poly.execution.invocation import GRACE_S, Invocation, this_invocation
from concbench_poly.execution.local_executor import LocalExecutor
from concbench_poly.execution.machine import (
    check_limits,
    cores_used,
    docker_machine,
    limit_warnings,
    local_machine,
    resolve_core_axis,
)
from concbench_poly.execution.suite import BenchmarkRun, Events, new_run_id, run_suite
from concbench_poly.fleet import FleetOptions, FleetOutcome, fleet_benchmark
from concbench_poly.paths import repo_root
from concbench_poly.report.writer import ReportFiles, write_report
from concbench_poly.results.model import RunResult
from concbench_poly.results.outcome import to_result
from concbench_poly.results.schema import current_schema
from concbench_poly.results.store import RUN_FILE, check_out_dir, load_results, load_run_info

# Image builds happen while the cores are held: a lock's expiry allows for them.
BUILD_ALLOWANCE_S = 3600.0


@dataclass(frozen=True)
class BenchmarkOutcome:
    """What `all`, `run` and `sweep` produce: the runs (failed ones too), the report, its files."""

    run: BenchmarkRun
    report: Report
    files: ReportFiles


@dataclass(frozen=True)
class ReportOutcome:
    report: Report
    files: ReportFiles
    results: tuple[RunResult, ...]


def planned_cases(options: RunOptions) -> list[Case]:
    """Every case of the invocation; the core-count axis once resolved against the machine."""
    cores, runtimes = options.cores or (), options.runtimes
    languages, workloads, params, approaches = options.languages, options.workloads, options.params, options.approaches
    if options.task_counts is not None:
        planned = sweep_cases(languages, workloads, params, options.task_counts, approaches, cores, runtimes)
    else:
        planned = plan_cases(languages, workloads, params, approaches, cores, runtimes)
        planned += blocking_cases(languages, workloads, params, options.blocking_counts, approaches, runtimes)
    if options.executor == "local":
        planned = [case for case in planned if not image_only(case)]
    # On a fleet, every case names its host: its results say where they were measured.
    return [replace(case, host=options.host) for case in planned] if options.host else planned


def image_only(case: Case) -> bool:
    """An approach only some runtimes' images have (uvloop): the host's own runtime, which the local
    executor runs, need not have it."""
    return contract().runner(case.language).approach(case.approach).runtimes is not None


def run_benchmark(
    request: RunOptions | FleetOptions,
    out_dir: Path,
    events: Events,
    *,
    resume: bool = False,
    wait_for_cores: bool = True,
) -> BenchmarkOutcome | FleetOutcome:
    """`all`, `run` and `sweep`: on the one engine (or local processes), or on a fleet of engines."""
    if isinstance(request, FleetOptions):
        host_events = getattr(events, "for_host", None)
        return fleet_benchmark(
            request, out_dir, events, host_events=host_events, resume=resume, wait_for_cores=wait_for_cores
        )
    return benchmark(request, out_dir, events, resume=resume, wait_for_cores=wait_for_cores)


def benchmark(
    options: RunOptions,
    out_dir: Path,
    events: Events,
    *,
    executor: Executor | None = None,
    resume: bool = False,
    wait_for_cores: bool = True,
    run_id: str | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BenchmarkOutcome:
    """`all`, `run` and `sweep`: run every planned case, then report on what was saved.

    Everything that can be refused is checked before anything is built, started or written: the
    plan, the results directory, and the limits against the machine the runs will use. Then what dead
    invocations left behind is removed, the cores are held for the whole invocation, the images are
    built, and the suite runs. executor: None opens one as options.executor says (tests pass their own).
    run_id: a fleet's, shared by its hosts. should_stop: asked before each run (a fleet's interrupt).
    """
    planned_cases(options)  # an unknown approach or language is refused before anything else
    check_out_dir(out_dir, resume=resume)
    if executor is None:
        executor = open_executor(options, events)
    machine = executor.machine()
    check_limits(options.limits, machine)
    if executor.name == "local":
        skipped = sorted({c.label for c in planned_cases(replace(options, executor="docker")) if image_only(c)})
        options = replace(options, executor="local")
        if skipped:
            events.notice(f"the local executor runs the host's runtimes: {', '.join(skipped)} live in images only")
    options, notes = resolve_core_axis(options, machine)
    for note in notes:
        events.notice(note)
    planned = planned_cases(options)  # before calibration: what the lock must cover
    run_id = str(load_run_info(out_dir)["run_id"]) if resume else run_id or new_run_id()
    invocation = this_invocation(run_id, options.limits.timeout_s)
    reaped = executor.reap(invocation)
    if reaped:
        events.notice(f"removed {len(reaped)} thing(s) left by invocations that are gone: {', '.join(reaped)}")
    runs = len(planned) * (options.repetitions.warmup + options.repetitions.repeat)
    # No live invocation holds its cores longer than this: its runs' time limits plus image builds.
    expires = invocation.started + runs * (options.limits.timeout_s + GRACE_S) + BUILD_ALLOWANCE_S
    cores = cores_used(options, planned)
    with executor.lock_cores(cores, invocation, expires, wait=wait_for_cores, notice=events.notice):
        images = prepare_images(executor, options, events)
        if "mixed" in options.workloads and not options.params.mixed_loop_bytes:
            options = calibrate_mixed(options, executor, invocation, events)
            planned = planned_cases(options)
        run = run_suite(
            options,
            planned,
            out_dir,
            events,
            executor,
            images,
            invocation=invocation,
            resume=resume,
            should_stop=should_stop,
        )
    report, files = _report(run.results, out_dir, options.latency_view, plan_of(load_run_info(out_dir)))
    return BenchmarkOutcome(run=run, report=report, files=files)


# The calibration run: enough tasks that start-up does not dominate, few enough to take about a second.
CALIBRATION_TASKS = 200


def calibrate_mixed(options: RunOptions, executor: Executor, invocation: Invocation, events: Events) -> RunOptions:
    """The mixed workload's CPU part is cpu_ms of one core's work: per language, one cpu-loop run on one
    core gives its bytes per ms, and so the loop_bytes of its mixed tasks (recorded in run.json)."""
    registry = contract()
    params = options.params
    cpu = options.core_limits(1) if options.cores else replace(options.limits, cpus=1.0)
    loop_bytes: list[tuple[str, int]] = []
    for language, runtime in image_targets(options):
        runner = registry.runner(language)
        approaches = runner.approaches_for("cpu-loop", runtime)
        if not runner.approaches_for("mixed", runtime) or not approaches:
            continue
        who = calibration_key(language, runtime)
        # The first cpu-loop approach, with one worker where it has a pool: one core's rate either way.
        approach = runner.approach(approaches[0])
        case = Case(
            language,
            approach.name,
            "cpu-loop",
            CALIBRATION_TASKS,
            loop_bytes=params.loop_bytes,
            pool_size=1 if approach.sized_by == "pool_size" else None,
            workers=1 if approach.sized_by == "workers" else None,
            runtime=runtime,
            host=options.host,
        )
        request = RunRequest(case, cpu, invocation.run_id, invocation=invocation)
        result = to_result(executor.run(request), request, executor.host_info())
        if result.measurement is None or result.measurement.total_ms <= 0:
            events.notice(
                f"mixed: calibrating {who} failed ({result.error_message}); its mixed runs use "
                f"{params.loop_bytes} bytes per task instead of {params.cpu_ms:g} ms of work"
            )
            continue
        per_ms = CALIBRATION_TASKS * params.loop_bytes / result.measurement.total_ms
        loop_bytes.append((who, max(1, round(params.cpu_ms * per_ms))))
        events.notice(
            f"mixed: {who} hashes {per_ms:,.0f} bytes per ms on one core: "
            f"{params.cpu_ms:g} ms of work = {loop_bytes[-1][1]:,} bytes per task"
        )
    return replace(options, params=replace(params, mixed_loop_bytes=tuple(loop_bytes)))


def resume_options(out_dir: Path) -> RunOptions:
    """The options a results directory was run with (its run.json), for --resume."""
    return run_options_from_json(load_run_info(out_dir).get("options") or {}, source=str(out_dir / "run.json"))


def report_directory(directory: Path, latency_view: str) -> ReportOutcome:
    """`report`: the same report files, rebuilt from a results directory's raw documents alone."""
    results = tuple(load_results(directory))
    info = load_run_info(directory) if (directory / RUN_FILE).is_file() else None
    report, files = _report(results, directory, latency_view, plan_of(info) if info else None)
    return ReportOutcome(report=report, files=files, results=results)


def plan_of(info: dict[str, Any]) -> Plan | None:
    """What a run.json says was planned; a run.json of the first release kept case keys only."""
    planned = info.get("plan")
    if isinstance(planned, list):
        cases = tuple(PlannedCase(p["key"], p["workload"], p["language"], p["label"]) for p in planned)
    elif isinstance(info.get("cases"), list):
        cases = tuple(_planned_from_key(str(key)) for key in info["cases"])
    else:
        return None
    options = info.get("options") or {}
    cpu_ms = (options.get("params") or {}).get("cpu_ms") if "mixed" in (options.get("workloads") or ()) else None
    return Plan(
        cases=cases,
        complete=bool(info.get("complete")),
        stopped=info.get("stopped"),
        mixed_cpu_ms=float(cpu_ms) if isinstance(cpu_ms, int | float) else None,
    )


def _planned_from_key(key: str) -> PlannedCase:
    """'io-python-asyncio-n1000' -> its workload and language (the longest workload name that fits)."""
    registry = contract()
    workload = next((w for w in sorted(registry.workload_names, key=len, reverse=True) if key.startswith(w + "-")), "")
    language = key[len(workload) + 1 :].split("-", 1)[0]
    return PlannedCase(key=key, workload=workload, language=language, label=key)


def _report(
    results: Sequence[RunResult], out_dir: Path, latency_view: str, plan: Plan | None
) -> tuple[Report, ReportFiles]:
    report = build_report(results, claims=load_claims(), latency_view=latency_view, plan=plan)
    try:
        files = write_report(out_dir, report)
    except OSError as exc:
        raise ResultsDirError(f"{out_dir}: writing the report failed ({exc}); the raw results are kept") from None
    return report, files


def compare_directories(dir_a: Path, dir_b: Path, latency_view: str, *, allow_different: bool = False) -> Comparison:
    """`compare`: B against A, case by case and figure by figure; runs of different workloads are
    refused (a 2x "faster" between different waits is no finding) unless allow_different."""
    claims = load_claims()
    a = build_report(load_results(dir_a), claims=claims, latency_view=latency_view)
    b = build_report(load_results(dir_b), claims=claims, latency_view=latency_view)
    differences = workload_differences(a.summary, b.summary)
    if differences and not allow_different:
        what = "; ".join(f"{d.aspect} {_listed(d.a)} in A, {_listed(d.b)} in B" for d in differences)
        raise UsageError(
            f"compare: {dir_a} and {dir_b} ran different workloads ({what}); --allow-different compares them anyway"
        )
    return comparison(a.summary, b.summary, same_results=dir_a.resolve() == dir_b.resolve())


def _listed(values: Sequence[object]) -> str:
    return "/".join("none" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def open_executor(options: RunOptions, events: Events) -> Executor:
    """docker when asked or reachable, else local (saying so in one line). Nothing is built yet."""
    if options.executor == "local":
        return LocalExecutor(repo_root())
    try:
        client = connect()
    except EngineUnavailableError as exc:
        if options.executor == "docker":
            raise
        events.notice(f"no Docker engine answers; running the runners as local processes ({exc})")
        return LocalExecutor(repo_root())
    return DockerExecutor(client)


def prepare_images(executor: Executor, options: RunOptions, events: Events) -> list[ImageRef]:
    """The runner images a Docker executor needs, built where missing; nothing for the others."""
    if not isinstance(executor, DockerExecutor):
        return []
    images = ensure_images(executor.client, image_targets(options), options.offline, events)
    executor.use_images(images)
    return images


def choose_executor(options: RunOptions, events: Events) -> tuple[Executor, list[ImageRef]]:
    """An executor with its images ready (bench/ uses it to time warm runs)."""
    executor = open_executor(options, events)
    return executor, prepare_images(executor, options, events)


def image_targets(options: RunOptions) -> list[tuple[str, str | None]]:
    """Every (language, runtime) image an invocation runs: one per runtime chosen, else the default."""
    return [
        (language, runtime) for language in options.languages for runtime in runtimes_of(language, options.runtimes)
    ]


def ensure_images(
    client: Any, targets: Sequence[tuple[str, str | None]], offline: bool | None, events: Events, *, force: bool = False
) -> list[ImageRef]:
    """For `all`/`run`: an image that fails to build gets an empty ref (its runs become rows)."""
    builder = ImageBuilder(client, repo_root(), log=events.notice)
    use_offline = _offline(builder, targets, offline, events)
    refs = []
    for language, runtime in targets:
        try:
            refs.append(builder.ensure(language, offline=use_offline, force=force, runtime=runtime))
        except ImageBuildError as exc:
            events.notice(str(exc).splitlines()[0])
            refs.append(ImageRef(language, tag="", image_id=None, built=False, runtime=runtime))
    return refs


def _offline(
    builder: ImageBuilder, targets: Sequence[tuple[str, str | None]], offline: bool | None, events: Events
) -> bool:
    """--offline/--online as given, else offline exactly when no registry answers (said in one line)."""
    if offline is not None:
        return offline
    if builder.registry_reachable(targets):
        return False
    events.notice("no container registry answers: a missing image is built from the offline Debian bases (debootstrap)")
    return True


def build_images(
    languages: Sequence[str],
    offline: bool | None,
    force: bool,
    events: Events,
    mirror: str | None = None,
    runtimes: tuple[tuple[str, str], ...] = (),
) -> list[ImageRef]:
    """`build`: fails (ImageBuildError) if any image could not be built; each language at its default
    runtime, or at the runtimes given for it."""
    builder = ImageBuilder(connect(), repo_root(), log=events.notice, mirror=mirror)
    targets = [(language, runtime) for language in languages for runtime in runtimes_of(language, runtimes)]
    use_offline = _offline(builder, targets, offline, events)
    return [
        builder.ensure(language, offline=use_offline, force=force, runtime=runtime) for language, runtime in targets
    ]


@dataclass(frozen=True)
class RuntimeListing:
    language: str
    runtime: str
    default: bool
    description: str | None
    approaches: tuple[str, ...]  # the approaches only some runtimes have, where this one has them


def list_runtimes(languages: Sequence[str]) -> list[RuntimeListing]:
    """The runtimes the contract can build, per language, for `list --runtimes`."""
    listings = []
    for language in languages:
        runner = contract().runner(language)
        for recipe in runner.runtimes:
            only_some = tuple(a.name for a in runner.approaches if a.runtimes is not None and a.on(recipe.name))
            listings.append(
                RuntimeListing(
                    language, recipe.name, recipe.name == runner.default_runtime, recipe.description, only_some
                )
            )
    return listings


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
    warnings: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        return self.engine is not None or all(self.toolchains.values())

    def lines(self) -> list[str]:
        engine = f"reachable, version {self.engine}" if self.engine else f"NOT reachable: {self.engine_error}"
        lines = [f"docker engine     {engine}"]
        for language, tag in self.images.items():
            lines.append(f"image {language:<11} {tag or 'missing (concbench-poly build)'}")
        if self.offline_base is not None:
            lines.append(f"offline base      {'present' if self.offline_base else 'missing (made on demand)'}")
        lines.append(f"debootstrap       {self.debootstrap or 'missing (needed only offline)'}")
        lines.append(f"cgroup version    {self.cgroup_version or 'unknown'}")
        for tool, path in self.toolchains.items():
            lines.append(f"local {tool:<11} {path or 'missing (local executor cannot run it)'}")
        lines.append(f"limits            {', '.join(f'{k}={v}' for k, v in self.limits.items())}")
        lines.append(f"`all` would use   {'docker' if self.engine else 'local (no Docker engine)'}")
        lines += [f"warning           {warning}" for warning in self.warnings]
        return lines


def doctor(options: RunOptions) -> DoctorReport:
    from concbench_poly.execution.images import OFFLINE_BASE_IMAGE, expected_tag

    engine, error = None, None
    images: dict[str, str | None] = {}
    base_present: bool | None = None
    machine = local_machine()
    try:
        client = connect()
        engine = str(client.version().get("Version"))
        machine = docker_machine(client.info())
        for language in options.languages:
            found = None
            for offline in (False, True):
                tag = expected_tag(repo_root(), language, offline)
                if client.images.list(name=tag):
                    found = tag
            images[language] = found
        base_present = bool(client.images.list(name=OFFLINE_BASE_IMAGE))
    except EngineUnavailableError as exc:
        error = str(exc)
    # The limits must fit the machine `all` would use: a bad one is the same usage error it would be there.
    check_limits(options.limits, machine)
    warnings = limit_warnings(machine)
    if engine is None and os.geteuid() != 0:
        warnings.append(
            "the local executor is not root: no cgroup, so no memory or CPU limit, and memory is "
            "every process's peak RSS summed"
        )
    tools = {tool: shutil.which(tool) for runner in contract().runners for tool in runner.local.tools}
    return DoctorReport(
        engine=engine,
        engine_error=error,
        images=images,
        offline_base=base_present,
        cgroup_version=cgroup_version(),
        toolchains=tools,
        debootstrap=shutil.which("debootstrap"),
        limits=asdict(options.limits),
        warnings=tuple(warnings),
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
    """What `all` would run, without the core-count axis (that depends on the machine a run uses)."""
    return planned_cases(replace(options, cores=None))


def composed_schema() -> str:
    """`schema`: result.schema.json completed with the contract, as one self-contained file."""
    return json.dumps(current_schema(), indent=2, ensure_ascii=False) + "\n"
