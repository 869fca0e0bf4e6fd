"""The one place that decides where report files go: summary.json, report.md, report.csv,
report.html and plots/ under a results directory.

Everything is derived from the report model alone, with no clock and in a fixed order, so that
`concbench-poly report DIR` regenerates byte-identical files from the same raw/ directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from concbench_poly.analysis.figures import LATENCY_VIEWS, LatencyView
from concbench_poly.analysis.fleet import FleetReport
from concbench_poly.analysis.report_model import Report
from concbench_poly.files import write_atomic
from concbench_poly.report.csv_rows import export_csv
from concbench_poly.report.html import export_html
from concbench_poly.report.json_doc import export_json
from concbench_poly.report.markdown import export_markdown

SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.md"
CSV_FILE = "report.csv"
HTML_FILE = "report.html"
PLOTS_DIR = "plots"


@dataclass(frozen=True)
class ReportFiles:
    summary_json: Path
    report_md: Path
    report_csv: Path
    report_html: Path
    plots: tuple[Path, ...]

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written: the reports, then the plots."""
        return (self.summary_json, self.report_md, self.report_csv, self.report_html, *self.plots)


def write_report(
    out_dir: Path,
    report: Report,
    *,
    plots: bool = True,
    plot_views: Sequence[LatencyView] = LATENCY_VIEWS,
) -> ReportFiles:
    """Render every export of the report and write it under out_dir; returns what was written."""
    rendered = []
    if plots:
        # Imported here: matplotlib takes a noticeable time to load and only plots need it.
        from concbench_poly.report.plots import render_plots

        rendered = render_plots(report, views=plot_views)
    plot_paths: list[Path] = []
    for plot in rendered:
        png = out_dir / PLOTS_DIR / f"{plot.stem}.png"
        svg = out_dir / PLOTS_DIR / f"{plot.stem}.svg"
        write_atomic(png, plot.png)
        write_atomic(svg, plot.svg)
        plot_paths += [png, svg]
    plot_refs = [(f"{PLOTS_DIR}/{plot.stem}.png", plot.title) for plot in rendered]
    files = ReportFiles(
        summary_json=out_dir / SUMMARY_FILE,
        report_md=out_dir / REPORT_FILE,
        report_csv=out_dir / CSV_FILE,
        report_html=out_dir / HTML_FILE,
        plots=tuple(plot_paths),
    )
    write_atomic(files.summary_json, export_json(report))
    write_atomic(files.report_md, export_markdown(report, plots=plot_refs))
    write_atomic(files.report_csv, export_csv(report))
    write_atomic(files.report_html, export_html(report, plots=rendered))
    return files


FLEET_MD = "fleet.md"
FLEET_JSON = "fleet-summary.json"
FLEET_CSV = "fleet.csv"


def write_fleet_report(out_dir: Path, report: FleetReport) -> tuple[Path, ...]:
    """The fleet's side-by-side files at the top of its results directory (each host's own report
    is in its folder, written by write_report)."""
    from concbench_poly.report.fleet_format import fleet_csv, fleet_json, fleet_markdown

    paths = (out_dir / FLEET_MD, out_dir / FLEET_JSON, out_dir / FLEET_CSV)
    for path, text in zip(paths, (fleet_markdown(report), fleet_json(report), fleet_csv(report)), strict=True):
        write_atomic(path, text)
    return paths
