"""Plain-dict registries: runners (per language) and the cases (approach x workload) each one runs."""

from __future__ import annotations

from dataclasses import dataclass

from concbench_poly.config import WorkloadKind, WorkloadParams
from concbench_poly.errors import UsageError


@dataclass(frozen=True)
class RunnerSpec:
    """One native runner: where its sources live and what it can run."""

    language: str
    display_name: str
    source_dir: str  # relative to the repository root; also the image build context
    approaches: dict[WorkloadKind, tuple[str, ...]]


RUNNERS: dict[str, RunnerSpec] = {
    "python": RunnerSpec(
        language="python",
        display_name="Python",
        source_dir="runners/python",
        approaches={"io": ("threading", "asyncio", "threadpool"), "cpu": ("threading", "asyncio", "multiprocessing")},
    ),
    "go": RunnerSpec(
        language="go",
        display_name="Go",
        source_dir="runners/go",
        approaches={"io": ("goroutines",), "cpu": ("goroutines",)},
    ),
    "node": RunnerSpec(
        language="node",
        display_name="Node.js",
        source_dir="runners/node",
        approaches={"io": ("async",), "cpu": ("worker_threads",)},
    ),
}

APPROACH_LABELS: dict[str, str] = {
    "threading": "threading",
    "asyncio": "asyncio",
    "threadpool": "ThreadPool",
    "multiprocessing": "multiprocessing",
    "goroutines": "goroutines",
    "async": "async",
    "worker_threads": "worker_threads",
}


@dataclass(frozen=True)
class Case:
    """One row of the article's tables: a language, an approach, a workload and its sizes."""

    language: str
    approach: str
    workload: WorkloadKind
    tasks: int
    io_ms: float | None = None
    payload_bytes: int | None = None
    repeat: int | None = None
    pool_size: int | None = None
    workers: int | None = None

    @property
    def key(self) -> str:
        """Stable identifier, used in file names and to group repetitions."""
        parts = [self.workload, self.language, self.approach]
        if self.pool_size is not None:
            parts.append(f"pool{self.pool_size}")
        if self.workers is not None:
            parts.append(f"w{self.workers}")
        parts.append(f"n{self.tasks}")
        return "-".join(parts)

    @property
    def label(self) -> str:
        """The article's wording: 'Python ThreadPool(50)', 'Go goroutines (1000)'."""
        name = f"{RUNNERS[self.language].display_name} {APPROACH_LABELS[self.approach]}"
        if self.pool_size is not None:
            return f"{name}({self.pool_size})"
        if self.workers is not None:
            return f"{name}({self.workers})"
        return f"{name} ({self.tasks})"

    def runner_args(self) -> list[str]:
        """The runner command line of runners/README.md."""
        args = ["--workload", self.workload, "--approach", self.approach, "--tasks", str(self.tasks)]
        if self.io_ms is not None:
            args += ["--io-ms", _number(self.io_ms)]
        if self.payload_bytes is not None:
            args += ["--payload-bytes", str(self.payload_bytes)]
        if self.repeat is not None:
            args += ["--repeat", str(self.repeat)]
        if self.pool_size is not None:
            args += ["--pool-size", str(self.pool_size)]
        if self.workers is not None:
            args += ["--workers", str(self.workers)]
        return args


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def cases_for(
    language: str,
    workload: WorkloadKind,
    params: WorkloadParams,
    approaches: tuple[str, ...] | None = None,
) -> list[Case]:
    """Expand one language x workload into cases; threadpool once per pool size."""
    runner = runner_spec(language)
    available = runner.approaches[workload]
    chosen = available if approaches is None else tuple(a for a in available if a in approaches)
    cases: list[Case] = []
    for approach in chosen:
        common: dict[str, object] = {
            "language": language,
            "approach": approach,
            "workload": workload,
            "tasks": params.tasks,
        }
        if workload == "io":
            common["io_ms"] = params.io_ms
        else:
            common["payload_bytes"] = params.payload_bytes
            common["repeat"] = params.repeat
        if approach == "threadpool":
            cases += [Case(**common, pool_size=size) for size in params.pool_sizes]  # type: ignore[arg-type]
        elif approach in ("multiprocessing", "worker_threads"):
            cases.append(Case(**common, workers=params.workers))  # type: ignore[arg-type]
        else:
            cases.append(Case(**common))  # type: ignore[arg-type]
    return cases


def plan_cases(
    languages: tuple[str, ...],
    workloads: tuple[WorkloadKind, ...],
    params: WorkloadParams,
    approaches: tuple[str, ...] | None = None,
) -> list[Case]:
    """Every case of an invocation, validated; unknown approaches are a usage error."""
    for language in languages:
        runner_spec(language)
    if approaches is not None:
        known = {a for lang in languages for kinds in RUNNERS[lang].approaches.values() for a in kinds}
        unknown = sorted(set(approaches) - known)
        if unknown:
            raise UsageError(
                f"--approach: {', '.join(unknown)} is not an approach of {', '.join(languages)} "
                f"(known: {', '.join(sorted(known))})"
            )
    cases = [c for lang in languages for w in workloads for c in cases_for(lang, w, params, approaches)]
    if not cases:
        raise UsageError(
            f"--approach/--workload: nothing to run for {', '.join(languages)} with workload {'/'.join(workloads)}"
        )
    return cases


def runner_spec(language: str) -> RunnerSpec:
    try:
        return RUNNERS[language]
    except KeyError:
        raise UsageError(f"LANG: unknown language {language!r} (known: {', '.join(RUNNERS)})") from None
