"""The one report model: everything every exporter shows, computed once per report.

summary (per-case statistics, claim verdicts, sweeps, environment), the decision guide, and the
article's analysis and guide checked against both, all as data. Exporters (concbench_poly.report)
are pure functions of a Report; only they write prose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concbench_poly.analysis.aggregate import Summary, summarize
from concbench_poly.analysis.article import ArticleCheck, check_article
from concbench_poly.analysis.claims import Claims
from concbench_poly.analysis.decision import DecisionGuide, decide
from concbench_poly.analysis.figures import LatencyView
from concbench_poly.analysis.runtimes import RuntimeView, runtime_views
from concbench_poly.results.model import RunResult


@dataclass(frozen=True)
class PlannedCase:
    key: str
    workload: str
    language: str
    label: str


@dataclass(frozen=True)
class Plan:
    """What the invocation set out to run (its run.json), to tell a partial report from a whole one."""

    cases: tuple[PlannedCase, ...]  # in plan order
    complete: bool  # every planned run finished (run.json's `complete`)
    stopped: str | None  # why the invocation stopped early, where it did
    mixed_cpu_ms: float | None = None  # the mixed workload's C, in ms of one core's work, where planned


@dataclass(frozen=True)
class Report:
    summary: Summary
    guide: DecisionGuide
    article: ArticleCheck
    plan: Plan | None = None  # None: results without a run.json (or from a version that kept none)
    runtimes: tuple[RuntimeView, ...] = ()  # languages measured on several runtimes, side by side

    @property
    def missing(self) -> tuple[str, ...]:
        """Planned cases with no measured run at all."""
        if self.plan is None:
            return ()
        measured = {c.key for c in self.summary.cases}
        return tuple(p.label for p in self.plan.cases if p.key not in measured)

    @property
    def incomplete(self) -> bool:
        return self.plan is not None and (not self.plan.complete or bool(self.missing))


def build_report(
    results: Sequence[RunResult],
    claims: Claims,
    latency_view: LatencyView | str = "service",
    plan: Plan | None = None,
) -> Report:
    """Pure: the same results, claims, view and plan give the same Report."""
    summary = summarize(results, claims=claims, latency_view=latency_view)
    missing = tuple(p for p in plan.cases if summary.case(p.key) is None) if plan is not None else ()
    guide = decide(summary, missing=missing)
    runtimes = runtime_views(results, summary.latency_view)
    return Report(summary=summary, guide=guide, article=check_article(summary, guide), plan=plan, runtimes=runtimes)
