"""The command line's options: their types, help and defaults, and how a command's parameters
become the one BenchmarkFlags object that all, run and sweep share (config.py turns it into options).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from concbench_poly.config import BenchmarkFlags, RunOptions, WorkloadParams
from concbench_poly.config import parse_task_counts as parse_counts
from concbench_poly.contract import contract
from concbench_poly.errors import UsageError

if TYPE_CHECKING:
    from concbench_poly.fleet import FleetOptions

CONTRACT = contract()


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


# The contract's defaults (the article's workload), as the commands' defaults.
TASKS = CONTRACT.int_default("tasks")
LOOP_BYTES = CONTRACT.int_default("loop_bytes")
IO_MS = float(CONTRACT.default("io_ms"))
WORKERS = CONTRACT.int_default("workers")
CPU_REPEAT = CONTRACT.int_default("repeat")
# The mixed workload's C is the orchestrator's (runners take loop_bytes): WorkloadParams owns it.
CPU_MS = WorkloadParams().cpu_ms


# Options shared by all/run/sweep; defaults are the contract's (the article's workload) and DEFAULT_LIMITS.
LanguagesArg = Annotated[list[str] | None, typer.Argument(help=f"{', '.join(CONTRACT.languages)} \\[all of them].")]
WorkloadOpt = Annotated[str, typer.Option("--workload", help=f"{', '.join(CONTRACT.workload_names)} or all.")]
IoMsOpt = Annotated[float, typer.Option("--io-ms", min=0.001, help="io: wait per task in ms (D).")]
CpusOpt = Annotated[
    float | None, typer.Option("--cpus", min=0.01, help="CPU quota in cores, for every run (no core-count axis) \\[1].")
]
CpusetOpt = Annotated[
    str | None,
    typer.Option("--cpuset", help="CPUs to pin to, e.g. 0 or 0-1; the core axis uses them \\[0; axis: all]."),
]
CoresOpt = Annotated[
    str | None,
    typer.Option("--cores", help="Core counts of the CPU workloads, e.g. 1,2,4 \\[1 and all CPUs up to 4]."),
]
CpuMsOpt = Annotated[
    float, typer.Option("--cpu-ms", min=0.001, help="mixed: each task's CPU part, in ms of one core's work.")
]
LoopBytesOpt = Annotated[int, typer.Option("--loop-bytes", min=1, help="cpu-loop: bytes each task hashes.")]
MemoryOpt = Annotated[str, typer.Option("--memory", help="Memory limit (no swap), e.g. 512m, 4g.")]
PidsOpt = Annotated[int, typer.Option("--pids", min=16, help="pids limit (threads count).")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=1, help="Per-run time limit in seconds.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Results directory \\[default: results/<UTC time>].")]
FormatOpt = Annotated[Format, typer.Option("--format", help="What to print on stdout.")]
ExecutorOpt = Annotated[ExecutorChoice, typer.Option("--executor", help="docker, local, or auto (docker if up).")]
WarmupOpt = Annotated[int, typer.Option("--warmup", min=0, help="Warm-up runs per case (saved, not aggregated).")]
RepeatOpt = Annotated[int, typer.Option("--repeat", min=1, help="Measured runs per case, each a fresh process.")]
ApproachOpt = Annotated[list[str] | None, typer.Option("--approach", help="Only these approaches (repeatable).")]
PoolOpt = Annotated[list[int] | None, typer.Option("--pool-size", min=1, help="Pool sizes \\[the contract's].")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Worker-pool approaches: workers.")]
RepeatCpuOpt = Annotated[int, typer.Option("--cpu-repeat", min=1, help="cpu: payload repetitions per hash.")]
OfflineOpt = Annotated[
    bool | None,
    typer.Option("--offline/--online", help="Force the offline Debian base, or the official images \\[auto]."),
]
KeepOpt = Annotated[bool, typer.Option("--keep", help="Leave containers in place for docker inspect.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notices on stderr.")]
ViewOpt = Annotated[LatencyView, typer.Option("--latency", help="Latency view the tables show.")]
AllowDifferentOpt = Annotated[
    bool, typer.Option("--allow-different", help="Compare runs of different workload parameters anyway.")
]
ResumeOpt = Annotated[
    Path | None,
    typer.Option("--resume", help="Continue an interrupted or failed run in DIR with its own parameters."),
]
WaitOpt = Annotated[
    bool, typer.Option("--wait/--no-wait", help="Wait for cores another benchmark holds, or refuse \\[wait].")
]
RuntimeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--runtime",
        help="A runtime to run a language on, LANG=VERSION (repeatable), e.g. python=3.13t or node=20; each is "
        "its own image \\[each language's default].",
    ),
]
HostOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--host",
        help="Run on this Docker engine (repeatable; a fleet runs on the hosts named only): unix://..., "
        "ssh://user@host, tcp://host:2376 (TLS) or a Docker context name.",
    ),
]
HostsOpt = Annotated[
    Path | None,
    typer.Option("--hosts", help="A TOML file of the fleet's hosts: name, url, tls, cpuset, limits, labels."),
]
InsecureOpt = Annotated[bool, typer.Option("--insecure", help="Allow plain tcp:// hosts without TLS (warns).")]
ReferenceOpt = Annotated[
    str | None, typer.Option("--reference", help="The fleet host the others are compared with \\[the first].")
]
BuildOnHostOpt = Annotated[
    bool, typer.Option("--build-on-host", help="Build the images on each host instead of shipping this machine's.")
]

# What each shared option sets in RunOptions: --resume refuses any of these given with another value.
RESUMED: dict[str, Callable[[RunOptions], object]] = {
    "languages": lambda o: o.languages,
    "workload": lambda o: o.workloads,
    "tasks": lambda o: o.task_counts or (o.params.tasks,),
    "io_ms": lambda o: o.params.io_ms,
    "cpus": lambda o: o.limits.cpus,
    "cpuset": lambda o: o.limits.cpuset,
    "memory": lambda o: o.limits.memory_bytes,
    "pids": lambda o: o.limits.pids,
    "timeout": lambda o: o.limits.timeout_s,
    "executor": lambda o: o.executor,
    "warmup": lambda o: o.repetitions.warmup,
    "repeat": lambda o: o.repetitions.repeat,
    "approach": lambda o: o.approaches,
    "pool_size": lambda o: o.params.pool_sizes,
    "workers": lambda o: o.params.workers,
    "cpu_repeat": lambda o: o.params.repeat,
    "offline": lambda o: o.offline,
    "keep": lambda o: o.keep_containers,
    "cores": lambda o: o.cores,
    "loop_bytes": lambda o: o.params.loop_bytes,
    "cpu_ms": lambda o: o.params.cpu_ms,
    "runtime": lambda o: o.runtimes,
}


LISTS = frozenset({"languages", "approach", "pool_size", "runtime"})  # repeatable options: None when not given


def resumed_options(
    stored: RunOptions, values: dict[str, Any], sweep: bool, given: Callable[[str], bool]
) -> RunOptions:
    """The stored options of a run being resumed; an option given on the command line must agree."""
    fresh = flags_from(values, sweep).to_options()
    for name, read in RESUMED.items():
        if given(name) and read(fresh) != read(stored):
            flag = name.replace("_", "-") if name != "languages" else "LANG"
            raise UsageError(
                f"--resume: {flag} {read(fresh)} would change the run's {read(stored)}; "
                "a resumed run keeps its parameters (start a new one with --out)"
            )
    if values.get("out") is not None:
        raise UsageError("--out: a resumed run is saved where it was (--resume DIR)")
    return replace(stored, latency_view=fresh.latency_view)


def benchmark_request(values: dict[str, Any], sweep: bool, given: Callable[[str], bool]) -> RunOptions | FleetOptions:
    """What all, run and sweep were asked for: new options, or a fleet's, or those of the run resumed."""
    from concbench_poly.fleet import is_fleet_dir, resume_fleet_options
    from concbench_poly.service import resume_options

    resume: Path | None = values["resume"]
    if resume is not None and is_fleet_dir(resume):
        stored = resume_fleet_options(resume)
        return replace(stored, run=resumed_options(stored.run, values, sweep, given))
    if resume is not None:
        return resumed_options(resume_options(resume), values, sweep, given)
    options = flags_from(values, sweep).to_options()
    return fleet_from(values, options) or options


def flags_from(values: dict[str, Any], sweep: bool) -> BenchmarkFlags:
    """One BenchmarkFlags from a command's parameters, taken by name: the commands share the names."""
    given = {f.name: values[f.name] for f in fields(BenchmarkFlags) if f.name in values}
    given |= {k: v.value if isinstance(v, StrEnum) else tuple(v or ()) if k in LISTS else v for k, v in given.items()}
    tasks = tuple(parse_counts(values["tasks"])) if sweep else (values["tasks"],)
    cores = tuple(parse_counts(values["cores"], "--cores")) if values.get("cores") else ()
    return BenchmarkFlags(**given | {"tasks": tasks, "sweep": sweep, "cores": cores})


FLEET_ONLY = ("reference", "build_on_host", "insecure")


def fleet_from(values: dict[str, Any], run: RunOptions) -> FleetOptions | None:
    """The fleet --host/--hosts name, or None for the one engine `all` uses by default."""
    # Imported here: the fleet brings the docker SDK, which a plain `all --executor local` never needs.
    from concbench_poly.execution.hosts import parse_hosts
    from concbench_poly.fleet import fleet_options

    urls = tuple(values.get("host") or ())
    hosts_file: Path | None = values.get("hosts")
    if not urls and hosts_file is None:
        for name in FLEET_ONLY:
            if values.get(name):
                raise UsageError(f"--{name.replace('_', '-')}: applies to a fleet only (--host or --hosts)")
        return None
    hosts = parse_hosts(urls, hosts_file, insecure=bool(values.get("insecure")))
    return fleet_options(run, hosts, values.get("reference"), bool(values.get("build_on_host")))
