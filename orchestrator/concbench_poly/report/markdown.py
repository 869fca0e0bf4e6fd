"""report.md: the report outline for GitHub: tables, decision guide, details, sweeps, environment."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from concbench_poly.analysis.report_model import Report
from concbench_poly.report.cells import Cell, Table
from concbench_poly.report.outline import Block, Bullets, Heading, Paragraph, TableBlock, report_outline

# (relative path, title) of each plot written next to report.md.
PlotRef = tuple[str, str]


def escape(text: str) -> str:
    """Cell text must not close the table (|) or open HTML (<); <br> is added after escaping."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_table(table: Table, level: int = 2) -> str:
    grid = tabulate(
        [[_cell(cell) for cell in row] for row in table.rows],
        headers=[escape(h) for h in table.headers],
        tablefmt="github",
        disable_numparse=True,
    )
    lines = [f"{'#' * level} {escape(table.title)}", ""]
    if table.intro:
        lines += [escape(table.intro), ""]
    lines += [grid, ""]
    extra = [*table.notes, *table.footer]
    if extra:
        lines += [f"- {escape(line)}" for line in extra] + [""]
    return "\n".join(lines)


def _cell(cell: Cell) -> str:
    return "<br>".join(escape(line) for line in cell.lines())


def export_markdown(report: Report, plots: Sequence[PlotRef] = ()) -> str:
    parts = [_block(block, plots) for block in report_outline(report)]
    return "\n".join(p for p in parts if p).rstrip("\n") + "\n"


def _block(block: Block, plots: Sequence[PlotRef]) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {escape(block.text)}\n"
    if isinstance(block, Paragraph):
        return f"{escape(block.text)}\n"
    if isinstance(block, Bullets):
        return "\n".join(f"- {escape(line)}" for line in block.lines) + "\n"
    if isinstance(block, TableBlock):
        return render_table(block.table, block.level)
    if not plots:
        return ""
    lines = [f"{'#' * block.level} {block.title}", ""]
    for path, title in plots:
        lines += [f"![{escape(title)}]({path})", ""]
    return "\n".join(lines)
