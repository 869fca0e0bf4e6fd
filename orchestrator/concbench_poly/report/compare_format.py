"""Renderings of compare() rows: terminal table, markdown, CSV and JSON."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from concbench_poly.analysis.compare import MIN_RELATIVE_CHANGE, MIN_RUNS, Comparison, ComparisonRow
from concbench_poly.analysis.environment import HostSeen, LimitsSeen, RuntimeSeen
from concbench_poly.analysis.figures import FIGURES
from concbench_poly.analysis.statistics import Stat
from concbench_poly.config import MIB
from concbench_poly.json_format import dump_json
from concbench_poly.report import units
from concbench_poly.report.markdown import escape
from concbench_poly.report.text import host_text, limits_text, runtime_text

NONE = "\N{EM DASH}"
HEADERS = ("Case", "Figure", "Unit", "A", "B", "B/A", "Verdict")


def _display(row: ComparisonRow) -> tuple[str, float]:
    if row.figure == "per_task_bytes":
        return "KiB", 1 / units.KIB
    return ("MiB", 1 / MIB) if row.unit == "bytes" else (row.unit, 1.0)


def _stat(stat: Stat | None, scale: float, whole: bool) -> str:
    if stat is None:
        return NONE
    s = stat.scaled(scale)
    places = 0 if whole else None
    return units.span(s.median, s.min, s.max, places) if s.n > 1 else units.number(s.median, places)


def _cells(row: ComparisonRow) -> list[str]:
    if not row.figure:
        return [row.label, NONE, "", NONE, NONE, NONE, row.change()]
    unit, scale = _display(row)
    figure = FIGURES[row.figure]
    whole = figure.kind == "count"
    ratio = NONE if row.ratio is None else f"{row.ratio:.3f}"
    return [row.label, figure.label, unit, _stat(row.a, scale, whole), _stat(row.b, scale, whole), ratio, row.change()]


def _shown(rows: Sequence[ComparisonRow], show_all: bool) -> tuple[list[ComparisonRow], str | None]:
    """Like pyperf's table: rows without a verdict are hidden and only counted."""
    if show_all:
        return list(rows), None
    shown = [r for r in rows if r.significant or not r.figure]
    hidden = len(rows) - len(shown)
    if not hidden:
        return shown, None
    return shown, (
        f"Hidden: {hidden} figures with no significant difference or too few runs "
        "(--format csv or json lists every figure)."
    )


def tally(rows: Sequence[ComparisonRow]) -> str:
    counts = Counter(r.verdict for r in rows)
    parts = [f"{n} {verdict}" for verdict, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    text = "B vs A: " + (", ".join(parts) if parts else "nothing in common")
    ratios = [r.ratio for r in rows if r.figure == "total_ms" and r.ratio]
    if ratios:
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        text += f". Geometric mean of total time B/A over {len(ratios)} cases: {geomean:.3f}"
    return text + "."


NOTE = (
    f"A verdict is given only when the two [min, max] ranges do not overlap, each side has at least "
    f"{MIN_RUNS} runs and the medians differ by {MIN_RELATIVE_CHANGE:.0%} or more; otherwise the difference "
    "is within the noise."
)


def difference_lines(result: Comparison) -> list[str]:
    """What the two runs differ in, for the top of every comparison."""
    lines = []
    if result.same_results:
        lines.append("A and B are the same results: every figure is equal, so no verdict can be given.")
    for diff in result.workload_differences:
        lines.append(
            f"Different workloads (--allow-different): {diff.aspect} is {_values(diff.a)} in A, "
            f"{_values(diff.b)} in B; cases that differ only in it are compared as if they were the same."
        )
    for diff in result.machine_differences:
        lines.append(f"A and B ran on different {diff.aspect}: A {_values(diff.a)}; B {_values(diff.b)}.")
    return lines


def _values(values: Sequence[object]) -> str:
    texts = [_value(v) for v in values]
    return " / ".join(texts) if texts else "none recorded"


def _value(value: object) -> str:
    if isinstance(value, LimitsSeen):
        return limits_text(value)
    if isinstance(value, HostSeen):
        return host_text(value)
    if isinstance(value, RuntimeSeen):
        return runtime_text(value)
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)


def compare_table(result: Comparison, show_all: bool = False) -> str:
    rows = result.rows
    shown, hidden = _shown(rows, show_all)
    lines = difference_lines(result)
    if shown:
        lines.append(
            tabulate([_cells(r) for r in shown], headers=list(HEADERS), tablefmt="simple", disable_numparse=True)
        )
    else:
        lines.append("No significant difference between A and B.")
    lines += [line for line in (hidden, tally(rows), NOTE) if line]
    return "\n".join(lines) + "\n"


def compare_markdown(result: Comparison, show_all: bool = False) -> str:
    rows = result.rows
    shown, hidden = _shown(rows, show_all)
    lines = ["# concbench-poly comparison (B vs A)", ""]
    notes = difference_lines(result)
    if notes:
        lines += [f"- {escape(line)}" for line in notes] + [""]
    if shown:
        lines.append(
            tabulate(
                [[escape(c) for c in _cells(r)] for r in shown],
                headers=list(HEADERS),
                tablefmt="github",
                disable_numparse=True,
            )
        )
    else:
        lines.append("No significant difference between A and B.")
    lines.append("")
    lines += [f"- {escape(line)}" for line in (hidden, tally(rows), NOTE) if line]
    return "\n".join(lines) + "\n"


def _row_dict(row: ComparisonRow) -> dict[str, Any]:
    return {
        "case": row.case_key,
        "label": row.label,
        "workload": row.workload,
        "figure": row.figure,
        "unit": row.unit,
        "a": None if row.a is None else row.a.as_dict(),
        "b": None if row.b is None else row.b.as_dict(),
        "ratio": row.ratio,
        "verdict": row.verdict,
    }


def compare_json(result: Comparison) -> str:
    return dump_json(
        {
            "comparison": [_row_dict(r) for r in result.rows],
            "tally": tally(result.rows),
            "same_results": result.same_results,
            "differences": [
                {"aspect": d.aspect, "a": [_value(v) for v in d.a], "b": [_value(v) for v in d.b]}
                for d in (*result.workload_differences, *result.machine_differences)
            ],
        }
    )


def compare_csv(result: Comparison) -> str:
    rows = result.rows
    out = io.StringIO()
    fields = [
        "case",
        "label",
        "workload",
        "figure",
        "unit",
        "a_median",
        "a_min",
        "a_max",
        "a_n",
        "b_median",
        "b_min",
        "b_max",
        "b_n",
        "ratio",
        "verdict",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        record: dict[str, Any] = {
            "case": r.case_key,
            "label": r.label,
            "workload": r.workload,
            "figure": r.figure,
            "unit": r.unit,
            "ratio": r.ratio,
            "verdict": r.verdict,
        }
        for side, stat in (("a", r.a), ("b", r.b)):
            if stat is not None:
                record |= {
                    f"{side}_median": stat.median,
                    f"{side}_min": stat.min,
                    f"{side}_max": stat.max,
                    f"{side}_n": stat.n,
                }
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue()
