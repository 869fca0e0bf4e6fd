"""The decision guide, derived from the measurements of one Summary (never written by hand).

Rules, stated so that a reader can check a pick against the tables:
- Only approaches measured at the same task count are compared; the count with the most completed
  approaches is used (ties: the larger count, the harder test).
- I/O-bound: the approaches whose total time is within IO_TIME_SLACK of the fastest are "fast
  enough" (unbounded models all finish in D plus spawn cost, a bounded pool needs N/P x D); among
  them the smallest memory (the cgroup peak) wins, because for waiting tasks memory is what limits
  how many fit.
- CPU-bound: the shortest total (wall) time wins; CPU time is shown to tell parallelism from luck.
- Mixed I/O + CPU: among the approaches within the same 1.5x of the fastest total, the smallest
  wake-up lateness p99 of the I/O part wins: a loop stalled by CPU work wakes its waiting tasks late,
  which is what a server's other requests would feel.
- A pick whose deciding figure overlaps the runner-up's [min, max] is flagged as a close call.

Structured only: report/text.py words every decision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from concbench_poly.analysis.aggregate import CaseSummary, Failure, Summary, Sweep
from concbench_poly.analysis.figures import MEMORY_FIGURE, LatencyView, latency_figure
from concbench_poly.analysis.statistics import Stat, ranges_overlap
from concbench_poly.contract import contract

if TYPE_CHECKING:
    from concbench_poly.analysis.report_model import PlannedCase

OVERALL = "overall"

# An approach within 1.5x of the fastest I/O total still "finishes in about D"; a pool that needs
# several batches does not.
IO_TIME_SLACK = 1.5

# Why a pick won: "only" (nothing to compare it with), "io_memory" (smallest cgroup peak among the
# fast-enough), "cpu_time" (shortest total time), "mixed_wakeup" (smallest wake-up p99 among the
# fast-enough).
Rule = Literal["only", "io_memory", "cpu_time", "mixed_wakeup"]


@dataclass(frozen=True)
class Option:
    """One approach as the guide sees it, with the medians behind the pick."""

    key: str
    label: str  # full case label without the task count, "Python asyncio"
    short: str  # within one language, "asyncio"
    approach: str  # the contract's name, "asyncio-processpool"
    completed: bool
    total_ms: Stat | None
    p99_ms: Stat | None
    memory_bytes: Stat | None  # the headline memory (MEMORY_FIGURE)
    cpu_s: Stat | None
    wakeup_p99_ms: Stat | None  # how late the I/O part's timers fired
    failure: Failure | None  # the most frequent failure, where runs failed
    kind: str  # the contract's kind of approach: threads, process-pool, event-loop ...
    language: str

    @property
    def busy_cores(self) -> float | None:
        """CPU time over wall time: how many cores the approach really kept busy."""
        if self.cpu_s is None or self.total_ms is None or self.total_ms.median <= 0:
            return None
        return self.cpu_s.median / (self.total_ms.median / 1000)


@dataclass(frozen=True)
class Decision:
    workload: str
    scope: str  # a language key, or OVERALL
    tasks: int | None  # task count compared; None when nothing was measured
    pick: Option | None
    alternatives: tuple[Option, ...]
    rule: Rule | None  # None when nothing was picked
    close_call: Option | None  # an alternative not significantly different on the deciding figure
    broken: tuple[Sweep, ...]  # sweeps of this scope that broke at some N
    missing: tuple[str, ...] = ()  # planned approaches of this scope that never ran: the pick is partial
    cores: int | None = None  # the core count compared, on a core-count axis

    @property
    def measured(self) -> bool:
        return self.tasks is not None

    def name(self, option: Option) -> str:
        """Within a language the approach is enough; overall the language must be named too."""
        return option.label if self.scope == OVERALL else option.short


@dataclass(frozen=True)
class DecisionGuide:
    latency_view: LatencyView
    decisions: tuple[Decision, ...]

    def get(self, workload: str, scope: str) -> Decision | None:
        return next((d for d in self.decisions if d.workload == workload and d.scope == scope), None)


# Always in the guide, measured or not (the article's first two rows); other workloads where measured.
GUIDE_WORKLOADS = ("io", "cpu")


def decide(summary: Summary, missing: Sequence[PlannedCase] = ()) -> DecisionGuide:
    """The structured guide: per workload, one decision per language and one overall.

    missing: planned cases that never ran (an interrupted invocation); a decision whose scope lacks
    some is partial and says which.
    """
    decisions: list[Decision] = []
    planned = {p.workload for p in missing}
    for workload in contract().workload_names:
        if workload not in GUIDE_WORKLOADS and not summary.of_workload(workload) and workload not in planned:
            continue
        # Approaches are compared at the same core count only: more cores is not a better approach.
        for cores in summary.core_counts(workload):
            for scope in (*contract().languages, OVERALL):
                decisions.append(_decide(summary, workload, scope, missing, cores))
    return DecisionGuide(latency_view=summary.latency_view, decisions=tuple(decisions))


def _decide(summary: Summary, workload: str, scope: str, missing: Sequence[PlannedCase], cores: int | None) -> Decision:
    absent = tuple(p.label for p in missing if p.workload == workload and scope in (OVERALL, p.language))
    return replace(_decide_measured(summary, workload, scope, cores), missing=absent, cores=cores)


def _decide_measured(summary: Summary, workload: str, scope: str, cores: int | None) -> Decision:
    pool = [c for c in summary.of_workload(workload) if scope in (OVERALL, c.case.language) and c.case.cores == cores]
    broken = tuple(
        s
        for s in summary.sweeps
        if s.workload == workload and scope in (OVERALL, s.language) and s.broke_at and s.break_reason
    )
    if not pool:
        return Decision(workload, scope, None, None, (), None, None, broken)
    tasks = _compared_task_count(pool, summary.of_workload(workload))
    options = [_option(c, summary.latency_view) for c in pool if c.case.tasks == tasks]
    done = [o for o in options if o.completed]
    if not done:
        return Decision(workload, scope, tasks, None, tuple(options), None, None, broken)
    pick, rule, decider = PICKS.get(workload, _pick_cpu)(done)
    alternatives = tuple(o for o in options if o is not pick)
    return Decision(
        workload=workload,
        scope=scope,
        tasks=tasks,
        pick=pick,
        alternatives=alternatives,
        rule=rule,
        close_call=_close_call(pick, alternatives, decider),
        broken=broken,
    )


def _compared_task_count(pool: Sequence[CaseSummary], workload_cases: Sequence[CaseSummary]) -> int:
    """Most completed approaches in scope; ties go to the count most approaches of any language ran
    (so languages are compared at the same N), then to the larger count."""
    completed: dict[int, int] = defaultdict(int)
    for case_summary in pool:
        completed[case_summary.case.tasks] += int(case_summary.completed)
    everywhere: dict[int, int] = defaultdict(int)
    for case_summary in workload_cases:
        everywhere[case_summary.case.tasks] += int(case_summary.completed)
    return max(completed, key=lambda n: (completed[n], everywhere[n], n))


def _option(case_summary: CaseSummary, view: LatencyView) -> Option:
    failure = case_summary.main_failure()
    case = case_summary.case
    # The task count is stated once per decision, so it is dropped from the names.
    label = case.family_label
    return Option(
        key=case_summary.key,
        label=label,
        short=label.removeprefix(f"{contract().display_name(case.language)} "),
        approach=case.approach,
        completed=case_summary.completed,
        total_ms=case_summary.stat("total_ms"),
        p99_ms=case_summary.stat(latency_figure(view, "p99")),
        memory_bytes=case_summary.stat(MEMORY_FIGURE),
        cpu_s=case_summary.stat("cpu_s"),
        wakeup_p99_ms=case_summary.stat("wakeup_p99_ms"),
        failure=failure,
        kind=contract().approach_kind(case.language, case.approach),
        language=case.language,
    )


def _median(stat: Stat | None) -> float:
    return stat.median if stat is not None else float("inf")


def _fast_enough(done: list[Option]) -> list[Option]:
    fastest = min(_median(o.total_ms) for o in done)
    return [o for o in done if _median(o.total_ms) <= fastest * IO_TIME_SLACK]


def _pick_io(done: list[Option]) -> tuple[Option, Rule, str]:
    pick = min(_fast_enough(done), key=lambda o: (_median(o.memory_bytes), _median(o.p99_ms), o.key))
    return pick, "only" if len(done) == 1 else "io_memory", "memory_bytes"


def _pick_cpu(done: list[Option]) -> tuple[Option, Rule, str]:
    pick = min(done, key=lambda o: (_median(o.total_ms), _median(o.cpu_s), o.key))
    return pick, "only" if len(done) == 1 else "cpu_time", "total_ms"


def _pick_mixed(done: list[Option]) -> tuple[Option, Rule, str]:
    pick = min(_fast_enough(done), key=lambda o: (_median(o.wakeup_p99_ms), _median(o.total_ms), o.key))
    return pick, "only" if len(done) == 1 else "mixed_wakeup", "wakeup_p99_ms"


# The rule of each workload; a CPU-bound workload not listed (cpu-loop) is judged as CPU-bound.
PICKS: dict[str, Callable[[list[Option]], tuple[Option, Rule, str]]] = {
    "io": _pick_io,
    "cpu": _pick_cpu,
    "mixed": _pick_mixed,
}


def _close_call(pick: Option, alternatives: Sequence[Option], decider: str) -> Option | None:
    ours = getattr(pick, decider)
    for other in alternatives:
        theirs = getattr(other, decider)
        if ours is not None and theirs is not None and ranges_overlap(ours, theirs):
            return other
    return None
