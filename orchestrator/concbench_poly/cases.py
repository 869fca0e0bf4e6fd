"""Cases: one approach of one language on one workload at one size, and how an invocation plans them.

What a case may be (languages, approaches, options) comes from the runner contract; this module only
combines it with the user's choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from concbench_poly.config import WorkloadParams
from concbench_poly.contract import Contract, contract
from concbench_poly.errors import UsageError


@dataclass(frozen=True)
class Case:
    """One row of the article's tables: a language, an approach, a workload and its sizes.

    runtime, cores and host are dimensions beyond the article's; None means "not varied in this
    invocation", and leaves the key and the label exactly as they were without it.
    """

    language: str
    approach: str
    workload: str
    tasks: int
    io_ms: float | None = None
    payload_bytes: int | None = None
    repeat: int | None = None
    loop_bytes: int | None = None
    pool_size: int | None = None
    workers: int | None = None
    runtime: str | None = None  # a runtime variant of the language: "3.13t", "20"
    cores: int | None = None  # CPUs the run was given on a core-count axis
    host: str | None = None  # the engine's name in a fleet

    @property
    def key(self) -> str:
        """Stable identifier, used in file names and to group repetitions."""
        parts = [self.workload, self.language]
        if self.runtime is not None:
            parts.append(f"rt{self.runtime}")
        parts.append(self.approach)
        if self.pool_size is not None:
            parts.append(f"pool{self.pool_size}")
        if self.workers is not None:
            parts.append(f"w{self.workers}")
        parts.append(f"n{self.tasks}")
        if self.cores is not None:
            parts.append(f"c{self.cores}")
        key = "-".join(parts)
        return key if self.host is None else f"{self.host}.{key}"

    @property
    def label(self) -> str:
        """The article's wording: 'Python ThreadPool(50)', 'Go goroutines (1000)'."""
        registry = contract()
        display = registry.display_name(self.language)
        name = display if self.runtime is None else f"{display} {self.runtime}"
        name = f"{name} {registry.approach_label(self.language, self.approach)}"
        if self.pool_size is not None:
            return f"{name}({self.pool_size})"
        if self.workers is not None:
            return f"{name}({self.workers})"
        return f"{name} ({self.tasks})"

    @property
    def family_label(self) -> str:
        """The label without the task count: what a sweep varies N of."""
        return self.label.removesuffix(f" ({self.tasks})")

    @property
    def work_bytes(self) -> int | None:
        """Bytes one run of a CPU workload processes (every task's input); None for waiting work."""
        if self.workload == "cpu" and self.payload_bytes and self.repeat:
            return self.tasks * self.payload_bytes * self.repeat
        if self.workload == "cpu-loop" and self.loop_bytes:
            return self.tasks * self.loop_bytes
        return None

    def option_values(self) -> dict[str, float | None]:
        """The contract's option names with this case's values (None where the case has none)."""
        return {
            "tasks": self.tasks,
            "io_ms": self.io_ms,
            "payload_bytes": self.payload_bytes,
            "repeat": self.repeat,
            "loop_bytes": self.loop_bytes,
            "pool_size": self.pool_size,
            "workers": self.workers,
        }


def cases_for(
    language: str,
    workload: str,
    params: WorkloadParams,
    approaches: tuple[str, ...] | None = None,
    *,
    cores: tuple[int, ...] = (),
    runtime: str | None = None,
    registry: Contract | None = None,
) -> list[Case]:
    """Expand one language x workload into cases; a pool-sized approach once per size.

    cores: the core-count axis; a workload with core_axis then runs every case at each count, and a
    worker pool also with as many workers as cores (beside the article's size, kept for its rows).
    runtime: a runtime the user chose (--runtime); its image decides which approaches it has.
    """
    registry = registry or contract()
    runner = registry.runner(language)
    if runtime is not None:
        runner.runtime(runtime)  # an unknown runtime is a usage error naming it
    available = runner.approaches_for(workload, runtime)
    chosen = available if approaches is None else tuple(a for a in available if a in approaches)
    values = params.values()
    if workload == "mixed":
        # The CPU part of a mixed task is cpu_ms of one core's work, in this runtime's bytes.
        values["loop_bytes"] = dict(params.mixed_loop_bytes).get(calibration_key(language, runtime), params.loop_bytes)
    workload_options = {name: values[name] for name in registry.workload(workload).options}
    counts: Sequence[int | None] = cores if cores and registry.workload(workload).core_axis else (None,)
    cases: list[Case] = []
    for k in counts:
        for name in chosen:
            sized_by = runner.approach(name).sized_by
            sizes: Sequence[float | None] = (None,)
            if sized_by == "pool_size":
                sizes = params.pool_sizes
            elif sized_by is not None:
                sizes = tuple(dict.fromkeys((values[sized_by], *((k,) if k is not None else ()))))
            for size in sizes:
                sizing = {sized_by: size} if sized_by is not None else {}
                cases.append(
                    Case(language, name, workload, params.tasks, **workload_options, **sizing, cores=k, runtime=runtime)  # type: ignore[arg-type]
                )
    return cases


def calibration_key(language: str, runtime: str | None) -> str:
    """Whose 1-core rate a mixed case's bytes come from: 'python', or 'python=3.13t' for a chosen runtime."""
    return language if runtime is None else f"{language}={runtime}"


# (language, runtime) pairs as --runtime gives them; a language not named runs its default runtime.
Runtimes = tuple[tuple[str, str], ...]


def runtimes_of(language: str, runtimes: Runtimes) -> tuple[str | None, ...]:
    chosen = tuple(dict.fromkeys(r for lang, r in runtimes if lang == language))
    return chosen or (None,)


def plan_cases(
    languages: tuple[str, ...],
    workloads: tuple[str, ...],
    params: WorkloadParams,
    approaches: tuple[str, ...] | None = None,
    cores: tuple[int, ...] = (),
    runtimes: Runtimes = (),
) -> list[Case]:
    """Every case of an invocation, validated; unknown approaches are a usage error."""
    registry = contract()
    runners = [registry.runner(language) for language in languages]
    if approaches is not None:
        known = {a for runner in runners for a in runner.approach_names}
        unknown = sorted(set(approaches) - known)
        if unknown:
            raise UsageError(
                f"--approach: {', '.join(unknown)} is not an approach of {', '.join(languages)} "
                f"(known: {', '.join(sorted(known))})"
            )
    cases = [
        case
        for lang in languages
        for runtime in runtimes_of(lang, runtimes)
        for w in workloads
        for case in cases_for(lang, w, params, approaches, cores=cores, runtime=runtime)
    ]
    if not cases:
        raise UsageError(
            f"--approach/--workload: nothing to run for {', '.join(languages)} with workload {'/'.join(workloads)}"
        )
    return cases


# The article's "Simple, blocking (legacy libs): threading OK (if few threads)" is Python's claim: its threads,
# a thread pool and asyncio, on the I/O workload at a few tasks (RunOptions.blocking_counts).
BLOCKING_LANGUAGE = "python"
BLOCKING_APPROACHES = ("threading", "threadpool", "asyncio")


def blocking_cases(
    languages: tuple[str, ...],
    workloads: tuple[str, ...],
    params: WorkloadParams,
    counts: Sequence[int],
    approaches: tuple[str, ...] | None = None,
    runtimes: Runtimes = (),
) -> list[Case]:
    """The blocking scenario's extra I/O cases (ThreadPool at its first pool size), where the plan has them."""
    if BLOCKING_LANGUAGE not in languages or "io" not in workloads:
        return []
    chosen = tuple(a for a in BLOCKING_APPROACHES if approaches is None or a in approaches)
    first_pool = replace(params, pool_sizes=params.pool_sizes[:1])
    return [
        case
        for runtime in runtimes_of(BLOCKING_LANGUAGE, runtimes)
        for n in counts
        if n != params.tasks
        for case in cases_for(BLOCKING_LANGUAGE, "io", first_pool.with_tasks(n), chosen, runtime=runtime)
    ]


def sweep_cases(
    languages: tuple[str, ...],
    workloads: tuple[str, ...],
    params: WorkloadParams,
    counts: Sequence[int],
    approaches: tuple[str, ...] | None = None,
    cores: tuple[int, ...] = (),
    runtimes: Runtimes = (),
) -> list[Case]:
    """Each approach at every count, smallest first, so a break at N spares the larger points."""
    by_count = [
        plan_cases(languages, workloads, params.with_tasks(n), approaches, cores, runtimes) for n in sorted(set(counts))
    ]
    return [by_count[i][j] for j in range(len(by_count[0])) for i in range(len(by_count))]


def case_order(case: Case) -> tuple[object, ...]:
    """The article's order: workloads, languages and approaches as the contract lists them."""
    registry = contract()
    workloads = registry.workload_names
    languages = registry.languages
    approaches = registry.runner(case.language).approaches_for(case.workload) if case.language in languages else ()
    return (
        workloads.index(case.workload) if case.workload in workloads else len(workloads),
        case.host or "",
        languages.index(case.language) if case.language in languages else len(languages),
        case.runtime or "",
        approaches.index(case.approach) if case.approach in approaches else len(approaches),
        case.pool_size or 0,
        case.workers or 0,
        case.io_ms or 0.0,
        case.payload_bytes or 0,
        case.repeat or 0,
        case.loop_bytes or 0,
        case.tasks,
        case.cores or 0,
        case.key,
    )


def validate_languages(languages: Sequence[str]) -> tuple[str, ...]:
    registry = contract()
    for language in languages:
        registry.runner(language)
    return tuple(languages)
