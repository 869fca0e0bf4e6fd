"""The commands around a benchmark: build, doctor, list, clean and schema. Parsing, printing and exit
codes only, as in cli.py, which adds them to its app."""

from __future__ import annotations

from typing import Annotated

import typer

from concbench_poly import cli_options as opt
from concbench_poly.cli_events import ConsoleEvents, err, fail
from concbench_poly.config import DEFAULT_LIMITS, Limits, RunOptions, parse_memory
from concbench_poly.errors import ConcbenchError
from concbench_poly.report import listing

tools = typer.Typer()


@tools.command("build")
def build_command(
    languages: Annotated[list[str] | None, typer.Argument(help="Languages to build \\[all].")] = None,
    offline: opt.OfflineOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the source hash is unchanged.")] = False,
    mirror: Annotated[
        str | None, typer.Option("--debian-mirror", help="Debian mirror for the offline base \\[apt's own].")
    ] = None,
    runtime: opt.RuntimeOpt = None,
    quiet: opt.QuietOpt = False,
) -> None:
    """Build the runner images (tagged by runtime and a hash of their sources)."""
    from concbench_poly.cases import validate_languages
    from concbench_poly.config import parse_runtimes
    from concbench_poly.service import build_images

    try:
        chosen = validate_languages(tuple(languages) if languages else opt.CONTRACT.languages)
        runtimes = parse_runtimes(tuple(runtime or ()), chosen)
        with ConsoleEvents(err, quiet) as events:
            refs = build_images(chosen, offline, force, events, mirror, runtimes)
    except ConcbenchError as exc:
        fail(exc)
    typer.echo(listing.images(refs), nl=False)


@tools.command("doctor")
def doctor_command(
    cpus: opt.CpusOpt = DEFAULT_LIMITS.cpus,
    cpuset: opt.CpusetOpt = DEFAULT_LIMITS.cpuset,
    memory: opt.MemoryOpt = "512m",
    pids: opt.PidsOpt = DEFAULT_LIMITS.pids,
) -> None:
    """Is a Docker engine reachable, which images are present, which cgroup version, which limits apply."""
    from concbench_poly.service import doctor

    try:
        limits = Limits(cpus or DEFAULT_LIMITS.cpus, cpuset or DEFAULT_LIMITS.cpuset, parse_memory(memory), pids)
        report = doctor(RunOptions(limits=limits))
    except ConcbenchError as exc:
        fail(exc)
    typer.echo("\n".join(report.lines()))
    if not report.healthy:
        raise typer.Exit(1)


@tools.command("list")
def list_command(
    workload: opt.WorkloadOpt = "all",
    runtimes: Annotated[
        bool, typer.Option("--runtimes", help="List the runtimes each language can be built on.")
    ] = False,
) -> None:
    """The approaches and workloads, as `all` would run them (--runtimes: the runtimes instead)."""
    from concbench_poly.config import workloads_from
    from concbench_poly.service import list_cases, list_runtimes

    if runtimes:
        typer.echo(listing.runtimes(list_runtimes(opt.CONTRACT.languages)), nl=False)
        return
    try:
        cases = list_cases(RunOptions(workloads=workloads_from(workload)))
    except ConcbenchError as exc:
        fail(exc)
    typer.echo(listing.cases(cases), nl=False)


@tools.command("clean")
def clean_command(
    images: Annotated[bool, typer.Option("--images", help="Also remove the runner images.")] = False,
) -> None:
    """Remove every container (and with --images every image) concbench-poly labelled."""
    from concbench_poly.service import clean

    try:
        containers, removed_images = clean(images)
    except ConcbenchError as exc:
        fail(exc)
    typer.echo(f"removed {len(containers)} container(s), {len(removed_images)} image(s)")


@tools.command("schema")
def schema_command() -> None:
    """The current result schema, completed with the runner contract (schema/README.md), on stdout."""
    from concbench_poly.service import composed_schema

    try:
        typer.echo(composed_schema(), nl=False)
    except ConcbenchError as exc:
        fail(exc)
