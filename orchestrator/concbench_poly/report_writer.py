"""The one place that writes report files: summary.json, report.md, report.csv and plots/.

Everything is derived from the raw results alone, with no clock and in a fixed order, so that
`concbench-poly report DIR` regenerates byte-identical files from the same raw/ directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from concbench_poly.aggregate import LATENCY_VIEWS, LatencyView, Summary, summarize
from concbench_poly.claims import Claims, load_claims
from concbench_poly.exporters.csv_rows import export_csv
from concbench_poly.exporters.json_doc import export_json
from concbench_poly.exporters.markdown import export_markdown
from concbench_poly.results import RunResult
from concbench_poly.results_store import write_atomic

SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.md"
CSV_FILE = "report.csv"
PLOTS_DIR = "plots"


@dataclass(frozen=True)
class ReportFiles:
    summary_json: Path
    report_md: Path
    report_csv: Path
    plots: tuple[Path, ...]

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written: the three reports, then the plots."""
        return (self.summary_json, self.report_md, self.report_csv, *self.plots)


def write_report(
    out_dir: Path,
    results: Sequence[RunResult],
    latency_view: LatencyView | str = "service",
    *,
    claims: Claims | None = None,
    plots: bool = True,
    plot_views: Sequence[LatencyView] = LATENCY_VIEWS,
) -> ReportFiles:
    """Summarize results and write the report files under out_dir; returns what was written.

    claims: None means the packaged claims.json.
    """
    summary = summarize(results, claims=load_claims() if claims is None else claims, latency_view=latency_view)
    return write_summary(out_dir, summary, plots=plots, plot_views=plot_views)


def write_summary(
    out_dir: Path,
    summary: Summary,
    *,
    plots: bool = True,
    plot_views: Sequence[LatencyView] = LATENCY_VIEWS,
) -> ReportFiles:
    plot_paths: list[Path] = []
    plot_refs: list[tuple[str, str]] = []
    if plots:
        # Imported here: matplotlib takes a noticeable time to load and only plots need it.
        from concbench_poly.plots import render_plots

        for plot in render_plots(summary, views=plot_views):
            png = out_dir / PLOTS_DIR / f"{plot.stem}.png"
            svg = out_dir / PLOTS_DIR / f"{plot.stem}.svg"
            write_atomic(png, plot.png)
            write_atomic(svg, plot.svg)
            plot_paths += [png, svg]
            plot_refs.append((f"{PLOTS_DIR}/{plot.stem}.png", plot.title))
    summary_json = out_dir / SUMMARY_FILE
    report_md = out_dir / REPORT_FILE
    report_csv = out_dir / CSV_FILE
    write_atomic(summary_json, export_json(summary))
    write_atomic(report_md, export_markdown(summary, plots=plot_refs))
    write_atomic(report_csv, export_csv(summary))
    return ReportFiles(summary_json=summary_json, report_md=report_md, report_csv=report_csv, plots=tuple(plot_paths))
