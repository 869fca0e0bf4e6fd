"""A language's runtimes side by side: "Python 3.13 asyncio" beside "Python 3.11 asyncio", with the
ratio to the language's default runtime and compare's noise verdict.

Pure. A language measured on one runtime only has no view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from concbench_poly.analysis.aggregate import summarize
from concbench_poly.analysis.claims import NO_CLAIMS
from concbench_poly.analysis.figures import LatencyView
from concbench_poly.analysis.side_by_side import SideRow, side_by_side, side_figures
from concbench_poly.contract import contract
from concbench_poly.results.model import RunResult


@dataclass(frozen=True)
class RuntimeView:
    language: str
    reference: str  # the runtime the others are compared with: the default one where it ran
    runtimes: tuple[str, ...]  # in the order the runs name them, the reference first
    rows: tuple[SideRow, ...]


def runtime_views(results: Sequence[RunResult], view: LatencyView) -> tuple[RuntimeView, ...]:
    """One view per language measured on two or more runtimes (a run without --runtime is its default)."""
    grouped: dict[str, dict[str, list[RunResult]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        case = result.case
        runner = contract().find_runner(case.language)
        name = case.runtime or (runner.default_runtime if runner is not None else "default")
        # Without the runtime in the case, the same approach lines up across runtimes.
        grouped[case.language][name].append(replace(result, case=replace(case, runtime=None)))
    views = []
    for language in sorted(grouped, key=_language_order):
        by_runtime = grouped[language]
        if len(by_runtime) < 2:
            continue
        runner = contract().find_runner(language)
        default = runner.default_runtime if runner is not None else None
        reference = default if default in by_runtime else next(iter(by_runtime))
        names = (reference, *(n for n in by_runtime if n != reference))
        groups = [(name, summarize(by_runtime[name], claims=NO_CLAIMS, latency_view=view)) for name in names]
        views.append(RuntimeView(language, reference, names, side_by_side(groups, reference, side_figures(view))))
    return tuple(views)


def _language_order(language: str) -> int:
    languages = contract().languages
    return languages.index(language) if language in languages else len(languages)
