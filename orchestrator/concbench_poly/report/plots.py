"""Charts of a Summary as PNG and SVG bytes; report_writer decides where they are written.

Rendering is deterministic so that `report` regenerates byte-identical files: Agg canvas on a
bare Figure (no pyplot state), a fixed style, a fixed SVG hash salt, and no date or software
version in the files' metadata.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import matplotlib
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from concbench_poly.analysis.aggregate import CaseSummary, Summary
from concbench_poly.analysis.claims import Column
from concbench_poly.analysis.figures import LATENCY_VIEWS, MEMORY_FIGURE, LatencyView
from concbench_poly.analysis.report_model import Report
from concbench_poly.analysis.scaling import ScalingLine
from concbench_poly.config import MIB
from concbench_poly.contract import contract
from concbench_poly.report import units
from concbench_poly.report.text import plural, workload_title

STYLE: dict[str, Any] = {
    "svg.hashsalt": "concbench-poly",
    "svg.fonttype": "path",  # glyphs as paths: identical output whatever fonts the viewer has
    "font.family": "DejaVu Sans",  # bundled with matplotlib, so every machine renders the same
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "path.simplify": False,
}
PNG_METADATA: dict[str, str | None] = {"Software": None}
SVG_METADATA: dict[str, str | None] = {"Date": None, "Creator": None, "Format": None, "Type": None}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# Five languages' approaches outnumber the ten colors: a line chart also marks each language's points
# with its own shape and draws the second round of colors dashed, so no two lines look alike.
LANGUAGE_MARKERS = {"python": "o", "go": "s", "node": "^", "java": "D", "rust": "v"}
LINE_STYLES = ("-", "--", ":")
RUNTIME_MARKERS = ("o", "D", "^")


@dataclass(frozen=True)
class Plot:
    stem: str  # file name without extension, "latency_cdf_io"
    title: str
    png: bytes
    svg: bytes


def render_plots(report: Report, views: Sequence[LatencyView] = LATENCY_VIEWS) -> list[Plot]:
    """Every chart the report has data for, in a fixed order."""
    summary = report.summary
    plots: list[Plot] = []
    with _style():
        for workload in contract().workload_names:
            # On a core-count axis the bars show the largest count; the speedup plot shows them all.
            cores = summary.core_counts(workload)[-1]
            cases = _headline_cases(summary, workload, cores)
            if not cases:
                continue
            text = workload_title(workload) + (f", {plural(cores, 'core')}" if cores else "")
            if any(c.cdf for c in cases):
                plots.append(
                    _save(f"latency_cdf_{workload}", f"Latency CDF, {text}", _latency_cdf(summary, cases, text, views))
                )
            memory = _memory_bars(summary, cases, text)
            plots.append(_save(f"memory_{workload}", f"Memory (cgroup peak), {text}", memory))
            plots.append(_save(f"cpu_time_{workload}", f"CPU time, {text}", _cpu_bars(summary, cases, text)))
            lines = [line for line in summary.scaling if line.workload == workload]
            if lines:
                title = f"Speedup with cores, {workload_title(workload)}"
                plots.append(_save(f"speedup_{workload}", title, _speedup(summary, lines, title)))
        if any(p.memory is not None for s in summary.sweeps for p in s.points):
            plots.append(_save("scaling_memory", "Memory (cgroup peak) vs number of tasks", _scaling(summary)))
    return plots


@contextmanager
def _style() -> Iterator[None]:
    # rc_context's stub types keys as a Literal union; STYLE's keys are checked at run time instead.
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def _save(stem: str, title: str, figure: Figure) -> Plot:
    FigureCanvasAgg(figure)
    png, svg = io.BytesIO(), io.BytesIO()
    figure.savefig(png, format="png", metadata=PNG_METADATA)
    figure.savefig(svg, format="svg", metadata=SVG_METADATA)
    return Plot(stem=stem, title=title, png=png.getvalue(), svg=svg.getvalue())


def _headline_cases(summary: Summary, workload: str, cores: int | None = None) -> list[CaseSummary]:
    """The cases of the main table (article rows and other non-sweep cases), measured or failed."""
    return [case for _, case in summary.table_rows(workload, cores) if case is not None]


def _speedup(summary: Summary, lines: Sequence[ScalingLine], title: str) -> Figure:
    """Speedup over 1 core against cores, one line per approach, and the ideal line y = x."""
    figure = Figure(figsize=(7.0, 5.0), layout="constrained")
    ax: Axes = figure.subplots()
    top = max(p.cores for line in lines for p in line.points)
    ideal = list(range(1, top + 1))
    ax.plot(ideal, ideal, color="#555555", linestyle="--", linewidth=1, label="ideal (speedup = cores)")
    for index, line in enumerate(lines):
        points = [(p.cores, p.speedup) for p in line.points if p.speedup is not None]
        if not points:
            continue
        ax.plot(
            [cores for cores, _ in points],
            [speedup for _, speedup in points],
            marker=LANGUAGE_MARKERS.get(line.language, "o"),
            linestyle=LINE_STYLES[index // len(PALETTE) % len(LINE_STYLES)],
            linewidth=1.8,
            color=PALETTE[index % len(PALETTE)],
            label=line.label,
        )
    ax.set_xticks(ideal)
    ax.set_xlim(0.8, top + 0.2)
    ax.set_ylim(0, top * 1.15)
    ax.set_xlabel("cores")
    ax.set_ylabel("speedup over 1 core (median total time)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return figure


def _approach(case: CaseSummary) -> tuple[Any, ...]:
    # Workload and sizes left out: Python threading is the same color in the I/O and CPU charts.
    return case.case.language, case.case.approach, case.case.pool_size, case.case.workers


def _color(summary: Summary, case: CaseSummary) -> str:
    """One color per approach, the same in every chart of the report."""
    approaches: list[tuple[Any, ...]] = []
    for other in summary.cases:
        if _approach(other) not in approaches:
            approaches.append(_approach(other))
    return PALETTE[approaches.index(_approach(case)) % len(PALETTE)]


def _plain_log_ticks(axis: Any, subs: tuple[float, ...] = (1.0, 2.0, 5.0)) -> None:
    """Log axis labelled 1, 2, 5, 10, 20 ... as plain numbers rather than powers of ten."""
    axis.set_major_locator(ticker.LogLocator(base=10, subs=subs))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


def _latency_cdf(summary: Summary, cases: Sequence[CaseSummary], text: str, views: Sequence[LatencyView]) -> Figure:
    figure = Figure(figsize=(6.0 * len(views), 4.8), layout="constrained")
    axes = figure.subplots(1, len(views), squeeze=False)[0]
    fractions = [i / 100 for i in range(101)]
    for ax, view in zip(axes, views, strict=True):
        values = [v for c in cases for v in c.cdf.get(view, ())]
        for case in cases:
            cdf = case.cdf.get(view)
            if cdf is not None:
                ax.plot(
                    cdf, fractions, drawstyle="steps-post", color=_color(summary, case), label=case.label, linewidth=1.6
                )
        if values and min(values) > 0 and max(values) / min(values) > 20:
            # Pool queues stretch latencies over decades; a linear axis would squash the fast ones.
            ax.set_xscale("log")
            _plain_log_ticks(ax.xaxis)
        ax.set_xlabel(f"{view.replace('_', '-')} latency (ms)")
        ax.set_ylabel("fraction of tasks")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{view.replace('_', '-')} latency")
        if values:
            ax.legend(loc="lower right", fontsize=8)
    figure.suptitle(f"Latency CDF, {text} (median of each percentile over the runs)")
    missing = [c.label for c in cases if not c.cdf]
    if missing:
        figure.supxlabel(f"No latency data (every run failed): {', '.join(missing)}", fontsize=8, color="#d62728")
    return figure


def _bars(
    summary: Summary,
    cases: Sequence[CaseSummary],
    figure_name: str,
    scale: float,
    ylabel: str,
    title: str,
    claims_column: Column | None = None,
) -> Figure:
    figure = Figure(figsize=(max(6.0, 1.3 * len(cases) + 2), 4.8), layout="constrained")
    ax: Axes = figure.subplots()
    positions = list(range(len(cases)))
    top = 0.0
    claim_drawn = False
    for x, case in zip(positions, cases, strict=True):
        stat = case.stat(figure_name)
        if stat is None:
            failure = case.main_failure()
            ax.text(
                x,
                0,
                f"failed\n{failure.kind if failure else 'no data'}",
                ha="center",
                va="bottom",
                color="#d62728",
                fontsize=8,
            )
            continue
        median, lo, hi = stat.median * scale, stat.min * scale, stat.max * scale
        top = max(top, hi)
        ax.bar(x, median, width=0.6, color=_color(summary, case), alpha=0.85)
        ax.errorbar(x, median, yerr=[[median - lo], [hi - median]], fmt="none", ecolor="black", capsize=4, linewidth=1)
        ax.annotate(units.number(median), (x, hi), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
        claim = case.claim_row.claim(claims_column) if case.claim_row and claims_column else None
        if claim is not None:
            ax.vlines(
                x + 0.38,
                claim.lo,
                claim.hi,
                colors="#555555",
                linewidth=5,
                alpha=0.45,
                label="_nolegend_" if claim_drawn else "article's figure (range or value)",
            )
            ax.plot([x + 0.38], [claim.stated[0]], marker="_", color="#555555", markersize=10)
            top = max(top, claim.hi)
            claim_drawn = True
    ax.set_xticks(positions, [c.label for c in cases], rotation=20, ha="right")
    ax.set_xlim(-0.7, len(cases) - 0.3)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, top * 1.15 if top > 0 else 1)
    ax.set_title(title)
    if claim_drawn:
        ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="x", visible=False)
    return figure


def _memory_bars(summary: Summary, cases: Sequence[CaseSummary], text: str) -> Figure:
    return _bars(
        summary,
        cases,
        MEMORY_FIGURE,
        1 / MIB,
        "memory: cgroup peak (MiB)",
        f"Memory (cgroup peak), {text}: median, bars = min\N{EN DASH}max over runs",
        claims_column="memory",
    )


def _cpu_bars(summary: Summary, cases: Sequence[CaseSummary], text: str) -> Figure:
    return _bars(
        summary,
        cases,
        "cpu_s",
        1.0,
        "CPU time, user + system (s)",
        f"CPU time, {text}: median, bars = min\N{EN DASH}max over runs",
    )


def _scaling(summary: Summary) -> Figure:
    figure = Figure(figsize=(8.0, 5.4), layout="constrained")
    ax: Axes = figure.subplots()
    xs_all: list[float] = []
    ys_all: list[float] = []
    shown_series: set[str] = set()
    # An approach keeps its color on every runtime; its runtimes differ in line style and marker.
    runtimes_drawn: dict[tuple[Any, ...], int] = {}
    for sweep in summary.sweeps:
        first = summary.case(sweep.points[0].case_key)
        assert first is not None
        color = _color(summary, first)
        nth = runtimes_drawn.get(_approach(first), 0)
        runtimes_drawn[_approach(first)] = nth + 1
        done = [p for p in sweep.points if p.memory is not None]
        if done:
            xs = [p.tasks for p in done]
            ys = [p.memory.median / MIB for p in done if p.memory]
            lo = [y - p.memory.min / MIB for y, p in zip(ys, done, strict=True) if p.memory]
            hi = [p.memory.max / MIB - y for y, p in zip(ys, done, strict=True) if p.memory]
            ax.errorbar(
                xs,
                ys,
                yerr=[lo, hi],
                color=color,
                marker=RUNTIME_MARKERS[nth % len(RUNTIME_MARKERS)],
                linestyle=LINE_STYLES[nth % len(LINE_STYLES)],
                linewidth=1.8,
                capsize=3,
                label=f"measured: {sweep.label}",
            )
            xs_all += xs
            ys_all += ys
        if sweep.broke_at is not None and sweep.break_reason is not None and done:
            # Nothing was measured where it broke; the cross sits at the last peak it reached.
            last = done[-1]
            y = last.memory.median / MIB if last.memory else 1.0
            ax.plot([last.tasks, sweep.broke_at], [y, y], color=color, linestyle="--", linewidth=1)
            ax.plot([sweep.broke_at], [y], marker="X", markersize=10, color=color, linestyle="none")
            ax.annotate(
                f"broke at N={sweep.broke_at:,}: {sweep.break_reason.kind}",
                (sweep.broke_at, y),
                textcoords="offset points",
                xytext=(8, -4),
                fontsize=8,
                color=color,
            )
            xs_all.append(sweep.broke_at)
        runtimes = tuple(r for p in sweep.points if (c := summary.case(p.case_key)) for r in c.runtimes)
        for series in summary.claims.scale_for(first.case, runtimes):
            if series.label in shown_series:
                continue
            shown_series.add(series.label)
            px = [p.tasks for p in series.points]
            ax.fill_between(
                px,
                [p.claim.lo for p in series.points],
                [p.claim.hi for p in series.points],
                color=color,
                alpha=0.15,
                linewidth=0,
            )
            ax.plot(
                px,
                [(p.claim.lo + p.claim.hi) / 2 for p in series.points],
                color=color,
                linestyle=":",
                marker="s",
                markersize=4,
                label=f"public: {series.label}",
            )
            xs_all += px
            ys_all += [p.claim.hi for p in series.points]
    limits = summary.environment.memory_limits_bytes
    if len(limits) == 1:
        ax.axhline(limits[0] / MIB, color="#d62728", linestyle="--", linewidth=1)
        ax.annotate(
            f"container memory limit {limits[0] / MIB:g} MiB",
            (min(xs_all or [1]), limits[0] / MIB),
            textcoords="offset points",
            xytext=(2, 4),
            fontsize=8,
            color="#d62728",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_log_ticks(ax.xaxis, subs=(1.0,))
    _plain_log_ticks(ax.yaxis)
    if xs_all:
        ax.set_xlim(min(xs_all) / 1.5, max(xs_all) * 1.5)
    if ys_all:
        ax.set_ylim(max(min(ys_all) / 2, 0.1), max(ys_all + [lim / MIB for lim in limits]) * 2)
    ax.set_xlabel("concurrent tasks N (log scale)")
    ax.set_ylabel("memory: cgroup peak (MiB, log scale)")
    ax.set_title("Memory vs N: measured medians (bars: min\N{EN DASH}max), public figures as bands")
    # Lower right: the upper left holds the memory-limit line's label, and small N sit low on the left.
    ax.legend(loc="lower right", fontsize=8)
    never = [
        f"{s.label} ({s.break_reason.kind})"
        for s in summary.sweeps
        if s.largest_completed is None and s.break_reason is not None
    ]
    if never:
        figure.supxlabel(f"Failed at every N: {', '.join(never)}", fontsize=8, color="#d62728")
    return figure
