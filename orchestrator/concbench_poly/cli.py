"""The command line. The only module that prints or exits: it parses options and calls one service.

Exit codes: 0 all runs ok; 1 a run or a step failed (results are still saved); 2 usage errors.
Tables and machine-readable output go to stdout; progress and notices go to stderr.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from concbench_poly.config import (
    DEFAULT_LIMITS,
    Limits,
    Repetitions,
    RunOptions,
    WorkloadParams,
    parse_cpuset,
    parse_memory,
    parse_task_counts,
)
from concbench_poly.errors import ConcbenchError, ResultsDirError, UsageError
from concbench_poly.executors.base import RunRequest
from concbench_poly.paths import default_results_dir
from concbench_poly.registry import RUNNERS
from concbench_poly.results import RunResult

app = typer.Typer(
    name="concbench-poly",
    help="Which concurrency model for this workload, language and hardware? Measured in pinned containers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"


class ExecutorChoice(StrEnum):
    auto = "auto"
    docker = "docker"
    local = "local"


class LatencyView(StrEnum):
    service = "service"
    end_to_end = "end_to_end"


# Options shared by all/run/sweep; defaults are the article's workload and DEFAULT_LIMITS.
WorkloadOpt = Annotated[str, typer.Option("--workload", help="io, cpu or all.")]
IoMsOpt = Annotated[float, typer.Option("--io-ms", min=0.001, help="io: wait per task in ms (D).")]
CpusOpt = Annotated[float, typer.Option("--cpus", min=0.01, help="CPU quota in cores.")]
CpusetOpt = Annotated[str, typer.Option("--cpuset", help="CPUs to pin to, e.g. 0 or 0-1.")]
MemoryOpt = Annotated[str, typer.Option("--memory", help="Memory limit (no swap), e.g. 512m, 4g.")]
PidsOpt = Annotated[int, typer.Option("--pids", min=16, help="pids limit (threads count).")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=1, help="Per-run time limit in seconds.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Results directory [default: results/<UTC time>].")]
FormatOpt = Annotated[Format, typer.Option("--format", help="What to print on stdout.")]
ExecutorOpt = Annotated[ExecutorChoice, typer.Option("--executor", help="docker, local, or auto (docker if up).")]
WarmupOpt = Annotated[int, typer.Option("--warmup", min=0, help="Warm-up runs per case (saved, not aggregated).")]
RepeatOpt = Annotated[int, typer.Option("--repeat", min=1, help="Measured runs per case, each a fresh process.")]
ApproachOpt = Annotated[list[str] | None, typer.Option("--approach", help="Only these approaches (repeatable).")]
PoolOpt = Annotated[list[int] | None, typer.Option("--pool-size", min=1, help="threadpool sizes [50, 100].")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="multiprocessing/worker_threads workers.")]
RepeatCpuOpt = Annotated[int, typer.Option("--cpu-repeat", min=1, help="cpu: payload repetitions per hash.")]
OfflineOpt = Annotated[
    bool | None,
    typer.Option("--offline/--online", help="Force the offline Debian base, or the official images [auto]."),
]
KeepOpt = Annotated[bool, typer.Option("--keep", help="Leave containers in place for docker inspect.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notices on stderr.")]
ViewOpt = Annotated[LatencyView, typer.Option("--latency", help="Latency view the tables show.")]


def _fail(exc: ConcbenchError) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
    raise typer.Exit(2 if isinstance(exc, UsageError) else 1)


class ConsoleEvents:
    """Renders service events with rich on stderr; silent with --quiet."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet
        self._progress: Progress | None = None
        self._task: object = None

    def __enter__(self) -> ConsoleEvents:
        if not self._quiet:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def notice(self, message: str) -> None:
        if not self._quiet:
            err.print(f"[dim]concbench-poly:[/] {escape(message)}", soft_wrap=True)

    def run_started(self, request: RunRequest, index: int, total: int) -> None:
        if self._progress is None:
            return
        kind = "warm-up" if request.warmup else f"run {request.repetition + 1}"
        label = f"{request.case.label} [{request.case.workload}] {kind}"
        if self._task is None:
            self._task = self._progress.add_task(label, total=total)
        self._progress.update(self._task, description=label, completed=index)  # type: ignore[arg-type]

    def run_finished(self, result: RunResult) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)  # type: ignore[arg-type]
        if not result.ok and not self._quiet:
            what = escape(f"{result.case.label} [{result.case.workload}]: {result.error_message}")
            err.print(f"[red]failed:[/] {what}", soft_wrap=True)


def _options(
    *,
    languages: tuple[str, ...],
    workload: str,
    tasks: int,
    io_ms: float,
    cpus: float,
    cpuset: str,
    memory: str,
    pids: int,
    timeout: float,
    executor: ExecutorChoice,
    warmup: int,
    repeat: int,
    approaches: list[str] | None,
    pool_sizes: list[int] | None,
    workers: int,
    cpu_repeat: int,
    offline: bool | None,
    keep: bool,
) -> RunOptions:
    from concbench_poly.service import workloads_from

    if tasks < 1:
        raise UsageError(f"--tasks: expected a whole number >= 1, got {tasks}")
    parse_cpuset(cpuset)
    limits = Limits(cpus=cpus, cpuset=cpuset, memory_bytes=parse_memory(memory), pids=pids, timeout_s=timeout)
    params = WorkloadParams(
        tasks=tasks,
        io_ms=io_ms,
        repeat=cpu_repeat,
        workers=workers,
        pool_sizes=tuple(pool_sizes) if pool_sizes else WorkloadParams().pool_sizes,
    )
    return RunOptions(
        params=params,
        limits=limits,
        repetitions=Repetitions(warmup=warmup, repeat=repeat),
        workloads=workloads_from(workload),
        languages=languages,
        approaches=tuple(approaches) if approaches else None,
        executor=executor.value,
        offline=offline,
        keep_containers=keep,
    )


def _finish(run_results: tuple[RunResult, ...], out: Path, fmt: Format, view: LatencyView, quiet: bool) -> None:
    from concbench_poly.aggregate import summarize
    from concbench_poly.claims import load_claims
    from concbench_poly.decision import decision_guide
    from concbench_poly.exporters import EXPORTERS
    from concbench_poly.report_writer import write_summary

    summary = summarize(list(run_results), claims=load_claims(), latency_view=view.value)
    try:
        files = write_summary(out, summary)
    except OSError as exc:
        _fail(ResultsDirError(f"{out}: writing the report failed ({exc}); the raw results are kept"))
    typer.echo(EXPORTERS[fmt.value](summary), nl=False)
    if fmt is Format.table:
        typer.echo("\n" + decision_guide(summary))
    if not quiet:
        err.print(f"results saved in {escape(str(out))} ({len(files.paths)} report files)", soft_wrap=True)
    if any(not r.ok for r in run_results):
        failed = sorted({f"{r.case.label} [{r.case.workload}]" for r in run_results if not r.ok})
        err.print(f"[red]{len(failed)} case(s) had failed runs:[/] {escape(', '.join(failed))}", soft_wrap=True)
        raise typer.Exit(1)


def benchmark_command(
    languages: Annotated[list[str] | None, typer.Argument(help="python, go or node (default: all three).")] = None,
    workload: WorkloadOpt = "all",
    tasks: Annotated[int, typer.Option("--tasks", help="Tasks per run (N).")] = 1000,
    io_ms: IoMsOpt = 10.0,
    cpus: CpusOpt = DEFAULT_LIMITS.cpus,
    cpuset: CpusetOpt = DEFAULT_LIMITS.cpuset,
    memory: MemoryOpt = "512m",
    pids: PidsOpt = DEFAULT_LIMITS.pids,
    timeout: TimeoutOpt = DEFAULT_LIMITS.timeout_s,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    executor: ExecutorOpt = ExecutorChoice.auto,
    warmup: WarmupOpt = 1,
    repeat: RepeatOpt = 5,
    approach: ApproachOpt = None,
    pool_size: PoolOpt = None,
    workers: WorkersOpt = 4,
    cpu_repeat: RepeatCpuOpt = 10000,
    offline: OfflineOpt = None,
    keep: KeepOpt = False,
    latency: ViewOpt = LatencyView.service,
    quiet: QuietOpt = False,
) -> None:
    from concbench_poly.service import validate_languages

    try:
        options = _options(
            languages=validate_languages(tuple(languages) if languages else tuple(RUNNERS)),
            workload=workload,
            tasks=tasks,
            io_ms=io_ms,
            cpus=cpus,
            cpuset=cpuset,
            memory=memory,
            pids=pids,
            timeout=timeout,
            executor=executor,
            warmup=warmup,
            repeat=repeat,
            approaches=approach,
            pool_sizes=pool_size,
            workers=workers,
            cpu_repeat=cpu_repeat,
            offline=offline,
            keep=keep,
        )
    except ConcbenchError as exc:
        _fail(exc)
    _run_and_report(options, out, fmt, latency, quiet)


# One implementation, two names: `all` is the product's main command, `run LANG` the same for a subset.
app.command("all", help="Build what is missing, run every language's approaches one container at a time, report.")(
    benchmark_command
)
app.command("run", help="Run some languages' approaches (LANG..., all of them or --approach ...), report.")(
    benchmark_command
)


def _run_and_report(options: RunOptions, out: Path | None, fmt: Format, latency: LatencyView, quiet: bool) -> None:
    from concbench_poly.service import run_benchmarks

    target = out or default_results_dir()
    try:
        with ConsoleEvents(quiet) as events:
            run = run_benchmarks(options, target, events)
    except ConcbenchError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        _interrupted(target)
    _finish(run.results, target, fmt, latency, quiet)


def _interrupted(out: Path) -> NoReturn:
    # Caught here, not by typer: its own handler would exit without saying what was kept.
    err.print(
        escape(
            f"interrupted: the running container was removed; finished runs are saved in {out} "
            f"(`concbench-poly report {out}` builds the report from them)"
        ),
        soft_wrap=True,
    )
    raise typer.Exit(130)


@app.command("sweep")
def sweep_command(
    tasks: Annotated[str, typer.Option("--tasks", help="Comma-separated task counts.")] = "1000,10000,100000",
    workload: WorkloadOpt = "io",
    io_ms: IoMsOpt = 10.0,
    language: Annotated[list[str] | None, typer.Option("--language", help="Only these languages.")] = None,
    cpus: CpusOpt = DEFAULT_LIMITS.cpus,
    cpuset: CpusetOpt = DEFAULT_LIMITS.cpuset,
    memory: MemoryOpt = "4g",
    pids: PidsOpt = 32768,
    timeout: TimeoutOpt = 600.0,
    out: OutOpt = None,
    fmt: FormatOpt = Format.table,
    executor: ExecutorOpt = ExecutorChoice.auto,
    warmup: WarmupOpt = 0,
    repeat: RepeatOpt = 1,
    approach: ApproachOpt = None,
    pool_size: PoolOpt = None,
    workers: WorkersOpt = 4,
    cpu_repeat: RepeatCpuOpt = 10000,
    offline: OfflineOpt = None,
    keep: KeepOpt = False,
    latency: ViewOpt = LatencyView.end_to_end,
    quiet: QuietOpt = False,
) -> None:
    """Scale sweep: the same cases at growing task counts, a fresh container per point."""
    from concbench_poly.service import run_sweep, validate_languages

    try:
        counts = parse_task_counts(tasks)
        languages = validate_languages(tuple(language) if language else tuple(RUNNERS))
        options = _options(
            languages=languages,
            workload=workload,
            tasks=counts[0],
            io_ms=io_ms,
            cpus=cpus,
            cpuset=cpuset,
            memory=memory,
            pids=pids,
            timeout=timeout,
            executor=executor,
            warmup=warmup,
            repeat=repeat,
            approaches=approach,
            pool_sizes=pool_size,
            workers=workers,
            cpu_repeat=cpu_repeat,
            offline=offline,
            keep=keep,
        )
        target = out or default_results_dir()
        with ConsoleEvents(quiet) as events:
            run = run_sweep(options, counts, target, events)
    except ConcbenchError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        _interrupted(target)
    err.print(f"sweep wall time: {run.wall_s:.1f} s ({len(run.results)} runs)", soft_wrap=True)
    _finish(run.results, target, fmt, latency, quiet)


@app.command("build")
def build_command(
    language: Annotated[list[str] | None, typer.Argument(help="Languages to build [all].")] = None,
    offline: OfflineOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the source hash is unchanged.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Build the runner images (tagged by a hash of their sources)."""
    from concbench_poly.service import build_images, validate_languages

    try:
        languages = validate_languages(tuple(language) if language else tuple(RUNNERS))
        with ConsoleEvents(quiet) as events:
            refs = build_images(languages, offline, force, events)
    except ConcbenchError as exc:
        _fail(exc)
    for ref in refs:
        typer.echo(f"{ref.language}\t{ref.tag}\t{ref.image_id}\t{'built' if ref.built else 'up to date'}")


@app.command("report")
def report_command(
    directory: Annotated[Path, typer.Argument(help="A results directory written by all/run/sweep.")],
    fmt: FormatOpt = Format.table,
    latency: ViewOpt = LatencyView.service,
    quiet: QuietOpt = False,
) -> None:
    """Rebuild summary.json, report.md, report.csv and plots from saved raw results; nothing is rerun."""
    from concbench_poly.results_store import load_results

    try:
        results = load_results(directory)
    except ConcbenchError as exc:
        _fail(exc)
    _finish(tuple(results), directory, fmt, latency, quiet)


@app.command("compare")
def compare_command(
    dir_a: Annotated[Path, typer.Argument(help="Baseline results directory (A).")],
    dir_b: Annotated[Path, typer.Argument(help="Results directory to compare (B).")],
    fmt: FormatOpt = Format.table,
    latency: ViewOpt = LatencyView.service,
) -> None:
    """For each case and figure: the ratio B/A, and a verdict only where it is outside the noise."""
    from concbench_poly.aggregate import summarize
    from concbench_poly.claims import load_claims
    from concbench_poly.compare import compare
    from concbench_poly.exporters import COMPARE_EXPORTERS
    from concbench_poly.results_store import load_results

    try:
        claims = load_claims()
        a = summarize(load_results(dir_a), claims=claims, latency_view=latency.value)
        b = summarize(load_results(dir_b), claims=claims, latency_view=latency.value)
    except ConcbenchError as exc:
        _fail(exc)
    typer.echo(COMPARE_EXPORTERS[fmt.value](compare(a, b)), nl=False)


@app.command("doctor")
def doctor_command(
    cpus: CpusOpt = DEFAULT_LIMITS.cpus,
    cpuset: CpusetOpt = DEFAULT_LIMITS.cpuset,
    memory: MemoryOpt = "512m",
    pids: PidsOpt = DEFAULT_LIMITS.pids,
) -> None:
    """Is a Docker engine reachable, which images are present, which cgroup version, which limits apply."""
    from concbench_poly.service import doctor

    try:
        limits = Limits(cpus=cpus, cpuset=cpuset, memory_bytes=parse_memory(memory), pids=pids)
        parse_cpuset(cpuset)
        report = doctor(RunOptions(limits=limits))
    except ConcbenchError as exc:
        _fail(exc)
    engine = f"reachable, version {report.engine}" if report.engine else f"NOT reachable: {report.engine_error}"
    lines = [f"docker engine     {engine}"]
    for language, tag in report.images.items():
        lines.append(f"image {language:<11} {tag or 'missing (concbench-poly build)'}")
    if report.offline_base is not None:
        lines.append(f"offline base      {'present' if report.offline_base else 'missing (made on demand)'}")
    lines.append(f"debootstrap       {report.debootstrap or 'missing (needed only offline)'}")
    lines.append(f"cgroup version    {report.cgroup_version or 'unknown'}")
    for tool, path in report.toolchains.items():
        lines.append(f"local {tool:<11} {path or 'missing (local executor cannot run it)'}")
    limits_text = ", ".join(f"{k}={v}" for k, v in report.limits.items())
    lines.append(f"limits            {limits_text}")
    executor = "docker" if report.engine else "local (no Docker engine)"
    lines.append(f"`all` would use   {executor}")
    typer.echo("\n".join(lines))
    if not report.healthy:
        raise typer.Exit(1)


@app.command("list")
def list_command(workload: WorkloadOpt = "all") -> None:
    """The approaches and workloads, as `all` would run them."""
    from concbench_poly.service import list_cases, workloads_from

    try:
        cases = list_cases(RunOptions(workloads=workloads_from(workload)))
    except ConcbenchError as exc:
        _fail(exc)
    for case in cases:
        typer.echo(f"{case.workload}\t{case.language}\t{case.approach}\t{case.label}\t{case.key}")


@app.command("clean")
def clean_command(
    images: Annotated[bool, typer.Option("--images", help="Also remove the runner images.")] = False,
) -> None:
    """Remove every container (and with --images every image) concbench-poly labelled."""
    from concbench_poly.service import clean

    try:
        containers, removed_images = clean(images)
    except ConcbenchError as exc:
        _fail(exc)
    typer.echo(f"removed {len(containers)} container(s), {len(removed_images)} image(s)")


def main() -> None:
    app()
