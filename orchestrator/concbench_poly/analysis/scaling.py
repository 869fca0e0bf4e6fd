"""How an approach's time scales with cores: one line per approach across the core-count axis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from concbench_poly.cases import Case

if TYPE_CHECKING:
    from concbench_poly.analysis.aggregate import CaseSummary


@dataclass(frozen=True)
class ScalingPoint:
    cores: int
    total_ms: float  # median
    speedup: float | None  # time on 1 core / time here; None without a 1-core point

    @property
    def efficiency(self) -> float | None:
        return self.speedup / self.cores if self.speedup is not None else None


@dataclass(frozen=True)
class ScalingLine:
    workload: str
    label: str  # the approach; "Python multiprocessing(= cores)" for a pool sized to its cores
    language: str
    approach: str
    points: tuple[ScalingPoint, ...]  # ascending cores


def scaling_family(case: Case) -> tuple[Case, bool]:
    """The case without its core count; a pool as large as its cores is one family across counts."""
    sized = case.workers is not None and case.workers == case.cores
    return replace(case, cores=None, workers=None if sized else case.workers), sized


def scaling_lines(cases: Sequence[CaseSummary]) -> tuple[ScalingLine, ...]:
    """Every approach measured at two or more core counts, in report order."""
    families: dict[Case, tuple[bool, dict[int, float]]] = {}
    for case_summary in cases:
        case = case_summary.case
        total = case_summary.stat("total_ms")
        if case.cores is None or total is None:
            continue
        family, sized = scaling_family(case)
        families.setdefault(family, (sized, {}))[1][case.cores] = total.median
    lines = []
    for family, (sized, totals) in families.items():
        if len(totals) < 2:
            continue
        base = totals.get(1)
        points = tuple(
            ScalingPoint(k, ms, base / ms if base is not None and ms > 0 else None) for k, ms in sorted(totals.items())
        )
        label = family.family_label + ("(= cores)" if sized else "")
        lines.append(ScalingLine(family.workload, label, family.language, family.approach, points))
    return tuple(lines)
