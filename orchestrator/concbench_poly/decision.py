"""The decision guide, derived from the measurements of one Summary (never written by hand).

Rules, stated so that a reader can check a pick against the tables:
- Only approaches measured at the same task count are compared; the count with the most completed
  approaches is used (ties: the larger count, the harder test).
- I/O-bound: the approaches whose total time is within IO_TIME_SLACK of the fastest are "fast
  enough" (unbounded models all finish in D plus spawn cost, a bounded pool needs N/P x D); among
  them the smallest peak RSS wins, because for waiting tasks memory is what limits how many fit.
- CPU-bound: the shortest total (wall) time wins; CPU time is shown to tell parallelism from luck.
- A pick whose deciding figure overlaps the runner-up's [min, max] is flagged as a close call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from concbench_poly import units
from concbench_poly.aggregate import CaseSummary, LatencyView, Summary, latency_figure
from concbench_poly.registry import RUNNERS
from concbench_poly.statistics import Stat, ranges_overlap

Workload = Literal["io", "cpu"]
WORKLOAD_TEXT: dict[Workload, str] = {"io": "I/O-bound", "cpu": "CPU-bound"}
OVERALL = "overall"

# An approach within 1.5x of the fastest I/O total still "finishes in about D"; a pool that needs
# several batches does not.
IO_TIME_SLACK = 1.5


@dataclass(frozen=True)
class Option:
    """One approach as the guide sees it, with the medians behind the pick."""

    key: str
    label: str  # full case label, "Python asyncio (1000)"
    short: str  # within one language, "asyncio"
    completed: bool
    total_ms: Stat | None
    p99_ms: Stat | None
    peak_rss_bytes: Stat | None
    cpu_s: Stat | None
    failure: str | None

    def figures(self, view: LatencyView, workload: Workload) -> str:
        if not self.completed:
            return f"failed ({self.failure})"
        parts = [f"total {_ms(self.total_ms)}"]
        if workload == "io":
            parts.append(f"p99 {_ms(self.p99_ms)} ({view.replace('_', '-')})")
        else:
            parts.append(f"CPU {_s(self.cpu_s)}")
        parts.append(f"{_mib(self.peak_rss_bytes)} peak RSS")
        return ", ".join(parts)


@dataclass(frozen=True)
class Decision:
    workload: Workload
    scope: str  # a language key, or OVERALL
    scope_label: str  # "Python", "All languages"
    tasks: int | None  # task count compared; None when nothing was measured
    pick: Option | None
    alternatives: tuple[Option, ...]
    reason: str  # the rule that decided, in words
    close_call: Option | None  # an alternative not significantly different on the deciding figure
    scale_notes: tuple[str, ...]  # where an approach broke in a sweep

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

    def get(self, workload: Workload, scope: str) -> Decision | None:
        return next((d for d in self.decisions if d.workload == workload and d.scope == scope), None)


def decide(summary: Summary) -> DecisionGuide:
    """The structured guide: per workload, one decision per language and one overall."""
    decisions: list[Decision] = []
    for workload in ("io", "cpu"):
        for language in RUNNERS:
            decisions.append(_decide(summary, workload, language))
        decisions.append(_decide(summary, workload, OVERALL))
    return DecisionGuide(latency_view=summary.latency_view, decisions=tuple(decisions))


def decision_guide(summary: Summary) -> str:
    """The guide as plain text lines, for terminals and the markdown report."""
    return render_text(decide(summary))


def render_text(guide: DecisionGuide) -> str:
    lines = ["Decision guide (from these measurements):"]
    lines += [f"- {line}" for d in guide.decisions for line in _lines(d, guide.latency_view)]
    return "\n".join(lines) + "\n"


def headline(decision: Decision, view: LatencyView) -> str:
    """'asyncio — total 12.9 ms, p99 12.1 ms (service), 18.3 MiB peak RSS' or why there is none."""
    if not decision.measured:
        return "not measured"
    if decision.pick is None:
        failures = "; ".join(f"{decision.name(o)}: {o.failure}" for o in decision.alternatives)
        return f"no approach completed ({failures})"
    return f"{decision.name(decision.pick)} \N{EM DASH} {decision.pick.figures(view, decision.workload)}"


def rationale(decision: Decision, view: LatencyView) -> str:
    """The rule, then the numbers of the alternatives, as one sentence."""
    parts = [decision.reason] if decision.pick is not None else []
    if decision.pick is not None and decision.alternatives:
        others = "; ".join(f"{decision.name(o)}: {o.figures(view, decision.workload)}" for o in decision.alternatives)
        parts.append(f"vs {others}")
    if decision.close_call is not None:
        close = decision.name(decision.close_call)
        parts.append(f"not significantly different from {close} ([min, max] ranges overlap)")
    parts += decision.scale_notes
    return "; ".join(parts)


def _lines(decision: Decision, view: LatencyView) -> list[str]:
    where = f"{decision.scope_label}, {WORKLOAD_TEXT[decision.workload]}"
    if decision.tasks is not None:
        where += f" (N={decision.tasks})"
    why = rationale(decision, view)
    return [f"{where}: {headline(decision, view)}" + (f". {why[0].upper()}{why[1:]}." if why else ".")]


def _decide(summary: Summary, workload: Workload, scope: str) -> Decision:
    scope_label = "All languages" if scope == OVERALL else RUNNERS[scope].display_name
    pool = [c for c in summary.of_workload(workload) if scope in (OVERALL, c.case.language)]
    scale_notes = tuple(
        f"{s.label} broke at N={s.broke_at} ({s.break_reason.kind}: {s.break_reason.message})"
        for s in summary.sweeps
        if s.workload == workload and scope in (OVERALL, s.language) and s.broke_at and s.break_reason
    )
    if not pool:
        return Decision(workload, scope, scope_label, None, None, (), "", None, scale_notes)
    tasks = _compared_task_count(pool, summary.of_workload(workload))
    options = [_option(c, summary.latency_view) for c in pool if c.case.tasks == tasks]
    done = [o for o in options if o.completed]
    if not done:
        return Decision(workload, scope, scope_label, tasks, None, tuple(options), "", None, scale_notes)
    pick, reason, decider = _pick_io(done) if workload == "io" else _pick_cpu(done)
    alternatives = tuple(o for o in options if o is not pick)
    return Decision(
        workload=workload,
        scope=scope,
        scope_label=scope_label,
        tasks=tasks,
        pick=pick,
        alternatives=alternatives,
        reason=reason,
        close_call=_close_call(pick, alternatives, decider),
        scale_notes=scale_notes,
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
    display = RUNNERS[case_summary.case.language].display_name
    # The task count is stated once per decision, so it is dropped from the names.
    label = case_summary.label.removesuffix(f" ({case_summary.case.tasks})")
    return Option(
        key=case_summary.key,
        label=label,
        short=label.removeprefix(f"{display} "),
        completed=case_summary.completed,
        total_ms=case_summary.stat("total_ms"),
        p99_ms=case_summary.stat(latency_figure(view, "p99")),
        peak_rss_bytes=case_summary.stat("peak_rss_bytes"),
        cpu_s=case_summary.stat("cpu_s"),
        failure=f"{failure.kind}: {failure.message}" if failure else None,
    )


def _median(stat: Stat | None) -> float:
    return stat.median if stat is not None else float("inf")


def _pick_io(done: list[Option]) -> tuple[Option, str, str]:
    fastest = min(_median(o.total_ms) for o in done)
    fast_enough = [o for o in done if _median(o.total_ms) <= fastest * IO_TIME_SLACK]
    pick = min(fast_enough, key=lambda o: (_median(o.peak_rss_bytes), _median(o.p99_ms), o.key))
    if len(done) == 1:
        return pick, "only approach measured", "peak_rss_bytes"
    return (
        pick,
        f"smallest peak RSS among the approaches within {IO_TIME_SLACK:g}x of the fastest total time",
        "peak_rss_bytes",
    )


def _pick_cpu(done: list[Option]) -> tuple[Option, str, str]:
    pick = min(done, key=lambda o: (_median(o.total_ms), _median(o.cpu_s), o.key))
    reason = "only approach measured" if len(done) == 1 else "shortest total (wall) time"
    return pick, reason, "total_ms"


def _close_call(pick: Option, alternatives: Sequence[Option], decider: str) -> Option | None:
    ours = getattr(pick, decider)
    for other in alternatives:
        theirs = getattr(other, decider)
        if ours is not None and theirs is not None and ranges_overlap(ours, theirs):
            return other
    return None


def _ms(stat: Stat | None) -> str:
    return "n/a" if stat is None else units.ms(stat.median)


def _s(stat: Stat | None) -> str:
    return "n/a" if stat is None else units.seconds(stat.median)


def _mib(stat: Stat | None) -> str:
    return "n/a" if stat is None else units.mib(stat.median)
