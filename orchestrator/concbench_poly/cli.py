"""The command line: parse options into one options object, call one service function, print, exit.

With cli_tools.py (the commands around a benchmark) and cli_events.py (progress, warnings, errors),
the only modules that print or exit. Exit codes: 0 all runs ok; 1 a run or a step failed (results
are still saved); 2 usage errors. Tables and machine-readable output go to stdout; progress and
notices go to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from concbench_poly import cli_options as opt
from concbench_poly.cli_events import ConsoleEvents, err, fail, print_fleet_ending, warn_insecure
from concbench_poly.cli_tools import tools
from concbench_poly.config import DEFAULT_LIMITS
from concbench_poly.errors import ConcbenchError
from concbench_poly.execution import interrupts
from concbench_poly.paths import default_results_dir

app = typer.Typer(
    name="concbench-poly",
    help="Which concurrency model for this workload, language and hardware? Measured in pinned containers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(tools)  # build, doctor, list, clean, schema: the same app, one module per concern


def _benchmark(values: dict[str, Any], *, sweep: bool) -> None:
    """Parse, run, report: the one path of all, run and sweep (on one engine or a fleet)."""
    from concbench_poly.fleet import FleetInterrupted, FleetOutcome
    from concbench_poly.report import EXPORTERS
    from concbench_poly.report.fleet_format import FLEET_EXPORTERS
    from concbench_poly.service import run_benchmark

    resume: Path | None = values["resume"]
    target = resume or values["out"] or default_results_dir()
    context: typer.Context = values["ctx"]
    try:
        request = opt.benchmark_request(values, sweep, lambda name: _given(context, name))
        warn_insecure(err, request)
        with interrupts.handling(), ConsoleEvents(err, values["quiet"]) as events:
            outcome = run_benchmark(request, target, events, resume=resume is not None, wait_for_cores=values["wait"])
    except ConcbenchError as exc:
        fail(exc)
    except KeyboardInterrupt as exc:
        # Caught here, not by typer: its own handler would exit without saying what was kept.
        if isinstance(exc, FleetInterrupted):
            typer.echo(FLEET_EXPORTERS[values["fmt"].value](exc.outcome.report), nl=False)
        message = f"interrupted ({interrupts.interruption()}): the running runner was stopped and removed; "
        message += f"finished runs are saved in {target} (`concbench-poly all --resume {target}` goes on)"
        err.print(escape(message), soft_wrap=True)
        raise typer.Exit(interrupts.exit_code()) from None
    if isinstance(outcome, FleetOutcome):
        typer.echo(FLEET_EXPORTERS[values["fmt"].value](outcome.report), nl=False)
        failures = print_fleet_ending(err, outcome)
        _saved(target, len(outcome.files), failures, values["quiet"], failed=bool(outcome.failed_hosts))
        return
    if sweep:
        err.print(f"sweep wall time: {outcome.run.wall_s:.1f} s ({len(outcome.run.results)} runs)", soft_wrap=True)
    typer.echo(EXPORTERS[values["fmt"].value](outcome.report), nl=False)
    _saved(target, len(outcome.files.paths), outcome.run.failures, values["quiet"])


def _given(context: typer.Context, name: str) -> bool:
    """Whether the user typed the option (not its default): --resume refuses changed parameters."""
    source = context.get_parameter_source(name)
    return source is not None and source.name == "COMMANDLINE"


def _saved(target: Path, files: int, failures: tuple[Any, ...], quiet: bool, *, failed: bool = False) -> None:
    """failed: something beyond the runs failed (a fleet host that did not finish)."""
    if not quiet:
        err.print(f"results saved in {escape(str(target))} ({files} report files)", soft_wrap=True)
    if failures:
        names = sorted({f"{r.case.label} [{r.case.workload}]" for r in failures})
        err.print(f"[red]{len(names)} case(s) had failed runs:[/] {escape(', '.join(names))}", soft_wrap=True)
    if failures or failed:
        raise typer.Exit(1)


# One implementation, two names: `all` is the product's main command, `run LANG` the same for a subset.
@app.command("all", help="Build what is missing, run every language's approaches one container at a time, report.")
@app.command("run", help="Run some languages' approaches (LANG..., all of them or --approach ...), report.")
def benchmark_command(
    ctx: typer.Context,
    languages: opt.LanguagesArg = None,
    workload: opt.WorkloadOpt = "all",
    tasks: Annotated[int, typer.Option("--tasks", help="Tasks per run (N).")] = opt.TASKS,
    io_ms: opt.IoMsOpt = opt.IO_MS,
    cpus: opt.CpusOpt = None,
    cpuset: opt.CpusetOpt = None,
    cores: opt.CoresOpt = None,
    memory: opt.MemoryOpt = "512m",
    pids: opt.PidsOpt = DEFAULT_LIMITS.pids,
    timeout: opt.TimeoutOpt = DEFAULT_LIMITS.timeout_s,
    out: opt.OutOpt = None,
    fmt: opt.FormatOpt = opt.Format.table,
    executor: opt.ExecutorOpt = opt.ExecutorChoice.auto,
    warmup: opt.WarmupOpt = 1,
    repeat: opt.RepeatOpt = 5,
    approach: opt.ApproachOpt = None,
    pool_size: opt.PoolOpt = None,
    workers: opt.WorkersOpt = opt.WORKERS,
    cpu_repeat: opt.RepeatCpuOpt = opt.CPU_REPEAT,
    loop_bytes: opt.LoopBytesOpt = opt.LOOP_BYTES,
    cpu_ms: opt.CpuMsOpt = opt.CPU_MS,
    offline: opt.OfflineOpt = None,
    keep: opt.KeepOpt = False,
    latency: opt.ViewOpt = opt.LatencyView.service,
    resume: opt.ResumeOpt = None,
    wait: opt.WaitOpt = True,
    runtime: opt.RuntimeOpt = None,
    host: opt.HostOpt = None,
    hosts: opt.HostsOpt = None,
    insecure: opt.InsecureOpt = False,
    reference: opt.ReferenceOpt = None,
    build_on_host: opt.BuildOnHostOpt = False,
    quiet: opt.QuietOpt = False,
) -> None:
    _benchmark(locals(), sweep=False)


@app.command("sweep")
def sweep_command(
    ctx: typer.Context,
    tasks: Annotated[str, typer.Option("--tasks", help="Comma-separated task counts.")] = "1000,10000,100000",
    workload: opt.WorkloadOpt = "io",
    io_ms: opt.IoMsOpt = opt.IO_MS,
    languages: Annotated[list[str] | None, typer.Option("--language", help="Only these languages.")] = None,
    cpus: opt.CpusOpt = None,
    cpuset: opt.CpusetOpt = None,
    cores: opt.CoresOpt = None,
    memory: opt.MemoryOpt = "4g",
    pids: opt.PidsOpt = 32768,
    timeout: opt.TimeoutOpt = 600.0,
    out: opt.OutOpt = None,
    fmt: opt.FormatOpt = opt.Format.table,
    executor: opt.ExecutorOpt = opt.ExecutorChoice.auto,
    warmup: opt.WarmupOpt = 0,
    repeat: opt.RepeatOpt = 1,
    approach: opt.ApproachOpt = None,
    pool_size: opt.PoolOpt = None,
    workers: opt.WorkersOpt = opt.WORKERS,
    cpu_repeat: opt.RepeatCpuOpt = opt.CPU_REPEAT,
    loop_bytes: opt.LoopBytesOpt = opt.LOOP_BYTES,
    cpu_ms: opt.CpuMsOpt = opt.CPU_MS,
    offline: opt.OfflineOpt = None,
    keep: opt.KeepOpt = False,
    latency: opt.ViewOpt = opt.LatencyView.end_to_end,
    resume: opt.ResumeOpt = None,
    wait: opt.WaitOpt = True,
    runtime: opt.RuntimeOpt = None,
    host: opt.HostOpt = None,
    hosts: opt.HostsOpt = None,
    insecure: opt.InsecureOpt = False,
    reference: opt.ReferenceOpt = None,
    build_on_host: opt.BuildOnHostOpt = False,
    quiet: opt.QuietOpt = False,
) -> None:
    """Scale sweep: the same cases at growing task counts, a fresh container per point."""
    _benchmark(locals(), sweep=True)


@app.command("report")
def report_command(
    directory: Annotated[Path, typer.Argument(help="A results directory written by all/run/sweep.")],
    fmt: opt.FormatOpt = opt.Format.table,
    latency: opt.ViewOpt = opt.LatencyView.service,
    quiet: opt.QuietOpt = False,
) -> None:
    """Rebuild the report files (summary.json, report.md/.csv/.html, plots; a fleet's per host and fleet.md) from
    saved raw results; nothing is rerun."""
    from concbench_poly.fleet import is_fleet_dir, report_fleet_directory
    from concbench_poly.report import EXPORTERS
    from concbench_poly.report.fleet_format import FLEET_EXPORTERS
    from concbench_poly.service import report_directory

    try:
        if is_fleet_dir(directory):
            fleet, paths = report_fleet_directory(directory, latency.value)
            typer.echo(FLEET_EXPORTERS[fmt.value](fleet), nl=False)
            if not quiet:
                err.print(f"fleet report rebuilt in {escape(str(directory))} ({len(paths)} files)", soft_wrap=True)
            return
        outcome = report_directory(directory, latency.value)
    except ConcbenchError as exc:
        fail(exc)
    typer.echo(EXPORTERS[fmt.value](outcome.report), nl=False)
    _saved(directory, len(outcome.files.paths), tuple(r for r in outcome.results if not r.ok), quiet)


@app.command("compare")
def compare_command(
    dir_a: Annotated[Path, typer.Argument(help="Baseline results directory (A).")],
    dir_b: Annotated[Path, typer.Argument(help="Results directory to compare (B).")],
    fmt: opt.FormatOpt = opt.Format.table,
    latency: opt.ViewOpt = opt.LatencyView.service,
    allow_different: opt.AllowDifferentOpt = False,
) -> None:
    """For each case and figure: the ratio B/A, and a verdict only where it is outside the noise."""
    from concbench_poly.report import COMPARE_EXPORTERS
    from concbench_poly.service import compare_directories

    try:
        result = compare_directories(dir_a, dir_b, latency.value, allow_different=allow_different)
    except ConcbenchError as exc:
        fail(exc)
    typer.echo(COMPARE_EXPORTERS[fmt.value](result), nl=False)


def main() -> None:
    app()
