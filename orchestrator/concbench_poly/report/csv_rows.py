"""report.csv: one row per case and figure, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import io
from typing import Any

from concbench_poly.analysis.aggregate import CaseSummary, Summary
from concbench_poly.analysis.claims import MEMORY_UNIT_BYTES
from concbench_poly.analysis.figures import FIGURES
from concbench_poly.analysis.report_model import Report
from concbench_poly.analysis.statistics import Stat
from concbench_poly.contract import contract

COLUMNS = (
    "case",
    "label",
    "workload",
    "language",
    "approach",
    "tasks",
    "io_ms",
    "loop_bytes",
    "pool_size",
    "workers",
    "cores",
    "runtime",
    "host",
    "figure",
    "unit",
    "median",
    "min",
    "max",
    "q1",
    "q3",
    "cv",
    "n",
    "runs",
    "ok_runs",
    "expected",
    "expected_lo",
    "expected_hi",
    "verdict",
    "latency_view",
    "error",
)


def export_csv(report: Report) -> str:
    summary = report.summary
    out = io.StringIO()
    # "\n" line ends: the file must be byte-identical whichever platform regenerates it.
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for case in summary.cases:
        for row in _case_rows(case, summary):
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _case_rows(case: CaseSummary, summary: Summary) -> list[dict[str, Any]]:
    failure = case.main_failure()
    common: dict[str, Any] = {
        "case": case.key,
        "label": case.label,
        "workload": case.case.workload,
        "language": case.case.language,
        "approach": case.case.approach,
        "tasks": case.case.tasks,
        "io_ms": case.case.io_ms,
        "loop_bytes": case.case.loop_bytes,
        "pool_size": case.case.pool_size,
        "workers": case.case.workers,
        "cores": case.case.cores,
        "runtime": case.case.runtime,
        "host": case.case.host,
        "runs": case.runs,
        "ok_runs": case.ok_runs,
        "latency_view": summary.latency_view,
        "error": f"{failure.kind}: {failure.message}" if failure else None,
    }
    if not case.completed:
        return [common | {"figure": "", "unit": ""}]
    rows = []
    for name, figure in FIGURES.items():
        stat = case.stat(name)
        if stat is None:
            continue
        row = common | {"figure": name, "unit": figure.unit} | _stat(stat)
        check = next((c for c in case.checks if c.figure == name), None)
        if check is not None:
            # Expected bounds in the figure's own unit, so they compare directly with median.
            scale = MEMORY_UNIT_BYTES if check.claim.unit == "MiB" else 1
            row |= {
                "expected": f"{check.claim.text()} {check.claim.unit}",
                "expected_lo": check.claim.lo * scale,
                "expected_hi": check.claim.hi * scale,
                "verdict": check.verdict,
            }
        rows.append(row)
    runner = contract().find_runner(case.case.language)
    unit = "bytes" if runner is not None and runner.runtime_memory_unit == "bytes" else ""
    for key, stat in case.runtime_stats.items():
        rows.append(common | {"figure": f"runtime.{key}", "unit": unit} | _stat(stat))
    return rows


def _stat(stat: Stat) -> dict[str, Any]:
    return dict(stat.as_dict())


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
