"""The whole report as an outline of blocks: what report.md and report.html both say, in order.

Formats differ in layout only: markdown.py and html.py render these same blocks, so a section added
here appears in both, with the same words and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from concbench_poly.analysis.aggregate import Summary
from concbench_poly.analysis.report_model import Report
from concbench_poly.contract import contract
from concbench_poly.report.cells import (
    Cell,
    Table,
    article_guide_table,
    blocking_table,
    checks_table,
    cpu_tables,
    io_table,
    latency_table,
    memory_table,
    mixed_tables,
    per_task_table,
    projection_table,
    runtime_tables,
    sweep_footer,
    sweep_table,
    wakeup_table,
)
from concbench_poly.report.text import (
    LATENCY_VIEW_TEXT,
    headline,
    host_text,
    limits_text,
    rationale,
    runner_view_text,
    runtime_text,
    runtimes_intro,
    scope_label,
    workload_title,
)

TITLE = "concbench-poly report"


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    lines: tuple[str, ...]


@dataclass(frozen=True)
class TableBlock:
    table: Table
    level: int = 2


@dataclass(frozen=True)
class PlotsBlock:
    """Where the plots go; each format embeds or links them its own way."""

    level: int = 2
    title: str = "Plots"


Block = Heading | Paragraph | Bullets | TableBlock | PlotsBlock


def report_outline(report: Report) -> tuple[Block, ...]:
    summary = report.summary
    blocks: list[Block] = [Heading(1, TITLE)]
    if report.incomplete:
        blocks.append(Paragraph(incomplete_text(report)))
    if not summary.cases:
        return (*blocks, Paragraph("No measured runs."))
    lo, hi = summary.repetitions
    runs = f"{lo}" if lo == hi else f"{lo}-{hi}"
    blocks += [
        Paragraph(
            f"{len(summary.cases)} cases, {runs} measured runs each (warm-ups excluded). "
            f"Latency columns show {LATENCY_VIEW_TEXT[summary.latency_view]}; the memory column shows "
            "the cgroup peak in MiB (2^20 bytes). Every figure is the median over the runs, with (min-max)."
        ),
    ]
    workloads = {c.case.workload for c in summary.cases}
    if "io" in workloads:
        blocks.append(TableBlock(io_table(summary)))
    blocks += [TableBlock(table) for table in cpu_tables(summary)]
    cpu_ms = report.plan.mixed_cpu_ms if report.plan is not None else None
    blocks += [TableBlock(table) for table in mixed_tables(summary, cpu_ms)]
    article = report.article
    if article.blocking is not None:
        blocks.append(TableBlock(blocking_table(article.blocking)))
    if article.guide:
        blocks.append(TableBlock(article_guide_table(report)))
    blocks.append(TableBlock(guide_table(report)))
    for view in report.runtimes:
        blocks.append(Heading(2, f"{display_name(view.language)}: runtimes side by side"))
        blocks.append(Paragraph(runtimes_intro(view)))
        blocks += [TableBlock(table, level=3) for table in runtime_tables(view)]
    blocks.append(TableBlock(memory_table(summary)))
    blocks.append(TableBlock(latency_table(summary)))
    if any(c.stat("wakeup_p50_ms") is not None for c in summary.cases):
        blocks.append(TableBlock(wakeup_table(summary)))
    blocks.append(TableBlock(checks_table(summary)))
    if summary.sweeps:
        blocks.append(Heading(2, "Scale sweep"))
        blocks += [TableBlock(sweep_table(s), level=3) for s in summary.sweeps]
        blocks.append(Bullets(sweep_footer(summary)))
    # The article's analysis is arithmetic on memory per task: it sits beside the sweep's figures.
    if any(c.tasks is not None for c in article.per_task):
        blocks.append(TableBlock(per_task_table(article.per_task)))
        blocks.append(TableBlock(projection_table(article.projections)))
    blocks.append(PlotsBlock())
    blocks += [Heading(2, "Environment"), Bullets(environment_lines(summary))]
    blocks += [Heading(2, "Method and sources"), Bullets(method_lines(summary))]
    return tuple(blocks)


def display_name(language: str) -> str:
    return contract().display_name(language)


def incomplete_text(report: Report) -> str:
    """The warning an incomplete run's report opens with."""
    plan = report.plan
    assert plan is not None
    parts = ["INCOMPLETE RUN"]
    if plan.stopped:
        parts.append(f"it stopped early: {plan.stopped}")
    if report.missing:
        parts.append(f"{len(report.missing)} planned case(s) never ran ({', '.join(report.missing)})")
    parts.append("the decision guide marks every pick this leaves partial")
    return "; ".join(parts) + "."


def guide_table(report: Report) -> Table:
    guide = report.guide
    with_cores = any(d.cores is not None for d in guide.decisions)
    rows = tuple(
        (
            Cell(workload_title(d.workload)),
            Cell(scope_label(d)),
            Cell(str(d.tasks) if d.tasks is not None else ""),
            *((Cell(str(d.cores) if d.cores is not None else ""),) if with_cores else ()),
            Cell(headline(d, guide.latency_view)),
            Cell(rationale(d, guide.latency_view)),
        )
        for d in guide.decisions
    )
    return Table(
        title="Decision guide",
        headers=("Workload", "Scope", "N", *(("Cores",) if with_cores else ()), "Pick", "Why"),
        rows=rows,
        intro=(
            "Generated from the measurements above. I/O-bound: the least memory (cgroup peak) among the approaches "
            "within 1.5x of the fastest total time; CPU-bound: the shortest total time; mixed: the smallest "
            "wake-up lateness p99 among the approaches within 1.5x of the fastest total time. Only approaches "
            "measured at the same N (and, for work that can use more cores, on the same number of cores) are "
            "compared."
        ),
    )


def environment_lines(summary: Summary) -> tuple[str, ...]:
    env = summary.environment
    items = [
        ("Executor", env.executors),
        ("Limits requested", tuple(limits_text(limits) for limits in env.limits)),
        ("Seen by the runners", tuple(runner_view_text(view) for view in env.runner_views)),
        ("Runtimes", tuple(runtime_text(runtime) for runtime in env.runtimes)),
        ("Host", tuple(host_text(host) for host in env.hosts)),
        ("Images", env.images),
        ("Run ids", env.run_ids),
    ]
    lines = [f"{name}: {'; '.join(values) if values else 'not recorded'}" for name, values in items]
    # A core-count axis varies the CPUs on purpose; any other difference in limits is a warning.
    axis = any(c.case.cores is not None for c in summary.cases)
    limits = {replace(limits, cpus=None, cpuset=None) if axis else limits for limits in env.limits}
    if len(limits) > 1 or len(env.hosts) > 1:
        lines.append("Warning: the runs do not share one set of limits/hosts; compare rows with care.")
    return tuple(lines)


def method_lines(summary: Summary) -> tuple[str, ...]:
    claims = summary.claims
    lines = [
        f"Claims: single values hold within \N{PLUS-MINUS SIGN}{claims.tolerance * 100:g}% of the stated "
        "value; ranges are taken as printed. Memory claims are compared with the cgroup peak in MiB."
    ]
    lines += [f"{section}: {source}" for section, source in claims.sources]
    lines += [f"{section} note: {note}" for section, note in claims.notes]
    lines.append(
        "Spread: a figure is flagged when its coefficient of variation over the runs exceeds 10%; "
        "its median is then less trustworthy than the table suggests."
    )
    lines.append(
        "Cold runtimes: every run is a fresh process in a fresh container, measured once, so the JVM's JIT, "
        "V8's and Go's warm-up happen inside the window as they do for a user's first request; nothing is "
        "warmed up out of sight (the warm-up runs are whole runs, saved and left out of the figures)."
    )
    lines += runtime_memory_notes(summary)
    return tuple(lines)


def runtime_memory_notes(summary: Summary) -> tuple[str, ...]:
    """The contract's note on reading a runtime's memory figures, for each language the summary measured."""
    measured = {c.case.language for c in summary.cases}
    return tuple(
        f"{runner.display_name} memory: {runner.runtime_memory_note}"
        for runner in contract().runners
        if runner.language in measured and runner.runtime_memory_note
    )
