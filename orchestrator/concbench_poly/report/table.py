"""Plain-text tables for a terminal: the article's I/O and CPU-bound tables, measured beside expected,
then the decision guide."""

from __future__ import annotations

from tabulate import tabulate

from concbench_poly.analysis.report_model import Report
from concbench_poly.report.cells import Table, cpu_tables, io_table, sweep_footer, sweep_table
from concbench_poly.report.outline import incomplete_text
from concbench_poly.report.text import guide_text

# Grid lines between rows: each cell has two lines (measured, expected) that must not run together.
TABLE_FORMAT = "simple_grid"


def render_table(table: Table) -> str:
    grid = tabulate(
        [["\n".join(cell.lines()) for cell in row] for row in table.rows],
        headers=list(table.headers),
        tablefmt=TABLE_FORMAT,
        disable_numparse=True,
    )
    return "\n".join([table.title, grid, *table.notes, *table.footer]) + "\n"


def export_table(report: Report) -> str:
    summary = report.summary
    parts = [incomplete_text(report) + "\n"] if report.incomplete else []
    if not summary.cases:
        return "".join(parts) + "No measured runs.\n"
    workloads = {c.case.workload for c in summary.cases}
    if "io" in workloads:
        parts.append(render_table(io_table(summary)))
    parts += [render_table(table) for table in cpu_tables(summary)]
    if summary.sweeps:
        parts += [render_table(sweep_table(s)) for s in summary.sweeps]
        parts.append("\n".join(sweep_footer(summary)) + "\n")
    parts.append(guide_text(report.guide))
    return "\n".join(parts)
