"""The seed article's analysis and decision guide, set beside this invocation's measurements.

Pure. The main tables check the article's two tables; this module checks what it says around them:
- its per-task memory figures ("a thread has a 1-8 MB stack") and their projections to 10,000 and
  100,000 tasks, against the memory measured per task and at those counts;
- "threading OK (if few threads)": the blocking scenario, the largest N at which Python's threads
  still match asyncio within BLOCKING_MARGIN;
- its four-row decision guide, each cell beside the pick the decision guide made from the data.

Structured only: report/text.py words every check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from concbench_poly.analysis.aggregate import CaseSummary, Summary, Sweep, sweep_family
from concbench_poly.analysis.claims import AnalysisClaim, GuideRow, Verdict
from concbench_poly.analysis.decision import Decision, DecisionGuide, Option
from concbench_poly.analysis.figures import MEMORY_FIGURE, latency_figure
from concbench_poly.analysis.statistics import Stat
from concbench_poly.cases import BLOCKING_APPROACHES, BLOCKING_LANGUAGE
from concbench_poly.config import BLOCKING_COUNTS, MIB

KIB = 1024

# "Within 10% of asyncio": threads are as good as asyncio at N while neither their total time nor their
# p99 is more than this fraction above asyncio's.
BLOCKING_MARGIN = 0.10

# Memory per task means "per concurrent task" only where about every task was alive at once; a point
# whose peak of running tasks stayed below this share of N spread them over time.
ALL_ALIVE = 0.9


# --- the blocking scenario --------------------------------------------------------------------


@dataclass(frozen=True)
class BlockingPoint:
    """Python's threads, asyncio and a thread pool at one task count of the I/O workload."""

    tasks: int
    threading: CaseSummary
    asyncio: CaseSummary
    threadpool: CaseSummary | None
    total_ratio: float  # threading's median total / asyncio's
    p99_ratio: float  # the same for the p99 of the report's latency view

    @property
    def within(self) -> bool:
        return self.total_ratio <= 1 + BLOCKING_MARGIN and self.p99_ratio <= 1 + BLOCKING_MARGIN


@dataclass(frozen=True)
class BlockingScenario:
    points: tuple[BlockingPoint, ...]  # ascending N; only counts where threads and asyncio both completed
    p99_figure: str

    @property
    def threshold(self) -> int | None:
        """The largest N up to which threads stayed within the margin at every measured count."""
        largest = None
        for point in self.points:
            if not point.within:
                break
            largest = point.tasks
        return largest

    @property
    def first_beyond(self) -> BlockingPoint | None:
        """The smallest count at which threads fell behind."""
        return next((p for p in self.points if not p.within), None)


def blocking_scenario(summary: Summary) -> BlockingScenario | None:
    """None unless the run measured Python's threads and asyncio at two or more common task counts, one of
    them few (no more than the largest of BLOCKING_COUNTS): a thousand threads say nothing about a few."""
    p99 = latency_figure(summary.latency_view, "p99")
    by_approach: dict[str, dict[int, CaseSummary]] = {}
    for case_summary in summary.of_workload("io"):
        case = case_summary.case
        if case.language != BLOCKING_LANGUAGE or case.approach not in BLOCKING_APPROACHES:
            continue
        if case.cores is not None or not case_summary.completed:
            continue
        counts = by_approach.setdefault(case.approach, {})
        # A thread pool at its smallest size: the one the scenario plans (cases.blocking_cases).
        held = counts.get(case.tasks)
        if held is None or (case.pool_size or 0) < (held.case.pool_size or 0):
            counts[case.tasks] = case_summary
    threading, asyncio = by_approach.get("threading", {}), by_approach.get("asyncio", {})
    points = []
    for tasks in sorted(set(threading) & set(asyncio)):
        ours, theirs = threading[tasks], asyncio[tasks]
        total = _ratio(ours.stat("total_ms"), theirs.stat("total_ms"))
        tail = _ratio(ours.stat(p99), theirs.stat(p99))
        if total is None or tail is None:
            continue
        pool = by_approach.get("threadpool", {}).get(tasks)
        points.append(BlockingPoint(tasks, ours, theirs, pool, total, tail))
    few = any(p.tasks <= max(BLOCKING_COUNTS) for p in points)
    return BlockingScenario(tuple(points), p99) if len(points) >= 2 and few else None


def _ratio(ours: Stat | None, theirs: Stat | None) -> float | None:
    if ours is None or theirs is None or theirs.median <= 0:
        return None
    return ours.median / theirs.median


# --- the analysis' memory claims --------------------------------------------------------------


@dataclass(frozen=True)
class PerTaskCheck:
    """'Each thread has a 1-8 MB stack' against the memory each task really took, resident and virtual."""

    claim: AnalysisClaim
    label: str | None  # the approach measured ("Python threading, I/O 10 ms"); None: not measured
    tasks: int | None  # the N the per-task figure comes from
    resident_bytes: float | None  # the cgroup peak's growth over the window / N (median)
    virtual_bytes: float | None  # VmPeak's growth per added task between the two largest counts
    all_alive: bool  # every task was alive at once at that N

    @property
    def resident_verdict(self) -> Verdict | None:
        return self.claim.claim.verdict(None if self.resident_bytes is None else self.resident_bytes / KIB)

    @property
    def virtual_verdict(self) -> Verdict | None:
        return self.claim.claim.verdict(None if self.virtual_bytes is None else self.virtual_bytes / KIB)

    @property
    def stories_differ(self) -> bool:
        """Resident and virtual memory give different verdicts: the claim counts reserved, not used, memory."""
        return (
            None not in (self.resident_verdict, self.virtual_verdict) and self.resident_verdict != self.virtual_verdict
        )


Basis = Literal["measured", "broke", "projected", "none"]


@dataclass(frozen=True)
class ProjectionCheck:
    """'10,000 threads = 10 GB' against the memory at 10,000 tasks: measured, or where the approach broke."""

    claim: AnalysisClaim
    tasks: int
    measured: Stat | None  # the cgroup peak at exactly claim.tasks, every run finished
    broke: Sweep | None  # the approach's sweep failed at or below claim.tasks
    projected_resident_bytes: float | None  # from the per-task figures: memory at n + (N - n) x per task
    projected_virtual_bytes: float | None

    @property
    def basis(self) -> Basis:
        if self.measured is not None:
            return "measured"
        if self.broke is not None:
            return "broke"
        return "projected" if self.projected_resident_bytes is not None else "none"

    @property
    def verdict(self) -> Verdict | None:
        """Against the measured figure, or the projection where nothing was measured; none past a break."""
        if self.measured is not None:
            return self.claim.claim.verdict(self.measured.median / MIB)
        if self.broke is not None or self.projected_resident_bytes is None:
            return None
        return self.claim.claim.verdict(self.projected_resident_bytes / MIB)

    @property
    def virtual_verdict(self) -> Verdict | None:
        if self.projected_virtual_bytes is None:
            return None
        return self.claim.claim.verdict(self.projected_virtual_bytes / MIB)


def _matching(summary: Summary, claim: AnalysisClaim) -> list[CaseSummary]:
    return [c for c in summary.cases if claim.match.matches(c.case) and c.case.cores is None and c.all_ok]


def _all_alive(case_summary: CaseSummary) -> bool:
    running = case_summary.stat("peak_running")
    return running is not None and running.median >= ALL_ALIVE * case_summary.case.tasks


def _per_task_point(cases: Sequence[CaseSummary]) -> CaseSummary | None:
    """The largest N with every task alive at once (else the largest N) that has a per-task figure."""
    usable = [c for c in cases if c.stat("memory_per_task_bytes") is not None]
    if not usable:
        return None
    return max(usable, key=lambda c: (_all_alive(c), c.case.tasks))


def _virtual_slope(point: CaseSummary, cases: Sequence[CaseSummary]) -> float | None:
    """VmPeak per added task, between `point` and the next smaller N of its family."""
    family = [c for c in cases if sweep_family(c.case) == sweep_family(point.case) and c.case.tasks < point.case.tasks]
    top = point.stat("vm_peak_bytes")
    if not family or top is None:
        return None
    below = max(family, key=lambda c: c.case.tasks)
    bottom = below.stat("vm_peak_bytes")
    if bottom is None:
        return None
    return (top.median - bottom.median) / (point.case.tasks - below.case.tasks)


def per_task_check(summary: Summary, claim: AnalysisClaim) -> PerTaskCheck:
    cases = _matching(summary, claim)
    point = _per_task_point(cases)
    if point is None:
        return PerTaskCheck(claim, None, None, None, None, False)
    resident = point.stat("memory_per_task_bytes")
    return PerTaskCheck(
        claim=claim,
        label=point.case.family_label,
        tasks=point.case.tasks,
        resident_bytes=resident.median if resident is not None else None,
        virtual_bytes=_virtual_slope(point, cases),
        all_alive=_all_alive(point),
    )


def projection_check(summary: Summary, claim: AnalysisClaim, per_task: PerTaskCheck | None) -> ProjectionCheck:
    assert claim.tasks is not None
    tasks = claim.tasks
    cases = _matching(summary, claim)
    at_n = next((c for c in cases if c.case.tasks == tasks), None)
    broke = _broke_before(summary, claim, tasks)
    resident = virtual = None
    point = _per_task_point(cases)
    if per_task is not None and point is not None:
        memory, vm_peak = point.stat(MEMORY_FIGURE), point.stat("vm_peak_bytes")
        more = tasks - point.case.tasks
        if memory is not None and per_task.resident_bytes is not None:
            resident = memory.median + more * per_task.resident_bytes
        if vm_peak is not None and per_task.virtual_bytes is not None:
            virtual = vm_peak.median + more * per_task.virtual_bytes
    return ProjectionCheck(
        claim=claim,
        tasks=tasks,
        measured=at_n.stat(MEMORY_FIGURE) if at_n is not None else None,
        broke=broke if at_n is None else None,
        projected_resident_bytes=resident,
        projected_virtual_bytes=virtual,
    )


def _broke_before(summary: Summary, claim: AnalysisClaim, tasks: int) -> Sweep | None:
    """The claim's approach's sweep that failed at or below `tasks` without ever completing it."""
    for sweep in summary.sweeps:
        if sweep.broke_at is None or sweep.broke_at > tasks or (sweep.largest_completed or 0) >= tasks:
            continue
        first = summary.case(sweep.points[0].case_key)
        if first is not None and claim.match.matches(first.case):
            return sweep
    return None


# --- the decision guide, the article's beside the measured ----------------------------------------


@dataclass(frozen=True)
class GuideCell:
    """One language in one row of the article's guide: its pick beside the one measured."""

    row: GuideRow
    language: str
    article: str | None  # the article's approach; None where it names none for this language
    decision: Decision | None  # the measured decision the row rests on
    blocking: BlockingScenario | None  # the Simple, blocking row of the scenario's language

    @property
    def measured_pick(self) -> Option | None:
        return self.decision.pick if self.decision is not None else None

    @property
    def article_option(self) -> Option | None:
        """The article's pick as measured, to set its figures beside the measured pick's."""
        if self.decision is None:
            return None
        options = (self.decision.pick, *self.decision.alternatives)
        return next((o for o in options if o is not None and o.approach == self.article), None)

    @property
    def agrees(self) -> bool | None:
        """None: nothing measured to agree or differ with."""
        if self.blocking is not None:
            return self.blocking.threshold is not None
        pick = self.measured_pick
        if pick is None or self.article is None:
            return None
        return pick.approach == self.article


def _row_decision(guide: DecisionGuide, workload: str, language: str) -> Decision | None:
    """The row's decision for a language: on the most cores measured, where the workload has an axis."""
    mine = [d for d in guide.decisions if d.workload == workload and d.scope == language]
    return max(mine, key=lambda d: d.cores or 0) if mine else None


def guide_cells(summary: Summary, guide: DecisionGuide, blocking: BlockingScenario | None) -> tuple[GuideCell, ...]:
    """Every cell of every row of the article's guide, in its order; blocking code outside Python is the
    language's own I/O model, so those cells rest on its I/O decision."""
    cells = []
    for row in summary.claims.guide:
        for language, approach in row.picks:
            if row.workload == "blocking":
                if language == BLOCKING_LANGUAGE:
                    cells.append(GuideCell(row, language, approach, None, blocking))
                    continue
                decision = _row_decision(guide, "io", language)
            else:
                decision = _row_decision(guide, row.workload, language)
            cells.append(GuideCell(row, language, approach, decision, None))
    return tuple(cells)


@dataclass(frozen=True)
class ArticleCheck:
    per_task: tuple[PerTaskCheck, ...]
    projections: tuple[ProjectionCheck, ...]
    blocking: BlockingScenario | None
    guide: tuple[GuideCell, ...]


def check_article(summary: Summary, guide: DecisionGuide) -> ArticleCheck:
    per_task = tuple(per_task_check(summary, c) for c in summary.claims.analysis if c.per_task)
    projections = tuple(
        projection_check(summary, c, next((p for p in per_task if p.claim.match == c.match), None))
        for c in summary.claims.analysis
        if not c.per_task
    )
    blocking = blocking_scenario(summary)
    return ArticleCheck(per_task, projections, blocking, guide_cells(summary, guide, blocking))
