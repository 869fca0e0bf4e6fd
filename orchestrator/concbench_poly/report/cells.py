"""The report's tables as data: which rows, which columns, what each cell says.

The terminal and markdown exporters render the same Table objects, so the two can differ in layout
only, never in content.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from concbench_poly.analysis.aggregate import CaseSummary, ClaimCheck, Summary, Sweep
from concbench_poly.analysis.article import BLOCKING_MARGIN, BlockingScenario, PerTaskCheck, ProjectionCheck
from concbench_poly.analysis.claims import Claim, ClaimRow, Column, Verdict
from concbench_poly.analysis.compare import SIGNIFICANT
from concbench_poly.analysis.figures import FIGURES, LATENCY_VIEWS, MEMORY_FIGURE, latency_figure
from concbench_poly.analysis.report_model import Report
from concbench_poly.analysis.runtimes import RuntimeView
from concbench_poly.analysis.side_by_side import SideCell, SideRow
from concbench_poly.analysis.statistics import SPREAD_CV, Stat
from concbench_poly.config import MIB
from concbench_poly.contract import contract
from concbench_poly.report import units
from concbench_poly.report.text import (
    LATENCY_VIEW_TEXT,
    NOT_ALL_ALIVE,
    blocking_text,
    caveat_text,
    flag_text,
    guide_cell_text,
    mixed_intro,
    mixed_title,
    per_task_story,
    plausibility_text,
    plural,
    projection_outcome,
    reason_of,
    runner_text,
    workload_title,
)

CHECK = "\N{CHECK MARK}"
CROSS = "\N{BALLOT X}"
NONE = "\N{EM DASH}"

MARKS: dict[Verdict, str] = {"within": CHECK, "above": f"{CROSS} above", "below": f"{CROSS} below"}
UNREACHABLE = f"{CROSS} not reachable"


@dataclass(frozen=True)
class Cell:
    """A measured value and, where the article has one, its expected value and the verdict."""

    value: str
    expected: str | None = None
    mark: str | None = None
    spread: str | None = None  # "±23%!" when the repetitions disagree
    refs: tuple[int, ...] = ()  # footnote numbers
    verdict: Verdict | None = None  # what mark says, for formats that color it

    def lines(self) -> tuple[str, ...]:
        first = " ".join(p for p in (self.value, self.spread, _refs(self.refs)) if p)
        if self.expected is None:
            # A verdict without an expected value beside it (the claim is in another column).
            return (" ".join(p for p in (first, self.mark) if p),)
        return (first, " ".join(p for p in (f"exp {self.expected}", self.mark) if p))


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()  # numbered footnotes, "[1] ..."
    footer: tuple[str, ...] = ()
    intro: str | None = None  # a sentence between the title and the grid


@dataclass
class _Notes:
    """Footnotes of one table: the same text gets the same number."""

    texts: list[str] = field(default_factory=list)

    def ref(self, text: str) -> int:
        if text not in self.texts:
            self.texts.append(text)
        return self.texts.index(text) + 1

    def lines(self) -> tuple[str, ...]:
        return tuple(f"[{i}] {t[:1].upper()}{t[1:]}" for i, t in enumerate(self.texts, start=1))


def _refs(refs: Sequence[int]) -> str:
    return "".join(f"[{r}]" for r in refs)


def spread_flag(stat: Stat | None) -> str | None:
    if stat is None or stat.cv is None or stat.cv <= SPREAD_CV:
        return None
    return f"\N{PLUS-MINUS SIGN}{stat.cv * 100:.0f}%!"


def stat_text(stat: Stat | None, scale: float = 1.0, whole: bool = False) -> str:
    """whole: a count (threads, switches), printed without decimals."""
    if stat is None:
        return NONE
    s = stat.scaled(scale)
    places = 0 if whole else None
    if s.n > 1:
        return units.span(s.median, s.min, s.max, places)
    return units.number(s.median, places)


def median_text(stat: Stat | None, scale: float = 1.0) -> str:
    """Median and spread flag only: for wide tables (sweeps) where a range per cell does not fit."""
    if stat is None:
        return NONE
    return " ".join(p for p in (units.number(stat.median * scale), spread_flag(stat)) if p)


def stat_cell(
    stat: Stat | None,
    scale: float = 1.0,
    check: ClaimCheck | None = None,
    claim: Claim | None = None,
    notes: _Notes | None = None,
) -> Cell:
    """'median (min-max)', the spread flag, and the article's value with a mark when it is off."""
    claim = check.claim if check is not None else claim
    texts = [caveat_text(c) for c in check.caveats] if check is not None else []
    mark = MARKS[check.verdict] if check is not None and check.verdict is not None else None
    plausible = check.plausibility if check is not None else None
    if plausible is not None and not plausible.reachable:
        # No machine at this rate could reach the claim, whatever the verdict: say so, not just "above".
        mark = " ".join(m for m in (mark, UNREACHABLE) if m)
        texts.append(plausibility_text(plausible))
    refs = tuple(notes.ref(text) for text in texts) if notes is not None else ()
    return Cell(
        value=stat_text(stat, scale),
        expected=claim.text() if claim is not None else None,
        mark=mark,
        verdict=check.verdict if check is not None else None,
        spread=spread_flag(stat),
        refs=refs,
    )


def _failure_cells(
    case: CaseSummary, claim_row: ClaimRow | None, columns: Sequence[Column | None], notes: _Notes
) -> tuple[Cell, ...]:
    """Every run failed: the first cell names the runner and the error kind, a footnote the message."""
    failure = case.main_failure()
    assert failure is not None
    ref = notes.ref(f"{case.label}: {runner_text(failure)} failed ({failure.kind}): {reason_of(failure)}")
    failed = case.runs - case.ok_runs
    first = Cell(
        f"FAILED {failed}/{case.runs}: {runner_text(failure)}, {failure.kind}",
        refs=(ref,),
        expected=_expected(claim_row, columns[0]),
    )
    return (first, *(Cell(NONE, expected=_expected(claim_row, c)) for c in columns[1:]))


def _expected(row: ClaimRow | None, column: Column | None) -> str | None:
    claim = row.claim(column) if row is not None and column is not None else None
    return claim.text() if claim is not None else None


def _label_cell(case: CaseSummary | None, row: ClaimRow | None, notes: _Notes) -> Cell:
    if case is None:
        assert row is not None
        return Cell(row.label)
    refs: tuple[int, ...] = ()
    failure = case.main_failure()
    if failure is not None and case.completed:
        refs = (
            notes.ref(
                f"{case.label}: {case.runs - case.ok_runs} of {case.runs} runs failed ({runner_text(failure)}, "
                f"{failure.kind}: {reason_of(failure)}); figures are over the {case.ok_runs} that finished"
            ),
        )
    return Cell(case.label, refs=refs)


def _not_measured(row: ClaimRow, columns: Sequence[Column | None]) -> tuple[Cell, ...]:
    first = Cell("not measured", expected=_expected(row, columns[0]))
    return (first, *(Cell(NONE, expected=_expected(row, c)) for c in columns[1:]))


def footer_lines(summary: Summary) -> tuple[str, ...]:
    lo, hi = summary.repetitions
    runs = f"{lo}" if lo == hi else f"{lo}{units.DASH}{hi}"
    tolerance = summary.claims.tolerance
    sweeps = ("Other task counts of a sweep are in the scale sweep tables.",) if summary.sweeps else ()
    return (
        *sweeps,
        f"Each cell: median (min{units.DASH}max) over {runs} measured runs per case "
        f"(warm-up runs excluded: {summary.warmups_ignored}).",
        f"Latency shown: {LATENCY_VIEW_TEXT[summary.latency_view]}; nearest-rank percentiles of each run.",
        "Memory shown: the cgroup peak, what the run's processes cost together with shared pages counted "
        "once (what BenchExec and the OOM killer count), MiB = 2^20 bytes; peak RSS, per task, VmPeak and "
        "the runtime's own view are in the memory details of report.md. The article's Memory column came "
        "from heap deltas (tracemalloc, MemStats.Alloc, heapUsed), which leave out the runtime's baseline "
        "that a process's memory includes.",
        f"exp = the article's figure (single values {CHECK} within \N{PLUS-MINUS SIGN}{tolerance * 100:g}%, "
        f"ranges as printed); {CROSS} above / {CROSS} below when outside. "
        f"\N{PLUS-MINUS SIGN}N%! = coefficient of variation over the runs above {SPREAD_CV * 100:g}%.",
    )


MeasuredCells = Callable[[CaseSummary, "_Notes"], tuple["Cell", ...]]


def _claim_table_rows(
    summary: Summary,
    workload: str,
    columns: tuple[Column | None, ...],
    measured: MeasuredCells,
    notes: _Notes,
    cores: int | None = None,
) -> tuple[tuple[Cell, ...], ...]:
    """The article's rows (measured, failed or not measured) and any other case of the workload."""
    rows: list[tuple[Cell, ...]] = []
    article = {row.match.get("language") for row in summary.claims.rows(workload)}
    for row, case in summary.table_rows(workload, cores):
        label = _label_cell(case, row, notes)
        if case is not None and article and case.case.language not in article:
            # Not an empty "exp": the article never measured this language.
            name = contract().display_name(case.case.language)
            label = replace(label, refs=(*label.refs, notes.ref(f"the article has no {name} figures: measured only")))
        if case is None:
            assert row is not None
            rows.append((label, *_not_measured(row, columns)))
        elif not case.completed:
            rows.append((label, *_failure_cells(case, row, columns, notes)))
        else:
            rows.append((label, *measured(case, notes)))
    return tuple(rows)


def io_table(summary: Summary) -> Table:
    view = summary.latency_view.replace("_", "-")
    p50, p99 = latency_figure(summary.latency_view, "p50"), latency_figure(summary.latency_view, "p99")

    def measured(case: CaseSummary, notes: _Notes) -> tuple[Cell, ...]:
        return (
            stat_cell(case.stat("total_ms"), check=case.check("total"), notes=notes),
            stat_cell(case.stat(p50), check=case.check("p50"), notes=notes),
            stat_cell(case.stat(p99), check=case.check("p99"), notes=notes),
            memory_cell(case, notes, check=case.check("memory")),
            stat_cell(case.stat("cpu_s")),
        )

    notes = _Notes()
    rows = _claim_table_rows(summary, "io", ("total", "p50", "p99", "memory", None), measured, notes)
    return Table(
        title="I/O-bound: each task waits D ms (the article: 1000 tasks, D = 10 ms)",
        headers=(
            "Approach",
            "Total time (ms)",
            f"p50 {view} (ms)",
            f"p99 {view} (ms)",
            "Memory: cgroup peak (MiB)",
            "CPU user+sys (s)",
        ),
        rows=rows,
        notes=notes.lines(),
        footer=footer_lines(summary),
    )


CPU_TITLES = {
    "cpu": "CPU-bound: each task hashes payload x repeat bytes with sha256 (the article: 1000 tasks)",
    "cpu-loop": "CPU-bound in the language's own code: each task hashes loop_bytes bytes with 32-bit FNV-1a",
}


def cpu_table(summary: Summary, workload: str = "cpu", cores: int | None = None) -> Table:
    def measured(case: CaseSummary, notes: _Notes) -> tuple[Cell, ...]:
        return (
            stat_cell(case.stat("total_ms"), check=case.check("total"), notes=notes),
            stat_cell(case.stat("cpu_s")),
            Cell(_busy_cores(case)),
            memory_cell(case, notes),
        )

    notes = _Notes()
    rows = _claim_table_rows(summary, workload, ("total", None, None, None), measured, notes, cores)
    title = CPU_TITLES.get(workload, workload_title(workload))
    return Table(
        title=title if cores is None else f"{title}, on {plural(cores, 'core')}",
        headers=(
            "Approach",
            "Total time (ms)",
            "CPU user+sys (s)",
            "CPU \N{DIVISION SIGN} wall",
            "Memory: cgroup peak (MiB)",
        ),
        rows=rows,
        notes=notes.lines(),
        footer=(
            "The article gives only wall time for this table; it never measured CPU time. "
            "CPU \N{DIVISION SIGN} wall = median CPU time / median total time: about the number of "
            "cores kept busy.",
        ),
    )


def memory_cell(case: CaseSummary, notes: _Notes, check: ClaimCheck | None = None) -> Cell:
    """The headline memory; a footnote where some runs had no cgroup and every process's RSS was summed."""
    cell = stat_cell(case.stat(MEMORY_FIGURE), 1 / MIB, check=check, notes=notes)
    if "processes" not in case.memory_sources:
        return cell
    ref = notes.ref(
        "no cgroup of its own: the memory shown is every process's peak RSS summed, so pages the "
        "processes share may count more than once"
    )
    return replace(cell, refs=(*cell.refs, ref))


def _busy_cores(case: CaseSummary) -> str:
    cpu, total = case.stat("cpu_s"), case.stat("total_ms")
    if cpu is None or total is None or total.median == 0:
        return NONE
    return units.number(cpu.median / (total.median / 1000), 2)


def where(workload: str, cores: int | None) -> str:
    """A case's workload, with its core count where it is on a core-count axis: "cpu, 2 cores"."""
    return workload if cores is None else f"{workload}, {cores} core{'s' if cores > 1 else ''}"


def case_names(summary: Summary) -> dict[str, str]:
    """Each case's label for a table that lists every case: with its N where the label alone repeats
    (a pool is labelled by its size, and the blocking scenario runs it at several N)."""
    repeats = Counter((c.label, c.case.workload, c.case.cores) for c in summary.cases)
    return {
        c.key: f"{c.label} N={c.case.tasks}" if repeats[(c.label, c.case.workload, c.case.cores)] > 1 else c.label
        for c in summary.cases
    }


def memory_table(summary: Summary) -> Table:
    names = case_names(summary)
    rows = tuple(
        (
            Cell(names[c.key]),
            Cell(where(c.case.workload, c.case.cores)),
            Cell(stat_text(c.stat(MEMORY_FIGURE), 1 / MIB)),
            Cell(stat_text(c.stat("memory_per_task_bytes"), 1 / units.KIB)),
            Cell(stat_text(c.stat("peak_rss_bytes"), 1 / MIB)),
            Cell(_processes(c)),
            Cell(stat_text(c.stat("vm_peak_bytes"), 1 / MIB)),
            Cell(runtime_view(c)),
            Cell(stat_text(c.stat("peak_threads"), whole=True)),
            Cell(stat_text(c.stat("peak_running"), whole=True)),
        )
        for c in summary.cases
        if c.completed
    )
    return Table(
        title="Memory details",
        headers=(
            "Approach",
            "Workload",
            "cgroup peak (MiB)",
            "Per task (KiB)",
            "Peak RSS (MiB)",
            "All processes' RSS (MiB)",
            "VmPeak (MiB)",
            "Runtime view (median)",
            "Peak threads",
            "Peak tasks running",
        ),
        rows=rows,
        footer=(
            "cgroup peak = the peak of the run's cgroup (the container's, or the local executor's own): every "
            "process of the run, shared pages counted once, and page cache first touched by the run (on "
            "cgroup v1; the warm-up run touches the runtime's files first). Per task = (cgroup peak - the "
            "cgroup's usage just before the window) / N. Peak RSS = VmHWM of the runner process itself. All "
            "processes' RSS = every process's VmHWM summed (a process pool's workers), which counts the pages "
            "forked workers share once per process: never the headline. VmPeak = peak virtual size (thread "
            "stacks count in full there, only touched pages in RSS).",
            "Runtime view: Go runtime.MemStats, Node.js process.memoryUsage(), Python gc/allocator "
            "counters, read after the timed window.",
            "Peak tasks running = the most tasks between their start and finish at the same instant, from the "
            "per-task stamps: memory per task only means 'per concurrent task' where this reaches N.",
        ),
    )


def _processes(case: CaseSummary) -> str:
    stat = case.stat("processes_peak_rss_bytes")
    count = case.stat("processes")
    if stat is None:
        return NONE
    text = stat_text(stat, 1 / MIB)
    return f"{text} ({round(count.median)} processes)" if count is not None and count.median > 1 else text


def runtime_view(case: CaseSummary) -> str:
    runner = contract().find_runner(case.case.language)
    keys = (runner.runtime_memory_shown if runner else ()) or tuple(sorted(case.runtime_stats))
    in_bytes = runner is not None and runner.runtime_memory_unit == "bytes"
    parts = []
    for key in keys:
        stat = case.runtime_stats.get(key)
        if stat is None:
            continue
        value = units.mib(stat.median) if in_bytes else units.number(stat.median)
        parts.append(f"{key} {value}")
    return ", ".join(parts) if parts else NONE


def latency_table(summary: Summary) -> Table:
    names = case_names(summary)
    figures = [*(latency_figure(v, p) for v in LATENCY_VIEWS for p in ("p50", "p99")), "submit_ms"]
    rows = tuple(
        (Cell(names[c.key]), Cell(where(c.case.workload, c.case.cores)), *(Cell(stat_text(c.stat(f))) for f in figures))
        for c in summary.cases
        if c.completed
    )
    return Table(
        title="Latency, both views (ms)",
        headers=(
            "Approach",
            "Workload",
            "service p50",
            "service p99",
            "end-to-end p50",
            "end-to-end p99",
            "submit all",
        ),
        rows=rows,
        footer=(
            f"service: {LATENCY_VIEW_TEXT['service']}. end-to-end: {LATENCY_VIEW_TEXT['end_to_end']}. "
            "They differ where tasks queue: a bounded pool, or a CPU-bound batch on fewer cores. "
            "submit all = from the window opening to the last submission: the model's cost of starting N tasks.",
        ),
    )


def wakeup_table(summary: Summary) -> Table:
    names = case_names(summary)
    figures = ("wakeup_early_tasks", "wakeup_earliest_ms", "wakeup_p50_ms", "wakeup_p99_ms", "wakeup_latest_ms")
    rows = tuple(
        (Cell(names[c.key]), *(Cell(stat_text(c.stat(f), whole=f == "wakeup_early_tasks")) for f in figures))
        for c in summary.cases
        if c.completed and c.stat("wakeup_p50_ms") is not None
    )
    return Table(
        title="Timers: wake-up error (ms, relative to D)",
        headers=("Approach", "Woke early (tasks)", "Earliest", "p50", "p99", "Latest"),
        rows=rows,
        footer=(
            "For each task (woke - started) - D: how late (positive) or early (negative) the runtime's timer or "
            "sleep returned, as the runtime gives it (no runner corrects its timers). Node.js timers run on "
            "libuv's millisecond clock and can fire up to 1 ms early; the other runtimes' sleeps never return "
            "early.",
        ),
    )


def checks_table(summary: Summary) -> Table:
    names = case_names(summary)
    rows = tuple(
        (
            Cell(names[c.key]),
            Cell(where(c.case.workload, c.case.cores)),
            Cell(stat_text(c.stat("cgroup_cpu_s"))),
            Cell(stat_text(c.stat("process_cpu_s"))),
            Cell(stat_text(c.stat("throttled_s"))),
            Cell(stat_text(c.stat("swap_pages"), whole=True)),
            Cell(stat_text(c.stat("steal_percent"))),
            Cell("; ".join(flag_text(f) for f in c.flags) or "ok"),
        )
        for c in summary.cases
        if c.completed
    )
    return Table(
        title="Measurement checks (BenchExec's)",
        headers=(
            "Approach",
            "Workload",
            "CPU, cgroup (s)",
            "CPU, rusage (s)",
            "Throttled (s)",
            "Swapped pages",
            "Steal (%)",
            "Flags",
        ),
        rows=rows,
        footer=(
            "Whole-process CPU time as the cgroup counted it and as the process's own rusage did, over the "
            "runner's whole life (the tables' CPU column is the timed window alone); throttling and swapping "
            "from the cgroup and /proc/vmstat; frequency governor, turbo, busy hyperthread siblings of the "
            "pinned cores and the hypervisor's steal time on them (/proc/stat: the share of their time other "
            "guests of a virtual machine's host took) from the machine, read around each run.",
        ),
    )


def cpu_tables(summary: Summary) -> tuple[Table, ...]:
    """The CPU-bound tables: one per CPU workload and core count, then how each approach scaled."""
    tables: list[Table] = []
    for workload in contract().workload_names:
        if workload in ("io", "mixed") or not summary.of_workload(workload):
            continue
        counts = summary.core_counts(workload)
        tables += [cpu_table(summary, workload, k) for k in counts]
        if any(line.workload == workload for line in summary.scaling):
            tables.append(scaling_table(summary, workload))
    return tuple(tables)


def scaling_table(summary: Summary, workload: str) -> Table:
    """Per approach and core count: time, speedup over 1 core, parallel efficiency (speedup / cores)."""
    counts = [k for k in summary.core_counts(workload) if k is not None]
    rows = []
    for line in (s for s in summary.scaling if s.workload == workload):
        cells = [Cell(line.label)]
        for k in counts:
            point = next((p for p in line.points if p.cores == k), None)
            if point is None:
                cells.append(Cell(NONE))
                continue
            extra = ""
            if point.speedup is not None and point.efficiency is not None:
                extra = f" (\N{MULTIPLICATION SIGN}{units.number(point.speedup, 2)}, {point.efficiency:.0%})"
            cells.append(Cell(f"{units.number(point.total_ms)}{extra}"))
        rows.append(tuple(cells))
    return Table(
        title=f"{CPU_TITLES.get(workload, workload_title(workload)).split(':')[0]}: scaling with cores",
        headers=("Approach", *(f"{plural(k, 'core')}: ms (speedup, efficiency)" for k in counts)),
        rows=tuple(rows),
        footer=(
            "Median total time at each core count; speedup = time on 1 core / time on k cores (the same "
            "approach and pool); efficiency = speedup / k, 100% being ideal. A pool sized to the cores "
            "(workers = k) is one line across the counts.",
        ),
    )


def sweep_table(sweep: Sweep) -> Table:
    notes = _Notes()
    rows: list[tuple[Cell, ...]] = []
    for p in sweep.points:
        status = f"{p.ok_runs}/{p.runs}"
        if p.failure is not None:
            ref = notes.ref(f"N={p.tasks}: {runner_text(p.failure)} failed ({p.failure.kind}): {reason_of(p.failure)}")
            status_cell = Cell(f"{status} {CROSS} {p.failure.kind}", refs=(ref,))
        else:
            status_cell = Cell(status)
        floor = NONE
        if p.total is not None and p.floor_ms:
            floor = f"{units.number(p.total.median / p.floor_ms)}x"
        marginal = p.marginal_bytes_per_task
        public = Cell(
            "; ".join(
                " ".join(
                    x
                    for x in (
                        _public_name(f.runtime_version),
                        f.claim.text(),
                        MARKS.get(f.verdict) if f.verdict else None,
                    )
                    if x
                )
                for f in p.publics
            )
            or NONE
        )
        rows.append(
            (
                Cell(str(p.tasks)),
                status_cell,
                Cell(median_text(p.memory, 1 / MIB)),
                Cell(median_text(p.peak_rss, 1 / MIB)),
                Cell(median_text(p.vm_peak, 1 / MIB)),
                Cell(NONE if p.peak_running is None else str(round(p.peak_running.median))),
                Cell(median_text(p.per_task, 1 / units.KIB)),
                Cell(NONE if marginal is None else units.number(marginal / units.KIB)),
                Cell(median_text(p.total)),
                Cell(floor),
                Cell(median_text(p.end_to_end_p99)),
                Cell(median_text(p.cpu)),
                public,
            )
        )
    return Table(
        title=f"{sweep.label}: {sweep_outcome(sweep)}",
        headers=(
            "N",
            "runs ok",
            "cgroup peak (MiB)",
            "Peak RSS (MiB)",
            "VmPeak (MiB)",
            "Peak running",
            "Per task (KiB)",
            "Marginal (KiB/task)",
            "Total (ms)",
            "Total \N{DIVISION SIGN} floor",
            "End-to-end p99 (ms)",
            "CPU (s)",
            "Public peak (MiB)",
        ),
        rows=tuple(rows),
        notes=notes.lines(),
        footer=("Medians over the runs of each N.",),
    )


def _public_name(runtime_version: str | None) -> str | None:
    """A version-specific public figure says which version it was measured on."""
    return f"(v{runtime_version})" if runtime_version else None


def sweep_outcome(sweep: Sweep) -> str:
    largest = sweep.largest_completed
    completed = f"completed up to N={largest}" if largest else "completed no N"
    reason = sweep.break_reason
    if sweep.broke_at is None or reason is None:
        return completed
    return f"{completed}; broke at N={sweep.broke_at} ({reason.kind}: {reason_of(reason)})"


def sweep_footer(summary: Summary) -> tuple[str, ...]:
    source = summary.claims.source("scale")
    lines = [
        "cgroup peak = the run's memory, shared pages counted once (the headline); per task = (cgroup peak - "
        "its usage just before the window) / N; marginal = slope of the median cgroup peak between this N and "
        "the previous completed one, i.e. what one more task costs; floor = the least possible total time, "
        "D x ceil(N / pool size) for I/O. Peak running = the most tasks overlapping at one instant: where it "
        "stays below N, spawning N tasks took longer than D and the point measures fewer concurrent tasks "
        "(raise --io-ms to hold all N at once, as the public benchmarks do with 10 s).",
    ]
    if source:
        lines.append(
            f"Public peak: {source} Different machines, versions and 10 s waits: a reference band, not a pass mark."
        )
    shown = {f.label for s in summary.sweeps for p in s.points for f in p.publics}
    sources = dict.fromkeys(
        f"{_public_name(s.runtime_version) or ''} {s.label}: {s.source}".strip()
        for s in summary.claims.scale
        if s.label in shown and s.source
    )
    lines += list(sources)
    return tuple(lines)


def mixed_tables(summary: Summary, cpu_ms: float | None) -> tuple[Table, ...]:
    """The mixed workload at each core count, then how each approach scaled."""
    if not summary.of_workload("mixed"):
        return ()
    tables = [mixed_table(summary, k, cpu_ms) for k in summary.core_counts("mixed")]
    if any(line.workload == "mixed" for line in summary.scaling):
        tables.append(scaling_table(summary, "mixed"))
    return tuple(tables)


def mixed_table(summary: Summary, cores: int | None, cpu_ms: float | None) -> Table:
    def measured(case: CaseSummary, notes: _Notes) -> tuple[Cell, ...]:
        return (
            stat_cell(case.stat("total_ms")),
            stat_cell(case.stat("wakeup_p50_ms")),
            stat_cell(case.stat("wakeup_p99_ms")),
            stat_cell(case.stat("cpu_s")),
            Cell(_busy_cores(case)),
            memory_cell(case, notes),
        )

    notes = _Notes()
    rows = _claim_table_rows(summary, "mixed", (None,) * 6, measured, notes, cores)
    cases = [c.case for c in summary.of_workload("mixed")]
    title = mixed_title(cases, cpu_ms)
    return Table(
        title=title if cores is None else f"{title}, on {plural(cores, 'core')}",
        headers=(
            "Approach",
            "Total time (ms)",
            "Wake-up late p50 (ms)",
            "Wake-up late p99 (ms)",
            "CPU user+sys (s)",
            "CPU \N{DIVISION SIGN} wall",
            "Memory: cgroup peak (MiB)",
        ),
        rows=rows,
        notes=notes.lines(),
        intro=mixed_intro(cases, cpu_ms),
        footer=(
            "Wake-up late = (woke - started) - D for each task's wait: an event loop busy with another task's "
            "CPU work wakes its waiting tasks late, which is what a server's other requests would feel. The "
            "article names a pick for this row but measured nothing.",
        ),
    )


# --- the article's analysis and guide ----------------------------------------------------------


def _ratio_cell(ratio: float) -> Cell:
    return Cell(f"{units.number(ratio, 2)}x")


def blocking_table(scenario: BlockingScenario) -> Table:
    """Python's threads beside asyncio (and a thread pool) at a few tasks: where threads stop being as good."""
    view = scenario.p99_figure
    pool = next((p.threadpool.case.pool_size for p in scenario.points if p.threadpool is not None), None)
    rows = []
    for point in scenario.points:
        threadpool = point.threadpool
        rows.append(
            (
                Cell(str(point.tasks)),
                Cell(stat_text(point.threading.stat("total_ms"))),
                Cell(stat_text(point.asyncio.stat("total_ms"))),
                Cell(stat_text(threadpool.stat("total_ms")) if threadpool else NONE),
                Cell(stat_text(point.threading.stat(view))),
                Cell(stat_text(point.asyncio.stat(view))),
                Cell(stat_text(threadpool.stat(view)) if threadpool else NONE),
                _ratio_cell(point.total_ratio),
                _ratio_cell(point.p99_ratio),
                Cell(CHECK if point.within else CROSS, verdict="within" if point.within else "above"),
            )
        )
    label = view.removesuffix("_ms").replace("_", " ").replace("end to end", "end-to-end")
    pool_name = f"ThreadPool({pool})" if pool is not None else "ThreadPool"
    return Table(
        title="Simple, blocking: Python's threads against asyncio at a few tasks (I/O-bound)",
        headers=(
            "N",
            "threading total (ms)",
            "asyncio total (ms)",
            f"{pool_name} total (ms)",
            f"threading {label} (ms)",
            f"asyncio {label} (ms)",
            f"{pool_name} {label} (ms)",
            "total: threads \N{DIVISION SIGN} asyncio",
            f"{label}: threads \N{DIVISION SIGN} asyncio",
            f"within {BLOCKING_MARGIN:.0%}",
        ),
        rows=tuple(rows),
        intro=blocking_text(scenario),
        footer=(
            "The article: 'Simple, blocking (legacy libs): threading OK (if few threads)'. Each task blocks in "
            "a sleep of D ms; threads are as good as asyncio at N while neither their median total time nor "
            f"their median p99 is more than {BLOCKING_MARGIN:.0%} above asyncio's. The threshold is the "
            "largest N up to which that held at every N measured.",
        ),
    )


def _kib_cell(value_bytes: float | None, claim: Claim, verdict: Verdict | None) -> Cell:
    if value_bytes is None:
        return Cell(NONE)
    return Cell(
        units.number(value_bytes / units.KIB),
        mark=MARKS[verdict] if verdict is not None else None,
        verdict=verdict,
    )


def per_task_table(checks: Sequence[PerTaskCheck]) -> Table:
    notes = _Notes()
    rows = []
    for check in checks:
        claim = check.claim.claim
        where = f"{check.label}, N={check.tasks:,}" if check.label is not None and check.tasks else "not measured"
        refs: tuple[int, ...] = ()
        story = per_task_story(check)
        if story:
            refs = (notes.ref(story),)
        if check.tasks is not None and not check.all_alive:
            refs = (*refs, notes.ref(NOT_ALL_ALIVE))
        rows.append(
            (
                Cell(check.claim.words),
                Cell(claim.text()),
                Cell(where, refs=refs),
                _kib_cell(check.resident_bytes, claim, check.resident_verdict),
                _kib_cell(check.virtual_bytes, claim, check.virtual_verdict),
            )
        )
    return Table(
        title="The article's analysis: memory per task (KiB)",
        headers=("The article", "Claimed", "Measured on", "Resident per task", "Virtual per task"),
        rows=tuple(rows),
        notes=notes.lines(),
        footer=(
            "Resident per task = (cgroup peak - the cgroup's usage just before the window) / N: memory the "
            "machine really gave the tasks. Virtual per task = the growth of the runner's VmPeak per added "
            "task between this N and the next smaller one: address space reserved, touched or not. The "
            "article's KB and MB are read as KiB and MiB.",
        ),
    )


def projection_table(checks: Sequence[ProjectionCheck]) -> Table:
    notes = _Notes()
    rows = []
    for check in checks:
        claim = check.claim.claim
        measured = Cell(NONE)
        if check.measured is not None:
            verdict = check.verdict
            measured = Cell(
                stat_text(check.measured, 1 / MIB), mark=MARKS[verdict] if verdict else None, verdict=verdict
            )
        resident = Cell(NONE)
        if check.projected_resident_bytes is not None:
            verdict = check.verdict if check.basis == "projected" else None
            resident = Cell(
                units.number(check.projected_resident_bytes / MIB),
                mark=MARKS[verdict] if verdict else None,
                verdict=verdict,
            )
        virtual = Cell(NONE)
        if check.projected_virtual_bytes is not None:
            verdict = check.virtual_verdict
            virtual = Cell(
                units.number(check.projected_virtual_bytes / MIB),
                mark=MARKS[verdict] if verdict else None,
                verdict=verdict,
            )
        outcome = projection_outcome(check)
        rows.append(
            (
                Cell(check.claim.words),
                Cell(claim.text()),
                Cell(f"{check.tasks:,}"),
                measured,
                resident,
                virtual,
                Cell(outcome if len(outcome) < 40 else NONE, refs=(notes.ref(outcome),) if len(outcome) >= 40 else ()),
            )
        )
    return Table(
        title="The article's analysis: memory at 10,000 and 100,000 tasks (MiB)",
        headers=(
            "The article",
            "Claimed",
            "N",
            "Measured (cgroup peak)",
            "Projected resident",
            "Projected virtual",
            "Outcome",
        ),
        rows=tuple(rows),
        notes=notes.lines(),
        footer=(
            "Measured = the cgroup peak of a run at that N (a sweep reaching it). Projected = the memory at the "
            "per-task table's N plus the per-task figure for each further task, which is the article's own "
            "arithmetic with measured figures in it; it is judged only where nothing was measured at that N.",
        ),
    )


def article_guide_table(report: Report) -> Table:
    """The article's four rows, each language's cell with the article's pick beside the measured one."""
    cells = report.article.guide
    languages = list(dict.fromkeys(c.language for c in cells))
    view = report.summary.latency_view
    rows = []
    for row in dict.fromkeys(c.row for c in cells):
        mine = {c.language: c for c in cells if c.row is row}
        texts = []
        for language in languages:
            cell = mine.get(language)
            if cell is None:
                texts.append(Cell(NONE))
                continue
            texts.append(Cell(guide_cell_text(cell, view)))
        rows.append((Cell(row.label), *texts))
    return Table(
        title="The article's decision guide, beside the measured picks",
        headers=("Use case", *(contract().display_name(lang) for lang in languages)),
        rows=tuple(rows),
        footer=(
            "Each cell: the article's pick, then the pick the decision guide below made from these measurements "
            "and the figures that decided it. CPU-bound and mixed cells rest on the most cores measured.",
        ),
    )


# --- groups side by side (a fleet's hosts, a language's runtimes) ------------------------------

# compare's verdicts, read with the reference group as A and this group as B.
SIDE_VERDICT_TEXT = {
    "only in A": "not run here",
    "only in B": "only here",
    "failed in A": "failed on the reference",
    "failed in B": "failed here",
    "failed in both": "failed on both",
    "insufficient data": "too few runs for a verdict",
    "no significant difference": "within the noise",
}


def side_tables(rows: Sequence[SideRow], groups: Sequence[str], reference: str, what: str = "") -> tuple[Table, ...]:
    """One table per figure: a row per case, a column per group, the reference's column first as given."""
    tables = []
    names = Counter((row.figure, row.label, row.workload, row.cores) for row in rows)

    def name(row: SideRow) -> str:
        # A label that is not unique in its table (pools are labelled by size) gets its N.
        n = f", N={row.tasks}" if names[(row.figure, row.label, row.workload, row.cores)] > 1 else ""
        return f"{row.label} [{where(row.workload, row.cores)}{n}]"

    for figure in dict.fromkeys(row.figure for row in rows):
        spec = FIGURES[figure]
        unit, scale = ("MiB", 1 / MIB) if spec.unit == "bytes" else (spec.unit, 1.0)
        table_rows = tuple(
            (
                Cell(name(row)),
                *(_side_cell(c, scale, spec.kind == "count") for c in row.cells),
            )
            for row in rows
            if row.figure == figure
        )
        tables.append(
            Table(
                title=f"{what}{spec.label} ({unit})",
                headers=("Case", *(f"{g} (reference)" if g == reference else g for g in groups)),
                rows=table_rows,
            )
        )
    return tuple(tables)


def _side_cell(cell: SideCell, scale: float, whole: bool) -> Cell:
    value = stat_text(cell.stat, scale, whole) if cell.stat is not None else NONE
    if cell.verdict is None:
        return Cell(value)
    if cell.verdict in SIGNIFICANT and cell.ratio is not None:
        factor = cell.ratio if cell.ratio >= 1 else 1 / cell.ratio
        return Cell(value, mark=f"\N{MULTIPLICATION SIGN}{cell.ratio:.2f}, {factor:.2f}x {cell.verdict}")
    ratio = f"\N{MULTIPLICATION SIGN}{cell.ratio:.2f}, " if cell.ratio is not None and cell.stat is not None else ""
    return Cell(value, mark=f"{ratio}{SIDE_VERDICT_TEXT.get(cell.verdict, cell.verdict)}")


def runtime_tables(view: RuntimeView) -> tuple[Table, ...]:
    name = contract().display_name(view.language)
    return side_tables(view.rows, view.runtimes, view.reference, f"{name} runtimes side by side: ")
