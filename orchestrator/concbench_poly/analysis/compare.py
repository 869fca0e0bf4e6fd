"""Two Summaries side by side (before/after, machine A/machine B): a ratio and a noise-aware verdict.

The bar is pyperf's compare_to: a difference is only called when it is outside the noise. With the
few repetitions a container benchmark affords, a t-test has little power, so the rule here is the
plainer and stricter one: the two [min, max] ranges (or, on request, the IQRs) must not overlap,
and the medians must differ by at least MIN_RELATIVE_CHANGE. Fewer than MIN_RUNS repetitions on
either side give no range at all, so no verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from concbench_poly.analysis.aggregate import CaseSummary, Summary
from concbench_poly.analysis.environment import RuntimeSeen
from concbench_poly.analysis.figures import FIGURES
from concbench_poly.analysis.statistics import RangeKind, Stat, ranges_overlap
from concbench_poly.cases import Case

Verdict = Literal[
    "faster",
    "slower",
    "smaller",
    "larger",
    "no significant difference",
    "insufficient data",
    "only in A",
    "only in B",
    "failed in A",
    "failed in B",
    "failed in both",
]

MIN_RUNS = 2
# pyperf's compare_to also declines to call differences below 1%: separated ranges can still be a
# difference nobody should act on (10.10 vs 10.15 ms of a 10 ms sleep).
MIN_RELATIVE_CHANGE = 0.01
SIGNIFICANT: frozenset[str] = frozenset({"faster", "slower", "smaller", "larger"})


@dataclass(frozen=True)
class ComparisonRow:
    """One figure of one case; figure is "" for a row about the whole case (missing or failed)."""

    case_key: str
    label: str
    workload: str
    figure: str
    unit: str
    a: Stat | None
    b: Stat | None
    ratio: float | None  # median B / median A
    verdict: Verdict

    @property
    def significant(self) -> bool:
        return self.verdict in SIGNIFICANT

    def change(self) -> str:
        """pyperf's wording: '1.25x slower', '2.00x smaller'; the factor is always >= 1."""
        if not self.significant or self.ratio is None or self.ratio == 0:
            return self.verdict
        factor = self.ratio if self.ratio >= 1 else 1 / self.ratio
        return f"{factor:.2f}x {self.verdict}"


def compare(
    summary_a: Summary,
    summary_b: Summary,
    *,
    figures: Sequence[str] | None = None,
    ranges: RangeKind = "minmax",
) -> list[ComparisonRow]:
    """Every case of A then the cases only B has; within a case, figures in FIGURES order."""
    names = list(FIGURES) if figures is None else [f for f in FIGURES if f in figures]
    unknown = sorted(set(figures or ()) - set(FIGURES))
    if unknown:
        raise ValueError(f"unknown figure(s): {', '.join(unknown)}")
    rows: list[ComparisonRow] = []
    only_b = [c.key for c in summary_b.cases if summary_a.case(c.key) is None]
    keys = [c.key for c in summary_a.cases] + only_b
    for key in keys:
        a, b = summary_a.case(key), summary_b.case(key)
        rows += _case_rows(a, b, names, ranges)
    return rows


def _case_rows(
    a: CaseSummary | None, b: CaseSummary | None, names: Sequence[str], ranges: RangeKind
) -> list[ComparisonRow]:
    either = a if a is not None else b
    assert either is not None
    whole = _whole_case_verdict(a, b)
    if whole is not None:
        workload = either.case.workload
        return [ComparisonRow(either.key, either.label, workload, "", "", None, None, None, whole)]
    assert a is not None and b is not None
    rows = []
    for name in names:
        stat_a, stat_b = a.stat(name), b.stat(name)
        if stat_a is None or stat_b is None:
            continue
        figure = FIGURES[name]
        rows.append(
            ComparisonRow(
                case_key=a.key,
                label=a.label,
                workload=a.case.workload,
                figure=name,
                unit=figure.unit,
                a=stat_a,
                b=stat_b,
                ratio=_ratio(stat_a.median, stat_b.median),
                verdict=verdict(name, stat_a, stat_b, ranges),
            )
        )
    return rows


def _whole_case_verdict(a: CaseSummary | None, b: CaseSummary | None) -> Verdict | None:
    if a is None:
        return "only in B"
    if b is None:
        return "only in A"
    if not a.completed and not b.completed:
        return "failed in both"
    if not a.completed:
        return "failed in A"
    if not b.completed:
        return "failed in B"
    return None


def verdict(figure: str, a: Stat, b: Stat, ranges: RangeKind = "minmax") -> Verdict:
    """Direction of B relative to A, or no verdict when the ranges overlap."""
    if a.n < MIN_RUNS or b.n < MIN_RUNS:
        return "insufficient data"
    if ranges_overlap(a, b, ranges):
        return "no significant difference"
    ratio = _ratio(a.median, b.median)
    if ratio is not None and abs(ratio - 1) < MIN_RELATIVE_CHANGE:
        return "no significant difference"
    spec = FIGURES[figure]
    b_higher = b.median > a.median
    if spec.kind in ("time", "rate"):
        # Lower time is faster; higher throughput is faster.
        return "faster" if b_higher == spec.higher_is_better else "slower"
    return "larger" if b_higher else "smaller"


def _ratio(a: float, b: float) -> float | None:
    if a == 0:
        return 1.0 if b == 0 else None
    return b / a


# What a comparison may not differ in without --allow-different: what was run. What it ran on
# (limits, runtime, image, host) is what comparing is for.
WORKLOAD_PARAMETERS = ("tasks", "io_ms", "payload_bytes", "repeat", "loop_bytes", "pool_size", "workers")
MACHINE_ASPECTS = ("limits", "runtimes", "images", "hosts")


@dataclass(frozen=True)
class Difference:
    aspect: str  # a WORKLOAD_PARAMETERS name, or a MACHINE_ASPECTS one
    a: tuple[object, ...]  # its distinct values in A
    b: tuple[object, ...]


@dataclass(frozen=True)
class Comparison:
    rows: tuple[ComparisonRow, ...]
    workload_differences: tuple[Difference, ...]  # empty unless --allow-different let them through
    machine_differences: tuple[Difference, ...]
    same_results: bool  # A and B are the same results: every figure equal by construction


def workload_differences(a: Summary, b: Summary) -> tuple[Difference, ...]:
    """Parameters in which the approaches both sides ran were run differently."""
    families_a, families_b = _families(a), _families(b)
    differences = []
    for name in WORKLOAD_PARAMETERS:
        values_a: set[object] = set()
        values_b: set[object] = set()
        for family in families_a.keys() & families_b.keys():
            values_a |= {getattr(case, name) for case in families_a[family]}
            values_b |= {getattr(case, name) for case in families_b[family]}
        if values_a != values_b:
            differences.append(Difference(name, _ordered(values_a), _ordered(values_b)))
    return tuple(differences)


def machine_differences(a: Summary, b: Summary) -> tuple[Difference, ...]:
    """Limits, runtimes, images and hosts that differ. Runtimes and images are compared for the
    languages both ran: a language only one side ran is an "only in" row, not a different machine."""
    both = {c.case.language for c in a.cases} & {c.case.language for c in b.cases}
    differences = []
    for aspect in MACHINE_ASPECTS:
        values_a = _shared(aspect, getattr(a.environment, aspect), both)
        values_b = _shared(aspect, getattr(b.environment, aspect), both)
        if values_a != values_b:
            differences.append(Difference(aspect, values_a, values_b))
    return tuple(differences)


def _shared(aspect: str, values: tuple[object, ...], languages: set[str]) -> tuple[object, ...]:
    if aspect == "runtimes":
        return tuple(v for v in values if isinstance(v, RuntimeSeen) and v.language in languages)
    if aspect == "images":
        # Runner images are tagged concbench-poly/<language>:<source hash> (execution/images.py).
        return tuple(v for v in values if str(v).split("/")[-1].split(":")[0] in languages)
    return values


def _families(summary: Summary) -> dict[tuple[str, str, str], list[Case]]:
    families: dict[tuple[str, str, str], list[Case]] = {}
    for case_summary in summary.cases:
        case = case_summary.case
        families.setdefault((case.workload, case.language, case.approach), []).append(case)
    return families


def _ordered(values: set[object]) -> tuple[object, ...]:
    return tuple(sorted(values, key=lambda v: (v is None, str(type(v)), v if v is not None else 0)))


def comparison(a: Summary, b: Summary, *, same_results: bool = False) -> Comparison:
    """B against A, with what differs between the two runs (parameters, machine) stated beside."""
    return Comparison(
        rows=tuple(compare(a, b)),
        workload_differences=workload_differences(a, b),
        machine_differences=machine_differences(a, b),
        same_results=same_results,
    )
