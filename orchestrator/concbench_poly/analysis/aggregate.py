"""From raw runs to a Summary: per case and figure a Stat over repetitions, checked against claims.

Pure: no files, no clock. Everything a report shows is decided here once (which runs count, which
latency view, which memory figure, what a sweep broke on), so every exporter tells the same story.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, cast

from concbench_poly.analysis.claims import (
    MEMORY_UNIT_BYTES,
    Claim,
    ClaimRow,
    Claims,
    ClaimView,
    Column,
    ScaleSeries,
    Verdict,
)
from concbench_poly.analysis.environment import Environment, environment_of
from concbench_poly.analysis.figures import (
    FIGURES,
    LATENCY_VIEWS,
    MEMORY_FIGURE,
    LatencyView,
    as_latency_view,
    latency_figure,
)
from concbench_poly.analysis.flags import Flag, case_flags
from concbench_poly.analysis.limits import LimitHit, nearest_limit
from concbench_poly.analysis.scaling import ScalingLine, scaling_lines
from concbench_poly.analysis.statistics import Stat, describe, pointwise_median
from concbench_poly.cases import Case, case_order
from concbench_poly.results.model import Measurement, MemorySource, RunResult


@dataclass(frozen=True)
class Failure:
    """A run that did not finish, with the runner's (or the orchestrator's) reason."""

    language: str
    repetition: int
    kind: str
    message: str
    limit: LimitHit | None = None  # the limit nearest to binding when the runner recorded its counts


@dataclass(frozen=True)
class ViewCaveat:
    """The claim's number belongs to another latency view than the one the table shows."""

    kind: ClassVar[str] = "latency_view"

    claim_view: ClaimView
    shown_view: LatencyView


@dataclass(frozen=True)
class ParallelismCaveat:
    """The claim assumes more CPUs than the runs had."""

    kind: ClassVar[str] = "parallelism"

    claimed: int
    seen: int


Caveat = ViewCaveat | ParallelismCaveat


@dataclass(frozen=True)
class Plausibility:
    """Whether a claimed time is physically possible at the rate one core of this machine reaches."""

    required_bytes_per_s: float  # the work of one run divided by the claimed time
    per_core_bytes_per_s: float  # the best 1-core rate measured here for the language and workload
    cores: int  # the cores the claim had

    @property
    def reachable(self) -> bool:
        return self.required_bytes_per_s <= self.cores * self.per_core_bytes_per_s


@dataclass(frozen=True)
class ClaimCheck:
    """One article column for one case: the measured median against the claim."""

    column: Column
    figure: str
    claim: Claim
    measured: float  # median, in claim.unit
    verdict: Verdict | None  # None: not comparable here (the claim assumed another number of cores)
    caveats: tuple[Caveat, ...] = ()
    plausibility: Plausibility | None = None


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
    memory_sources: tuple[MemorySource, ...] = ()  # where the headline memory came from, per run kind
    flags: tuple[Flag, ...] = ()  # BenchExec's checks that failed

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
class PublicFigure:
    """A public benchmark's peak memory at one N, beside ours."""

    label: str  # its series: "Python asyncio, CPython 3.11 (2025 report)"
    claim: Claim  # in MiB
    verdict: Verdict | None  # our cgroup peak against it
    runtime_version: str | None


@dataclass(frozen=True)
class SweepPoint:
    """One task count of a sweep."""

    tasks: int
    case_key: str
    runs: int
    ok_runs: int
    memory: Stat | None  # the headline: cgroup peak (MEMORY_FIGURE)
    peak_rss: Stat | None
    vm_peak: Stat | None
    per_task: Stat | None  # the headline's growth over the window / N, per run
    marginal_bytes_per_task: float | None  # slope of the median headline from the previous completed point
    total: Stat | None
    floor_ms: float | None  # io only: the least total time possible, D * ceil(N / pool)
    end_to_end_p99: Stat | None
    cpu: Stat | None
    peak_running: Stat | None  # how many of the N tasks really overlapped
    failure: Failure | None
    publics: tuple[PublicFigure, ...] = ()  # public peak-memory figures at this N

    @property
    def public(self) -> Claim | None:
        """The first public figure (the band across versions, where there is one)."""
        return self.publics[0].claim if self.publics else None

    @property
    def public_verdict(self) -> Verdict | None:
        return self.publics[0].verdict if self.publics else None

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
class Summary:
    cases: tuple[CaseSummary, ...]
    latency_view: LatencyView
    claims: Claims
    sweeps: tuple[Sweep, ...]
    environment: Environment
    warmups_ignored: int
    memory_figure: str = MEMORY_FIGURE
    scaling: tuple[ScalingLine, ...] = ()  # approaches measured at two or more core counts

    def case(self, key: str) -> CaseSummary | None:
        return next((c for c in self.cases if c.key == key), None)

    def of_workload(self, workload: str) -> tuple[CaseSummary, ...]:
        return tuple(c for c in self.cases if c.case.workload == workload)

    @property
    def repetitions(self) -> tuple[int, int]:
        """Fewest and most measured runs of any case."""
        runs = [c.runs for c in self.cases]
        return (min(runs), max(runs)) if runs else (0, 0)

    def core_counts(self, workload: str) -> tuple[int | None, ...]:
        """The core counts a workload's cases ran at, ascending; (None,) without a core-count axis."""
        counts = {c.case.cores for c in self.of_workload(workload)}
        return tuple(sorted(counts, key=lambda k: -1 if k is None else k)) or (None,)

    def table_rows(
        self, workload: str, cores: int | None = None
    ) -> tuple[tuple[ClaimRow | None, CaseSummary | None], ...]:
        """The main table of a workload (at one core count): the article's rows in its order (measured
        or not), then measured cases the article has no row for, except sweep points (the sweep table
        has them)."""
        rows: list[tuple[ClaimRow | None, CaseSummary | None]] = []
        used: set[str] = set()
        mine = [c for c in self.of_workload(workload) if c.case.cores == cores]
        for claim_row in self.claims.rows(workload):
            match = next((c for c in mine if c.claim_row is claim_row), None)
            rows.append((claim_row, match))
            if match is not None:
                used.add(match.key)
        in_sweeps = {p.case_key for s in self.sweeps for p in s.points}
        rows += [(None, c) for c in mine if c.key not in used | in_sweeps]
        return tuple(rows)


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
    used_rows: set[tuple[int, int | None]] = set()
    cases: list[CaseSummary] = []
    for key in sorted(by_key, key=lambda k: case_order(by_key[k][0].case)):
        runs = sorted(by_key[key], key=lambda r: r.repetition)
        claim_row = claims.row_for(runs[0].case)
        # Two cases can fit one loose row (payload_bytes is not in the CPU rows); the first in
        # report order takes it, so each article row is checked against exactly one case per core count.
        place = (id(claim_row), runs[0].case.cores)
        if claim_row is not None and place in used_rows:
            claim_row = None
        if claim_row is not None:
            used_rows.add(place)
        cases.append(_case_summary(runs, claim_row, view))
    rates = _single_core_rates(cases)
    cases = [_with_plausibility(c, rates) for c in cases]
    return Summary(
        cases=tuple(cases),
        latency_view=view,
        claims=claims,
        sweeps=_sweeps(cases, claims),
        environment=environment_of(measured),
        warmups_ignored=len(results) - len(measured),
        scaling=scaling_lines(cases),
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
            Failure(
                case.language,
                r.repetition,
                r.error_kind or "unknown",
                r.error_message or "no message",
                nearest_limit(r.at_failure) if r.at_failure is not None else None,
            )
            for r in runs
            if not r.ok
        ),
        claim_row=claim_row,
        checks=(),
        cdf=cdf,
        parallelism=tuple(parallelism),
        runtimes=tuple(sorted({r.runtime for r in runs if r.runtime})),
        memory_sources=tuple(sorted({m.memory_source for m in ok})),
        flags=case_flags(ok),
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


def cores_of(summary: CaseSummary) -> int | None:
    """The cores a case ran on: its place on the core-count axis, else what its runner saw."""
    if summary.case.cores is not None:
        return summary.case.cores
    return max(summary.parallelism) if summary.parallelism else None


def _checks(summary: CaseSummary, row: ClaimRow, view: LatencyView) -> Iterable[ClaimCheck]:
    seen = cores_of(summary)
    for claim in row.claims:
        figure = _COLUMN_FIGURE[claim.column](view)
        stat = summary.stat(figure)
        if stat is None:
            continue
        measured = stat.median / MEMORY_UNIT_BYTES if claim.unit == "MiB" else stat.median
        caveats: list[Caveat] = []
        if claim.view is not None and claim.view != view:
            caveats.append(ViewCaveat(claim_view=claim.view, shown_view=view))
        verdict = claim.verdict(measured)
        if row.parallelism is not None and seen is not None and seen != row.parallelism:
            # The article's CPU figures are from its 4-core machine: matched there only.
            caveats.append(ParallelismCaveat(claimed=row.parallelism, seen=seen))
            verdict = None
        yield ClaimCheck(claim.column, figure, claim, measured, verdict, tuple(caveats))


def _single_core_rates(cases: Sequence[CaseSummary]) -> dict[tuple[str, str], float]:
    """Per (workload, language): the best bytes per second any of its 1-core runs reached."""
    rates: dict[tuple[str, str], float] = {}
    for case_summary in cases:
        work, total = case_summary.case.work_bytes, case_summary.stat("total_ms")
        if work is None or total is None or total.median <= 0 or cores_of(case_summary) != 1:
            continue
        key = (case_summary.case.workload, case_summary.case.language)
        rates[key] = max(rates.get(key, 0.0), work / (total.median / 1000))
    return rates


def _with_plausibility(case_summary: CaseSummary, rates: dict[tuple[str, str], float]) -> CaseSummary:
    """A claimed time checked against what this machine's cores can do at all (cores x 1-core rate)."""
    case = case_summary.case
    rate = rates.get((case.workload, case.language))
    row = case_summary.claim_row
    if rate is None or case.work_bytes is None or row is None or row.parallelism is None:
        return case_summary
    checks = []
    for check in case_summary.checks:
        if check.column == "total":
            fastest_s = min(check.claim.stated) / 1000
            check = replace(check, plausibility=Plausibility(case.work_bytes / fastest_s, rate, row.parallelism))
        checks.append(check)
    return replace(case_summary, checks=tuple(checks))


def main_failure(failures: Sequence[Failure]) -> Failure | None:
    """The most frequent failure kind, represented by its first run (reports quote one reason)."""
    if not failures:
        return None
    kind, _ = Counter(f.kind for f in failures).most_common(1)[0]
    return next(f for f in failures if f.kind == kind)


def sweep_family(case: Case) -> Case:
    """Everything but the task count: cases sharing it form a sweep."""
    return replace(case, tasks=0)


def _sweeps(cases: Sequence[CaseSummary], claims: Claims) -> tuple[Sweep, ...]:
    families: dict[Case, list[CaseSummary]] = defaultdict(list)
    for case_summary in cases:
        families[sweep_family(case_summary.case)].append(case_summary)
    sweeps: list[Sweep] = []
    for members in families.values():
        if len({m.case.tasks for m in members}) < 2:
            continue
        members = sorted(members, key=lambda m: m.case.tasks)
        runtimes = tuple(sorted({r for m in members for r in m.runtimes}))
        series = claims.scale_for(members[0].case, runtimes)
        points: list[SweepPoint] = []
        previous: SweepPoint | None = None
        for member in members:
            point = _sweep_point(member, previous, series)
            points.append(point)
            if point.memory is not None:
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
    if case.workload == "io" and case.io_ms is not None:
        return f"{case.family_label}, I/O {case.io_ms:g} ms"
    return f"{case.family_label}, CPU"


def _sweep_point(member: CaseSummary, previous: SweepPoint | None, series: Sequence[ScaleSeries]) -> SweepPoint:
    case = member.case
    memory = member.stat(MEMORY_FIGURE)
    marginal = None
    if memory is not None and previous is not None and previous.memory is not None:
        marginal = (memory.median - previous.memory.median) / (case.tasks - previous.tasks)
    floor_ms = None
    if case.workload == "io" and case.io_ms is not None:
        batches = math.ceil(case.tasks / case.pool_size) if case.pool_size else 1
        floor_ms = case.io_ms * batches
    publics = tuple(
        PublicFigure(
            s.label,
            claim,
            claim.verdict(memory.median / MEMORY_UNIT_BYTES) if memory else None,
            s.runtime_version,
        )
        for s in series
        if (claim := s.at(case.tasks)) is not None
    )
    return SweepPoint(
        tasks=case.tasks,
        case_key=member.key,
        runs=member.runs,
        ok_runs=member.ok_runs,
        memory=memory,
        peak_rss=member.stat("peak_rss_bytes"),
        vm_peak=member.stat("vm_peak_bytes"),
        per_task=member.stat("memory_per_task_bytes"),
        marginal_bytes_per_task=marginal,
        total=member.stat("total_ms"),
        floor_ms=floor_ms,
        end_to_end_p99=member.stat("end_to_end_p99_ms"),
        cpu=member.stat("cpu_s"),
        peak_running=member.stat("peak_running"),
        failure=member.main_failure(),
        publics=publics,
    )
