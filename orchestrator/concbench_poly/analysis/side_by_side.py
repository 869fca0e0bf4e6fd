"""Groups of the same cases side by side (a fleet's hosts, a language's runtimes): per case and figure,
each group's median, its ratio to the reference group and compare's noise verdict against it.

Pure. The groups' summaries must key the same case alike: the caller takes the grouping dimension
(host, runtime) out of the cases first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from concbench_poly.analysis.aggregate import Summary
from concbench_poly.analysis.compare import ComparisonRow, Verdict, compare
from concbench_poly.analysis.figures import FIGURES, LatencyView, latency_figure
from concbench_poly.analysis.statistics import Stat

# The figures set side by side: what a reader of the main tables decides on.
SIDE_FIGURES = ("total_ms", "p99", "memory_bytes", "cpu_s", "wakeup_p99_ms")


def side_figures(view: LatencyView) -> tuple[str, ...]:
    return tuple(latency_figure(view, "p99") if f == "p99" else f for f in SIDE_FIGURES)


@dataclass(frozen=True)
class SideCell:
    group: str
    stat: Stat | None
    ratio: float | None  # median here / median in the reference group
    verdict: Verdict | None  # compare's, against the reference; None for the reference itself


@dataclass(frozen=True)
class SideRow:
    key: str  # the case key without the grouping dimension
    label: str
    workload: str
    cores: int | None  # the case's core count on a core-count axis, else None
    tasks: int  # N: pool rows are labelled by pool size, and a blocking scenario has one per N
    figure: str
    unit: str
    cells: tuple[SideCell, ...]  # in group order


def side_by_side(
    groups: Sequence[tuple[str, Summary | None]], reference: str, figures: Sequence[str]
) -> tuple[SideRow, ...]:
    """groups: (name, summary) in display order; None for a group with no results (its cells are empty)."""
    ref = next((summary for name, summary in groups if name == reference), None)
    compared: dict[str, dict[tuple[str, str], ComparisonRow]] = {}
    if ref is not None:
        for name, summary in groups:
            if name != reference and summary is not None:
                compared[name] = {(r.case_key, r.figure): r for r in compare(ref, summary, figures=figures)}
    cases: dict[str, tuple[str, str, int | None, int]] = {}  # key -> (label, workload, cores, N), reference first
    ordered = sorted(groups, key=lambda group: group[0] != reference)
    for _, summary in ordered:
        for case in summary.cases if summary is not None else ():
            cases.setdefault(case.key, (case.label, case.case.workload, case.case.cores, case.case.tasks))
    rows = []
    for key, (label, workload, cores, tasks) in cases.items():
        for figure in figures:
            cells = tuple(
                _cell(name, summary, name == reference, key, figure, compared.get(name, {})) for name, summary in groups
            )
            if all(c.stat is None and c.verdict is None for c in cells):
                continue
            rows.append(SideRow(key, label, workload, cores, tasks, figure, FIGURES[figure].unit, cells))
    return tuple(rows)


def _cell(
    name: str,
    summary: Summary | None,
    is_reference: bool,
    key: str,
    figure: str,
    compared: dict[tuple[str, str], ComparisonRow],
) -> SideCell:
    case = summary.case(key) if summary is not None else None
    stat = case.stat(figure) if case is not None else None
    if is_reference:
        return SideCell(name, stat, 1.0 if stat is not None else None, None)
    row = compared.get((key, figure)) or compared.get((key, ""))
    if row is None:
        return SideCell(name, stat, None, "only in A" if summary is not None else None)
    return SideCell(name, row.b if row.figure else stat, row.ratio, row.verdict)
