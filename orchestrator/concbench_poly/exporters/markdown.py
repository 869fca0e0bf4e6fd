"""report.md: the whole report for GitHub: tables, decision guide, details, sweeps, environment."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from concbench_poly.aggregate import LATENCY_VIEW_TEXT, Summary
from concbench_poly.decision import WORKLOAD_TEXT, decide, headline, rationale
from concbench_poly.exporters.cells import (
    Cell,
    Table,
    cpu_table,
    io_table,
    latency_table,
    memory_table,
    sweep_footer,
    sweep_table,
)

# (relative path, title) of each plot written next to report.md.
PlotRef = tuple[str, str]


def escape(text: str) -> str:
    """Cell text must not close the table (|) or open HTML (<); <br> is added after escaping."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_table(table: Table, level: str = "##") -> str:
    grid = tabulate(
        [[_cell(cell) for cell in row] for row in table.rows],
        headers=[escape(h) for h in table.headers],
        tablefmt="github",
        disable_numparse=True,
    )
    lines = [f"{level} {escape(table.title)}", "", grid, ""]
    extra = [*table.notes, *table.footer]
    if extra:
        lines += [f"- {escape(line)}" for line in extra] + [""]
    return "\n".join(lines)


def _cell(cell: Cell) -> str:
    return "<br>".join(escape(line) for line in cell.lines())


def export_markdown(summary: Summary, plots: Sequence[PlotRef] = ()) -> str:
    if not summary.cases:
        return "# concbench-poly report\n\nNo measured runs.\n"
    lo, hi = summary.repetitions
    runs = f"{lo}" if lo == hi else f"{lo}-{hi}"
    parts = [
        "# concbench-poly report",
        "",
        f"{len(summary.cases)} cases, {runs} measured runs each (warm-ups excluded). "
        f"Latency columns show {escape(LATENCY_VIEW_TEXT[summary.latency_view])}; the memory column shows "
        "peak RSS (VmHWM) in MiB (2^20 bytes). Every figure is the median over the runs, with (min-max).",
        "",
    ]
    workloads = {c.case.workload for c in summary.cases}
    if "io" in workloads:
        parts.append(render_table(io_table(summary)))
    if "cpu" in workloads:
        parts.append(render_table(cpu_table(summary)))
    parts.append(_decision_section(summary))
    parts.append(render_table(memory_table(summary)))
    parts.append(render_table(latency_table(summary)))
    if summary.sweeps:
        parts += ["## Scale sweep", ""]
        parts += [render_table(sweep_table(s), level="###") for s in summary.sweeps]
        parts += [f"- {escape(line)}" for line in sweep_footer(summary)] + [""]
    if plots:
        parts += ["## Plots", ""]
        for path, title in plots:
            parts += [f"![{escape(title)}]({path})", ""]
    parts.append(_environment_section(summary))
    parts.append(_method_section(summary))
    return "\n".join(parts).rstrip("\n") + "\n"


def _decision_section(summary: Summary) -> str:
    guide = decide(summary)
    rows = [
        [
            WORKLOAD_TEXT[d.workload],
            d.scope_label,
            str(d.tasks) if d.tasks is not None else "",
            escape(headline(d, guide.latency_view)),
            escape(rationale(d, guide.latency_view)),
        ]
        for d in guide.decisions
    ]
    grid = tabulate(rows, headers=["Workload", "Scope", "N", "Pick", "Why"], tablefmt="github", disable_numparse=True)
    return "\n".join(
        [
            "## Decision guide",
            "",
            "Generated from the measurements above. I/O-bound: the smallest peak RSS among the approaches "
            "within 1.5x of the fastest total time; CPU-bound: the shortest total time. Only approaches "
            "measured at the same N are compared.",
            "",
            grid,
            "",
        ]
    )


def _environment_section(summary: Summary) -> str:
    env = summary.environment
    items = [
        ("Executor", env.executors),
        ("Limits requested", env.limits),
        ("Seen by the runners", env.runner_view),
        ("Runtimes", env.runtimes),
        ("Host", env.hosts),
        ("Images", env.images),
        ("Run ids", env.run_ids),
    ]
    lines = ["## Environment", ""]
    for name, values in items:
        text = "; ".join(values) if values else "not recorded"
        lines.append(f"- {name}: {escape(text)}")
    if len(env.limits) > 1 or len(env.hosts) > 1:
        lines.append("- Warning: the runs do not share one set of limits/hosts; compare rows with care.")
    return "\n".join([*lines, ""])


def _method_section(summary: Summary) -> str:
    claims = summary.claims
    lines = ["## Method and sources", ""]
    lines.append(
        f"- Claims: single values hold within \N{PLUS-MINUS SIGN}{claims.tolerance * 100:g}% of the stated "
        "value; ranges are taken as printed. Memory claims are compared with peak RSS in MiB."
    )
    for section, source in claims.sources:
        lines.append(f"- {section}: {escape(source)}")
    for section, note in claims.notes:
        lines.append(f"- {section} note: {escape(note)}")
    lines.append(
        "- Spread: a figure is flagged when its coefficient of variation over the runs exceeds 10%; "
        "its median is then less trustworthy than the table suggests."
    )
    return "\n".join([*lines, ""])
