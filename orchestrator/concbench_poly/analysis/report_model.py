"""The one report model: everything every exporter shows, computed once per report.

summary (per-case statistics, claim verdicts, sweeps, environment) and the decision guide, all as
data. Exporters (concbench_poly.report) are pure functions of a Report; only they write prose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concbench_poly.analysis.aggregate import Summary, summarize
from concbench_poly.analysis.claims import Claims
from concbench_poly.analysis.decision import DecisionGuide, decide
from concbench_poly.analysis.figures import LatencyView
from concbench_poly.results.model import RunResult


@dataclass(frozen=True)
class Report:
    summary: Summary
    guide: DecisionGuide


def build_report(results: Sequence[RunResult], claims: Claims, latency_view: LatencyView | str = "service") -> Report:
    """Pure: the same results, claims and view give the same Report."""
    summary = summarize(results, claims=claims, latency_view=latency_view)
    return Report(summary=summary, guide=decide(summary))
