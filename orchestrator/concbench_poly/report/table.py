"""Plain-text tables for a terminal: the article's I/O and CPU-bound tables, measured beside expected,
the mixed and blocking scenarios, then the article's guide beside the measured one."""

from __future__ import annotations

from tabulate import tabulate

from concbench_poly.analysis.report_model import Report
from concbench_poly.report.cells import (
    Table,
    blocking_table,
    cpu_tables,
    io_table,
    mixed_tables,
    sweep_footer,
    sweep_table,
)
from concbench_poly.report.outline import incomplete_text
from concbench_poly.report.text import article_guide_text, guide_text

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
    cpu_ms = report.plan.mixed_cpu_ms if report.plan is not None else None
    parts += [render_table(table) for table in mixed_tables(summary, cpu_ms)]
    if report.article.blocking is not None:
        parts.append(render_table(blocking_table(report.article.blocking)))
    if summary.sweeps:
        parts += [render_table(sweep_table(s)) for s in summary.sweeps]
        parts.append("\n".join(sweep_footer(summary)) + "\n")
    parts.append(guide_text(report.guide))
    if report.article.guide:
        parts.append(article_guide_text(report.article.guide, summary.latency_view))
    return "\n".join(parts)
