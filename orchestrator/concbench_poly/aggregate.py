"""From raw runs to a Summary: per case and figure a Stat over repetitions, checked against claims.

Pure: no files, no clock. Everything a report shows is decided here once (which runs count, which
latency view, which memory figure, what a sweep broke on), so every exporter tells the same story.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from concbench_poly.claims import MEMORY_UNIT_BYTES, Claim, ClaimRow, Claims, Column, Verdict
from concbench_poly.config import MIB
from concbench_poly.registry import RUNNERS, Case
from concbench_poly.results import Measurement, RunResult
from concbench_poly.statistics import Stat, describe, pointwise_median

LatencyView = Literal["service", "end_to_end"]
LATENCY_VIEWS: tuple[LatencyView, ...] = ("service", "end_to_end")
LATENCY_VIEW_TEXT: dict[LatencyView, str] = {
    "service": "service latency (task start to finish, what the article's code times)",
    "end_to_end": "end-to-end latency (submission to finish, queueing included)",
}

FigureKind = Literal["time", "rate", "memory", "cpu", "count"]


@dataclass(frozen=True)
class Figure:
    """A number every successful run reports, and how to read it."""

    name: str
    label: str
    unit: str
    kind: FigureKind
    higher_is_better: bool
    extract: Callable[[Measurement], float | None] = field(compare=False, repr=False)


def _figures(*figures: Figure) -> dict[str, Figure]:
    return {f.name: f for f in figures}


FIGURES: dict[str, Figure] = _figures(
    Figure("total_ms", "total time", "ms", "time", False, lambda m: m.total_ms),
    Figure("throughput_per_s", "throughput", "tasks/s", "rate", True, lambda m: m.throughput_per_s),
    Figure("service_p50_ms", "service p50", "ms", "time", False, lambda m: m.service.p50),
    Figure("service_p99_ms", "service p99", "ms", "time", False, lambda m: m.service.p99),
    Figure("end_to_end_p50_ms", "end-to-end p50", "ms", "time", False, lambda m: m.end_to_end.p50),
    Figure("end_to_end_p99_ms", "end-to-end p99", "ms", "time", False, lambda m: m.end_to_end.p99),
    Figure("peak_rss_bytes", "peak RSS", "bytes", "memory", False, lambda m: m.peak_rss_bytes),
    Figure("per_task_bytes", "per task", "bytes", "memory", False, lambda m: m.per_task_bytes),
    Figure("cgroup_peak_bytes", "cgroup peak", "bytes", "memory", False, lambda m: m.cgroup_peak_bytes),
    Figure("vm_peak_bytes", "VmPeak", "bytes", "memory", False, lambda m: m.vm_peak_bytes),
    Figure("cpu_s", "CPU time (user+system)", "s", "cpu", False, lambda m: m.cpu_s),
    Figure("user_s", "user CPU", "s", "cpu", False, lambda m: m.user_s),
    Figure("system_s", "system CPU", "s", "cpu", False, lambda m: m.system_s),
    Figure(
        "voluntary_ctx_switches",
        "voluntary context switches",
        "count",
        "count",
        False,
        lambda m: m.voluntary_ctx_switches,
    ),
    Figure(
        "involuntary_ctx_switches",
        "involuntary context switches",
        "count",
        "count",
        False,
        lambda m: m.involuntary_ctx_switches,
    ),
    Figure("peak_threads", "peak OS threads", "count", "count", False, lambda m: m.peak_threads),
    Figure("peak_running", "peak tasks running at once", "count", "count", True, lambda m: m.peak_running),
    Figure("peak_in_flight", "peak tasks in flight at once", "count", "count", True, lambda m: m.peak_in_flight),
    Figure("submit_ms", "time to submit every task", "ms", "time", False, lambda m: m.submit_ms),
)

# The memory figure the main tables show and the article's "Memory" column is checked against:
# what the OS charged the process, the figure that decides whether N tasks fit in a container.
MEMORY_FIGURE = "peak_rss_bytes"

# Runtime memory keys worth showing, per language (MemStats / process.memoryUsage(), in bytes).
# Languages not listed show every numeric key their runner reports, unit-less.
RUNTIME_VIEW: dict[str, tuple[str, ...]] = {
    "go": ("StackInuse", "HeapAlloc", "Sys"),
    "node": ("heapUsed", "heapTotal", "external"),
}
RUNTIME_BYTES_LANGUAGES = frozenset(RUNTIME_VIEW)


def latency_figure(view: LatencyView, percentile: Literal["p50", "p99"]) -> str:
    return f"{view}_{percentile}_ms"


@dataclass(frozen=True)
class Failure:
    """A run that did not finish, with the runner's (or the orchestrator's) reason."""

    language: str
    repetition: int
    kind: str
    message: str

    @property
    def runner(self) -> str:
        return f"{self.language} runner"


@dataclass(frozen=True)
class ClaimCheck:
    """One article column for one case: the measured median against the claim."""

    column: Column
    figure: str
    claim: Claim
    measured: float  # median, in claim.unit
    verdict: Verdict
    caveats: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseSummary:
    case: Case
    runs: int  # measured (non-warm-up) runs
    ok_runs: int
    stats: dict[str, Stat]
    runtime_stats: dict[str, Stat]
    failures: tuple[Failure, ...]
    claim_row: ClaimRow | None
    checks: tuple[ClaimCheck, ...]
    cdf: dict[str, tuple[float, ...]]  # latency view -> typical p0..p100 over runs
    parallelism: tuple[int, ...]  # distinct effective parallelism the runs saw
    runtimes: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.case.key

    @property
    def label(self) -> str:
        return self.case.label

    @property
    def completed(self) -> bool:
        return self.ok_runs > 0

    @property
    def all_ok(self) -> bool:
        return self.runs > 0 and self.ok_runs == self.runs

    def stat(self, figure: str) -> Stat | None:
        return self.stats.get(figure)

    def check(self, column: Column) -> ClaimCheck | None:
        return next((c for c in self.checks if c.column == column), None)

    def main_failure(self) -> Failure | None:
        return main_failure(self.failures)


@dataclass(frozen=True)
class SweepPoint:
    """One task count of a sweep."""

    tasks: int
    case_key: str
    runs: int
    ok_runs: int
    peak_rss: Stat | None
    cgroup_peak: Stat | None
    vm_peak: Stat | None
    per_task: Stat | None  # (peak - baseline) / N, per run
    marginal_bytes_per_task: float | None  # slope of median peak RSS from the previous completed point
    total: Stat | None
    floor_ms: float | None  # io only: the least total time possible, D * ceil(N / pool)
    end_to_end_p99: Stat | None
    cpu: Stat | None
    peak_running: Stat | None  # how many of the N tasks really overlapped
    failure: Failure | None
    public: Claim | None  # public peak-memory figure at this N, in MiB
    public_verdict: Verdict | None

    @property
    def completed(self) -> bool:
        return self.runs > 0 and self.ok_runs == self.runs


@dataclass(frozen=True)
class Sweep:
    """Cases that differ only by their task count."""

    label: str
    language: str
    approach: str
    workload: str
    points: tuple[SweepPoint, ...]
    largest_completed: int | None  # largest N whose every run finished
    broke_at: int | None  # smallest N with a failed run
    break_reason: Failure | None


@dataclass(frozen=True)
class Environment:
    """Where and how the runs ran, from their execution blocks (distinct values, sorted)."""

    executors: tuple[str, ...] = ()
    run_ids: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()
    memory_limits_bytes: tuple[int, ...] = ()
    runtimes: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    runner_view: tuple[str, ...] = ()
    images: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    cases: tuple[CaseSummary, ...]
    latency_view: LatencyView
    claims: Claims
    sweeps: tuple[Sweep, ...]
    environment: Environment
    warmups_ignored: int
    memory_figure: str = MEMORY_FIGURE

    def case(self, key: str) -> CaseSummary | None:
        return next((c for c in self.cases if c.key == key), None)

    def of_workload(self, workload: str) -> tuple[CaseSummary, ...]:
        return tuple(c for c in self.cases if c.case.workload == workload)

    @property
    def repetitions(self) -> tuple[int, int]:
        """Fewest and most measured runs of any case."""
        runs = [c.runs for c in self.cases]
        return (min(runs), max(runs)) if runs else (0, 0)

    def table_rows(self, workload: str) -> tuple[tuple[ClaimRow | None, CaseSummary | None], ...]:
        """The main table of a workload: the article's rows in its order (measured or not), then
        measured cases the article has no row for, except sweep points (the sweep table has them)."""
        rows: list[tuple[ClaimRow | None, CaseSummary | None]] = []
        used: set[str] = set()
        for claim_row in self.claims.rows(workload):
            match = next((c for c in self.of_workload(workload) if c.claim_row is claim_row), None)
            rows.append((claim_row, match))
            if match is not None:
                used.add(match.key)
        in_sweeps = {p.case_key for s in self.sweeps for p in s.points}
        rows += [(None, c) for c in self.of_workload(workload) if c.key not in used | in_sweeps]
        return tuple(rows)


def as_latency_view(text: str) -> LatencyView:
    """Narrow a CLI string to a view; anything else is a programming error, not user input."""
    for view in LATENCY_VIEWS:
        if text == view:
            return view
    raise ValueError(f"latency_view must be one of {', '.join(LATENCY_VIEWS)}, got {text!r}")


def summarize(
    results: Sequence[RunResult],
    claims: Claims,
    latency_view: LatencyView | str = "service",
) -> Summary:
    """Group measured runs by case and describe each figure over its repetitions (pure: no files).

    claims: claims.load_claims() for the article's, claims.NO_CLAIMS for no checks at all.
    """
    view = as_latency_view(latency_view)
    measured = [r for r in results if not r.warmup]
    by_key: dict[str, list[RunResult]] = defaultdict(list)
    for result in measured:
        by_key[result.case.key].append(result)
    used_rows: set[int] = set()
    cases: list[CaseSummary] = []
    for key in sorted(by_key, key=lambda k: case_order(by_key[k][0].case)):
        runs = sorted(by_key[key], key=lambda r: r.repetition)
        claim_row = claims.row_for(runs[0].case)
        # Two cases can fit one loose row (payload_bytes is not in the CPU rows); the first in
        # report order takes it, so each article row is checked against exactly one case.
        if claim_row is not None and id(claim_row) in used_rows:
            claim_row = None
        if claim_row is not None:
            used_rows.add(id(claim_row))
        cases.append(_case_summary(runs, claim_row, view))
    return Summary(
        cases=tuple(cases),
        latency_view=view,
        claims=claims,
        sweeps=_sweeps(cases, claims),
        environment=environment_of(measured),
        warmups_ignored=len(results) - len(measured),
    )


def case_order(case: Case) -> tuple[Any, ...]:
    """The article's order: I/O before CPU, Python, Go, Node, approaches as the runners list them."""
    languages = list(RUNNERS)
    language = languages.index(case.language) if case.language in languages else len(languages)
    approaches = RUNNERS[case.language].approaches.get(case.workload, ()) if case.language in RUNNERS else ()
    approach = approaches.index(case.approach) if case.approach in approaches else len(approaches)
    return (
        0 if case.workload == "io" else 1,
        language,
        approach,
        case.pool_size or 0,
        case.workers or 0,
        case.io_ms or 0.0,
        case.payload_bytes or 0,
        case.repeat or 0,
        case.tasks,
        case.key,
    )


def _case_summary(runs: list[RunResult], claim_row: ClaimRow | None, view: LatencyView) -> CaseSummary:
    case = runs[0].case
    ok = [r.measurement for r in runs if r.ok and r.measurement is not None]
    stats = {name: s for name, fig in FIGURES.items() if (s := _describe(fig.extract(m) for m in ok))}
    cdf: dict[str, tuple[float, ...]] = {}
    for cdf_view in LATENCY_VIEWS:
        vectors = [v for m in ok if (v := _cdf(m, cdf_view)) is not None]
        if vectors:
            cdf[cdf_view] = pointwise_median(vectors)
    parallelism = sorted({p for r in runs if isinstance(p := _parallelism(r), int)})
    case_summary = CaseSummary(
        case=case,
        runs=len(runs),
        ok_runs=len(ok),
        stats=stats,
        runtime_stats=_runtime_stats(ok),
        failures=tuple(
            Failure(case.language, r.repetition, r.error_kind or "unknown", r.error_message or "no message")
            for r in runs
            if not r.ok
        ),
        claim_row=claim_row,
        checks=(),
        cdf=cdf,
        parallelism=tuple(parallelism),
        runtimes=tuple(sorted({r.runtime for r in runs if r.runtime})),
    )
    if claim_row is None:
        return case_summary
    return replace(case_summary, checks=tuple(_checks(case_summary, claim_row, view)))


def _parallelism(result: RunResult) -> object:
    return (result.document.get("environment") or {}).get("parallelism")


def _describe(values: Iterable[float | None]) -> Stat | None:
    present = [float(v) for v in values if v is not None]
    return describe(present) if present else None


def _cdf(measurement: Measurement, view: str) -> tuple[float, ...] | None:
    return measurement.service_cdf if view == "service" else measurement.end_to_end_cdf


def _runtime_stats(ok: list[Measurement]) -> dict[str, Stat]:
    keys = sorted({k for m in ok for k, v in m.runtime_memory.items() if _is_number(v)})
    stats: dict[str, Stat] = {}
    for key in keys:
        values = [m.runtime_memory.get(key) for m in ok]
        stat = _describe(cast(float, v) for v in values if _is_number(v))
        if stat is not None:
            stats[key] = stat
    return stats


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_COLUMN_FIGURE: dict[Column, Callable[[LatencyView], str]] = {
    "total": lambda _view: "total_ms",
    "p50": lambda view: latency_figure(view, "p50"),
    "p99": lambda view: latency_figure(view, "p99"),
    "memory": lambda _view: MEMORY_FIGURE,
}


def _checks(summary: CaseSummary, row: ClaimRow, view: LatencyView) -> Iterable[ClaimCheck]:
    seen = max(summary.parallelism) if summary.parallelism else None
    for claim in row.claims:
        figure = _COLUMN_FIGURE[claim.column](view)
        stat = summary.stat(figure)
        if stat is None:
            continue
        measured = stat.median / MEMORY_UNIT_BYTES if claim.unit == "MiB" else stat.median
        # Caveat texts name no row, so a table can give rows with the same reason one footnote.
        caveats: list[str] = []
        if claim.view == "end_to_end" and view == "service":
            caveats.append(
                "the article's p99 for a bounded pool is the wait of the last batches, i.e. end-to-end "
                "latency; this column shows service latency (the end-to-end view compares like with like)"
            )
        elif claim.view == "service" and view == "end_to_end":
            caveats.append(
                "the article timed this from task start, i.e. service latency; this column shows end-to-end latency"
            )
        if row.parallelism is not None and seen is not None and seen < row.parallelism:
            caveats.append(
                f"the article assumes {row.parallelism} CPUs; these runs had {seen}, so its time cannot be "
                "reproduced here"
            )
        verdict = claim.verdict(measured)
        assert verdict is not None
        yield ClaimCheck(claim.column, figure, claim, measured, verdict, tuple(caveats))


def main_failure(failures: Sequence[Failure]) -> Failure | None:
    """The most frequent failure kind, represented by its first run (reports quote one reason)."""
    if not failures:
        return None
    kind, _ = Counter(f.kind for f in failures).most_common(1)[0]
    return next(f for f in failures if f.kind == kind)


def sweep_family(case: Case) -> tuple[Any, ...]:
    """Everything but the task count: cases sharing it form a sweep."""
    return (
        case.workload,
        case.language,
        case.approach,
        case.io_ms,
        case.payload_bytes,
        case.repeat,
        case.pool_size,
        case.workers,
    )


def _sweeps(cases: Sequence[CaseSummary], claims: Claims) -> tuple[Sweep, ...]:
    families: dict[tuple[Any, ...], list[CaseSummary]] = defaultdict(list)
    for case_summary in cases:
        families[sweep_family(case_summary.case)].append(case_summary)
    sweeps: list[Sweep] = []
    for members in families.values():
        if len({m.case.tasks for m in members}) < 2:
            continue
        members = sorted(members, key=lambda m: m.case.tasks)
        series = claims.scale_for(members[0].case)
        points: list[SweepPoint] = []
        previous: SweepPoint | None = None
        for member in members:
            point = _sweep_point(member, previous, series.at(member.case.tasks) if series else None)
            points.append(point)
            if point.peak_rss is not None:
                previous = point
        completed = [p.tasks for p in points if p.completed]
        broken = [p for p in points if p.failure is not None]
        first = members[0].case
        sweeps.append(
            Sweep(
                label=_family_label(first),
                language=first.language,
                approach=first.approach,
                workload=first.workload,
                points=tuple(points),
                largest_completed=max(completed) if completed else None,
                broke_at=broken[0].tasks if broken else None,
                break_reason=broken[0].failure if broken else None,
            )
        )
    return tuple(sweeps)


def _family_label(case: Case) -> str:
    """'Python ThreadPool(50)' without the task count, with the wait for I/O sweeps."""
    label = case.label.removesuffix(f" ({case.tasks})")
    if case.workload == "io" and case.io_ms is not None:
        return f"{label}, I/O {case.io_ms:g} ms"
    return f"{label}, CPU"


def _sweep_point(member: CaseSummary, previous: SweepPoint | None, public: Claim | None) -> SweepPoint:
    case = member.case
    peak = member.stat("peak_rss_bytes")
    marginal = None
    if peak is not None and previous is not None and previous.peak_rss is not None:
        marginal = (peak.median - previous.peak_rss.median) / (case.tasks - previous.tasks)
    floor_ms = None
    if case.workload == "io" and case.io_ms is not None:
        batches = math.ceil(case.tasks / case.pool_size) if case.pool_size else 1
        floor_ms = case.io_ms * batches
    public_verdict = public.verdict(peak.median / MEMORY_UNIT_BYTES) if public and peak else None
    return SweepPoint(
        tasks=case.tasks,
        case_key=member.key,
        runs=member.runs,
        ok_runs=member.ok_runs,
        peak_rss=peak,
        cgroup_peak=member.stat("cgroup_peak_bytes"),
        vm_peak=member.stat("vm_peak_bytes"),
        per_task=member.stat("per_task_bytes"),
        marginal_bytes_per_task=marginal,
        total=member.stat("total_ms"),
        floor_ms=floor_ms,
        end_to_end_p99=member.stat("end_to_end_p99_ms"),
        cpu=member.stat("cpu_s"),
        peak_running=member.stat("peak_running"),
        failure=member.main_failure(),
        public=public,
        public_verdict=public_verdict,
    )


def environment_of(results: Sequence[RunResult]) -> Environment:
    executors, run_ids, limits, memory_limits, runtimes, hosts, views, images = (
        set[str](),
        set[str](),
        set[str](),
        set[int](),
        set[str](),
        set[str](),
        set[str](),
        set[str](),
    )
    for result in results:
        document = result.document
        execution = document.get("execution") or {}
        if result.executor:
            executors.add(result.executor)
        if execution.get("run_id"):
            run_ids.add(str(execution["run_id"]))
        if execution.get("image"):
            images.add(str(execution["image"]))
        if isinstance(execution.get("limits"), dict):
            limits.add(_limits_text(execution["limits"]))
            if isinstance(execution["limits"].get("memory_bytes"), int):
                memory_limits.add(execution["limits"]["memory_bytes"])
        if isinstance(execution.get("host"), dict):
            hosts.add(_host_text(execution["host"]))
        if result.runtime:
            runtimes.add(f"{RUNNERS[result.case.language].display_name}: {result.runtime}")
        if isinstance(document.get("environment"), dict):
            views.add(_runner_view_text(document["environment"]))
    return Environment(
        executors=tuple(sorted(executors)),
        run_ids=tuple(sorted(run_ids)),
        limits=tuple(sorted(limits)),
        memory_limits_bytes=tuple(sorted(memory_limits)),
        runtimes=tuple(sorted(runtimes)),
        hosts=tuple(sorted(hosts)),
        runner_view=tuple(sorted(views)),
        images=tuple(sorted(images)),
    )


def _bytes_text(value: object) -> str:
    return f"{value / MIB:g} MiB" if isinstance(value, int) else "unlimited"


def _limits_text(limits: dict[str, Any]) -> str:
    parts = [
        f"cpus {limits['cpus']:g}" if isinstance(limits.get("cpus"), int | float) else "cpus unlimited",
        f"cpuset {limits.get('cpuset') or 'any'}",
        f"memory {_bytes_text(limits.get('memory_bytes'))}",
        f"pids {limits['pids']}" if limits.get("pids") is not None else "pids unlimited",
        f"timeout {limits['timeout_s']:g} s" if limits.get("timeout_s") is not None else "no timeout",
    ]
    return ", ".join(parts)


def _host_text(host: dict[str, Any]) -> str:
    parts = [
        f"kernel {host.get('kernel') or '?'}",
        f"CPU {host.get('cpu_model') or '?'}",
        f"{host['cpu_count']} logical CPUs" if host.get("cpu_count") else "CPUs ?",
        f"Docker {host['docker_version']}" if host.get("docker_version") else "no Docker",
        f"cgroup v{host['cgroup_version']}" if host.get("cgroup_version") else "cgroup ?",
    ]
    return ", ".join(parts)


def _runner_view_text(environment: dict[str, Any]) -> str:
    cgroup = environment.get("cgroup") or {}
    quota = cgroup.get("cpu_quota_cores")
    parts = [
        f"parallelism {environment.get('parallelism')}",
        f"affinity {environment.get('affinity') or '?'}",
        f"cgroup v{cgroup['version']}" if cgroup.get("version") else "no cgroup",
        f"CPU quota {quota:g}" if isinstance(quota, int | float) else "no CPU quota",
        f"cpuset {cgroup.get('cpuset') or '?'}",
        f"memory limit {_bytes_text(cgroup.get('memory_limit_bytes'))}",
    ]
    return ", ".join(parts)
