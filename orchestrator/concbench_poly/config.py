"""Frozen configuration: limits, workload parameters and the defaults every entry point shares.

Workload defaults come from the runner contract. docker-compose.yml repeats DEFAULT_LIMITS;
tests/test_compose_defaults.py keeps the two in step.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from concbench_poly.contract import contract
from concbench_poly.errors import UsageError

ExecutorName = Literal["docker", "local", "auto"]

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """What each benchmark container (or local process) is confined to."""

    cpus: float = 1.0
    cpuset: str = "0"
    memory_bytes: int = 512 * MIB
    pids: int = 4096
    timeout_s: float = 300.0

    @property
    def nano_cpus(self) -> int:
        return round(self.cpus * 1_000_000_000)

    def cpuset_list(self) -> list[int]:
        return parse_cpuset(self.cpuset)


DEFAULT_LIMITS = Limits()
# Containers run as this user; the images create it (runners/*/Dockerfile).
CONTAINER_USER = "10001:10001"
CONTAINER_TMPFS = {"/tmp": "size=16m,mode=1777"}
MANAGED_LABEL = "concbench-poly.managed"


def _int_default(name: str) -> int:
    return contract().int_default(name)


def _suite_pool_sizes() -> tuple[int, ...]:
    option = contract().option("pool_size")
    return tuple(int(v) for v in option.suite_values or (option.default,))


@dataclass(frozen=True)
class WorkloadParams:
    """Workload sizes shared by every approach of one invocation (the contract's defaults: the article's)."""

    tasks: int = field(default_factory=lambda: _int_default("tasks"))
    io_ms: float = field(default_factory=lambda: float(contract().default("io_ms")))
    payload_bytes: int = field(default_factory=lambda: _int_default("payload_bytes"))
    loop_bytes: int = field(default_factory=lambda: _int_default("loop_bytes"))
    repeat: int = field(default_factory=lambda: _int_default("repeat"))
    pool_sizes: tuple[int, ...] = field(default_factory=_suite_pool_sizes)
    workers: int = field(default_factory=lambda: _int_default("workers"))
    # mixed: each task's CPU part in ms of one core's work (the C = 2 ms beside D = 10 ms);
    # loop_bytes per language follows from the language's measured 1-core cpu-loop rate
    # (mixed_loop_bytes, set once calibrated).
    cpu_ms: float = 2.0
    mixed_loop_bytes: tuple[tuple[str, int], ...] = ()

    def with_tasks(self, tasks: int) -> WorkloadParams:
        return replace(self, tasks=tasks)

    def values(self) -> dict[str, float]:
        """Option name -> value, as the contract names them (pool_size: the first of pool_sizes)."""
        return {
            "tasks": self.tasks,
            "io_ms": self.io_ms,
            "payload_bytes": self.payload_bytes,
            "repeat": self.repeat,
            "loop_bytes": self.loop_bytes,
            "pool_size": self.pool_sizes[0],
            "workers": self.workers,
        }


@dataclass(frozen=True)
class Repetitions:
    """hyperfine-style: warm-up runs are saved but never aggregated."""

    warmup: int = 1
    repeat: int = 5


# Python's "simple, blocking" scenario runs threads, a thread pool and asyncio at these few-task counts
# beside the headline N (cases.blocking_cases): "threading OK (if few threads)" needs few threads.
BLOCKING_COUNTS = (10, 50, 100, 500)


@dataclass(frozen=True)
class RunOptions:
    """Everything one `all`/`run`/`sweep` invocation needs below the CLI."""

    params: WorkloadParams = field(default_factory=WorkloadParams)
    limits: Limits = DEFAULT_LIMITS
    repetitions: Repetitions = field(default_factory=Repetitions)
    workloads: tuple[str, ...] = field(default_factory=lambda: contract().workload_names)
    languages: tuple[str, ...] = field(default_factory=lambda: contract().languages)
    approaches: tuple[str, ...] | None = None
    executor: ExecutorName = "auto"
    offline: bool | None = None
    keep_containers: bool = False
    # A sweep: every case at each of these task counts, an approach stopping at its first failure.
    task_counts: tuple[int, ...] | None = None
    latency_view: str = "service"  # the view the report's tables show
    # Python's "simple, blocking" scenario: threading, ThreadPool and asyncio I/O at these few-task counts
    # too, to find where threads stop being as good as asyncio (the article: "threading OK if few threads").
    blocking_counts: tuple[int, ...] = BLOCKING_COUNTS
    # The core-count axis of workloads that can use more cores (contract: core_axis): each of their
    # cases runs at every count k, on the first k CPUs of axis_cpuset with a quota of k. None: no axis
    # (--cpus fixes the quota); () : the default, 1 and every allowed core up to 4 (resolved against
    # the machine before anything runs).
    cores: tuple[int, ...] | None = ()
    axis_cpuset: str | None = None  # the CPUs the axis may use; None: all the machine's
    host: str | None = None  # the fleet host these options run on (fleet.py sets it per host)
    # --runtime LANG=VERSION: each named language runs once per runtime given, each its own image;
    # a language not named runs its default runtime (the case's runtime then stays None).
    runtimes: tuple[tuple[str, str], ...] = ()

    def core_limits(self, cores: int) -> Limits:
        """The limits of a case at `cores` on the axis: the first `cores` allowed CPUs, a quota of `cores`."""
        allowed = parse_cpuset(self.axis_cpuset) if self.axis_cpuset else []
        return replace(self.limits, cpus=float(cores), cpuset=",".join(map(str, allowed[:cores])))


@dataclass(frozen=True)
class BenchmarkFlags:
    """The options `all`, `run` and `sweep` share, as the command line gave them.

    The CLI fills one from its parameters by name; to_options() checks every value and builds the
    RunOptions the service takes. Only here are flags turned into options.
    """

    languages: tuple[str, ...]
    workload: str
    tasks: tuple[int, ...]
    sweep: bool
    io_ms: float
    cpus: float | None  # None: not given (1 CPU; and the core-count axis is on)
    cpuset: str | None  # None: not given (CPU 0; the axis may use every CPU)
    cores: tuple[int, ...]  # --cores; empty: not given
    loop_bytes: int
    cpu_ms: float
    memory: str
    pids: int
    timeout: float
    executor: ExecutorName
    warmup: int
    repeat: int
    approach: tuple[str, ...]
    pool_size: tuple[int, ...]
    workers: int
    cpu_repeat: int
    offline: bool | None
    keep: bool
    latency: str
    runtime: tuple[str, ...] = ()  # --runtime LANG=VERSION, as typed

    def to_options(self) -> RunOptions:
        """Every value checked before anything runs: one UsageError naming the first bad option."""
        registry = contract()
        languages = self.languages or registry.languages
        for language in languages:
            registry.runner(language)
        if any(n < 1 for n in self.tasks):
            raise UsageError(f"--tasks: expected a whole number >= 1, got {min(self.tasks)}")
        io_ms = registry.option("io_ms")
        if not io_ms.accepts(self.io_ms):
            raise UsageError(f"--io-ms: expected {io_ms.bounds()}, got {self.io_ms:g}")
        if self.cpus is not None and self.cores:
            raise UsageError("--cores: cannot be combined with --cpus (--cores sets the quota of each core count)")
        if self.cpus is not None:
            _finite("--cpus", self.cpus, above=0)
        if any(k < 1 for k in self.cores):
            raise UsageError(f"--cores: expected counts >= 1, got {','.join(map(str, self.cores))}")
        _finite("--timeout", self.timeout, at_least=1, at_most=MAX_TIMEOUT_S)
        if self.pids > MAX_PIDS:
            raise UsageError(f"--pids: expected at most {MAX_PIDS} (the kernel's pid_max ceiling), got {self.pids}")
        if self.cpuset is not None:
            parse_cpuset(self.cpuset)
        limits = Limits(
            cpus=self.cpus if self.cpus is not None else DEFAULT_LIMITS.cpus,
            cpuset=self.cpuset if self.cpuset is not None else DEFAULT_LIMITS.cpuset,
            memory_bytes=parse_memory(self.memory),
            pids=self.pids,
            timeout_s=self.timeout,
        )
        _finite("--cpu-ms", self.cpu_ms, above=0)
        params = WorkloadParams(
            tasks=self.tasks[0],
            io_ms=self.io_ms,
            repeat=self.cpu_repeat,
            workers=self.workers,
            loop_bytes=self.loop_bytes,
            cpu_ms=self.cpu_ms,
        )
        if self.pool_size:
            params = replace(params, pool_sizes=self.pool_size)
        runtimes = parse_runtimes(self.runtime, tuple(languages))
        if runtimes and self.executor == "local":
            raise UsageError(
                "--runtime: the local executor runs the host's own runtimes; other runtimes are images (Docker)"
            )
        return RunOptions(
            params=params,
            limits=limits,
            repetitions=Repetitions(warmup=self.warmup, repeat=self.repeat),
            workloads=workloads_from(self.workload),
            languages=tuple(languages),
            approaches=self.approach or None,
            executor=self.executor,
            offline=self.offline,
            keep_containers=self.keep,
            task_counts=tuple(sorted(set(self.tasks))) if self.sweep else None,
            latency_view=self.latency,
            cores=None if self.cpus is not None else tuple(sorted(set(self.cores))),
            axis_cpuset=self.cpuset,
            runtimes=runtimes,
        )


MAX_TIMEOUT_S = 30 * 24 * 3600.0  # a month: beyond it, a limit is a typo (and `inf` overflows the engine)
MAX_PIDS = 4_194_304  # PID_MAX_LIMIT on 64-bit Linux


def _finite(
    name: str, value: float, *, above: float | None = None, at_least: float | None = None, at_most: float | None = None
) -> None:
    ok = math.isfinite(value)
    ok = ok and (above is None or value > above) and (at_least is None or value >= at_least)
    ok = ok and (at_most is None or value <= at_most)
    if not ok:
        bounds = " and ".join(
            f"{op} {bound:g}" for op, bound in ((">", above), (">=", at_least), ("<=", at_most)) if bound is not None
        )
        raise UsageError(f"--{name.lstrip('-')}: expected a finite number {bounds}, got {value:g}")


def parse_runtimes(texts: tuple[str, ...], languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """--runtime python=3.13t ... -> (("python", "3.13t"), ...), each a runtime the contract can build."""
    registry = contract()
    pairs: list[tuple[str, str]] = []
    for text in texts:
        language, sep, version = text.partition("=")
        language, version = language.strip(), version.strip()
        if not sep or not language or not version:
            raise UsageError(f"--runtime: expected LANG=VERSION such as python=3.13, got {text!r}")
        runner = registry.runner(language)  # an unknown language is a usage error naming it
        runner.runtime(version)  # so is a runtime it cannot build
        if language not in languages:
            raise UsageError(f"--runtime: {text} names {language}, which this invocation does not run")
        if (language, version) not in pairs:
            pairs.append((language, version))
    return tuple(pairs)


def options_json(options: RunOptions) -> dict[str, Any]:
    """RunOptions as run.json records them: plain JSON values (run_options_from_json reads them back)."""
    plain: dict[str, Any] = json.loads(json.dumps(asdict(options)))
    return plain


def run_options_from_json(data: dict[str, Any], *, source: str) -> RunOptions:
    """The RunOptions a run.json recorded (dataclasses.asdict of them), for --resume."""
    try:
        params = data["params"]
        return RunOptions(
            params=WorkloadParams(
                **{
                    **params,
                    "pool_sizes": tuple(params["pool_sizes"]),
                    "mixed_loop_bytes": tuple(tuple(pair) for pair in params.get("mixed_loop_bytes", ())),
                }
            ),
            limits=Limits(**data["limits"]),
            repetitions=Repetitions(**data["repetitions"]),
            workloads=tuple(data["workloads"]),
            languages=tuple(data["languages"]),
            approaches=tuple(data["approaches"]) if data.get("approaches") is not None else None,
            executor=data["executor"],
            offline=data.get("offline"),
            keep_containers=bool(data.get("keep_containers", False)),
            task_counts=tuple(data["task_counts"]) if data.get("task_counts") is not None else None,
            latency_view=str(data.get("latency_view", "service")),
            cores=tuple(data["cores"]) if data.get("cores") is not None else None,
            axis_cpuset=data.get("axis_cpuset"),
            blocking_counts=tuple(data.get("blocking_counts") or ()),
            host=data.get("host"),
            runtimes=tuple((str(lang), str(r)) for lang, r in data.get("runtimes") or ()),
        )
    except (KeyError, TypeError) as exc:
        raise UsageError(f"--resume: {source} does not record the options of a run ({exc})") from None


def workloads_from(option: str) -> tuple[str, ...]:
    """`--workload`: one of the contract's workloads, or all of them."""
    registry = contract()
    if option == "all":
        return registry.workload_names
    if option in registry.workload_names:
        return (option,)
    raise UsageError(f"--workload: expected {', '.join(registry.workload_names)} or all, got {option!r}")


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": MIB, "g": GIB, "t": 1024 * GIB}


def parse_memory(text: str) -> int:
    """'512m', '4g', '1.5GiB', '67108864' -> bytes (binary units, as docker does)."""
    match = _SIZE_RE.match(text)
    if not match:
        raise UsageError(f"--memory: expected a size such as 512m or 4g, got {text!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    value = int(number * _UNITS[unit])
    if value < 6 * MIB:
        raise UsageError(f"--memory: {text!r} is below Docker's minimum of 6 MiB")
    return value


def parse_cpuset(text: str) -> list[int]:
    """'0', '0-1', '0,2-3' -> sorted CPU numbers."""
    cpus: set[int] = set()
    try:
        for part in text.split(","):
            lo, _, hi = part.strip().partition("-")
            start, end = int(lo), int(hi) if hi else int(lo)
            if start < 0 or end < start:
                raise ValueError(part)
            cpus.update(range(start, end + 1))
    except ValueError:
        raise UsageError(f"--cpuset: expected a list such as 0 or 0-1 or 0,2, got {text!r}") from None
    if not cpus:
        raise UsageError(f"--cpuset: expected at least one CPU, got {text!r}")
    return sorted(cpus)


def parse_task_counts(text: str, option: str = "--tasks") -> list[int]:
    """'1000,10000,1e5' -> [1000, 10000, 100000] for sweeps (and '1,2,4' for --cores)."""
    counts: list[int] = []
    for part in text.split(","):
        try:
            value = float(part.strip())
        except ValueError:
            raise UsageError(f"{option}: expected comma-separated counts, got {part.strip()!r}") from None
        if not math.isfinite(value) or value < 1 or value != int(value):
            raise UsageError(f"{option}: every count must be a whole number >= 1, got {part.strip()!r}")
        counts.append(int(value))
    return counts
