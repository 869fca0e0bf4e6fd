"""Plots: valid PNG/SVG files, the expected set of charts, byte-identical when regenerated."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from PIL import Image

from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.report_model import Report, build_report
from concbench_poly.report.plots import Plot, render_plots
from tests.factories import ok

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_chart_set(plots: list[Plot]) -> None:
    assert [p.stem for p in plots] == [
        "latency_cdf_io",
        "memory_io",
        "cpu_time_io",
        "latency_cdf_cpu",
        "memory_cpu",
        "cpu_time_cpu",
        "latency_cdf_mixed",
        "memory_mixed",
        "cpu_time_mixed",
        "speedup_mixed",
        "scaling_memory",
    ]


def test_no_scaling_chart_without_a_sweep() -> None:
    stems = [p.stem for p in render_plots(build_report([ok("go", "goroutines")], claims=load_claims()))]
    assert stems == ["latency_cdf_io", "memory_io", "cpu_time_io"]


def test_no_cdf_chart_without_cdf_data() -> None:
    stems = [p.stem for p in render_plots(build_report([ok(with_cdf=False)], claims=load_claims()))]
    assert "latency_cdf_io" not in stems


def test_files_are_valid_images(plots: list[Plot]) -> None:
    for plot in plots:
        assert plot.png.startswith(PNG_SIGNATURE)
        image = Image.open(io.BytesIO(plot.png))
        image.verify()
        assert image.size[0] >= 600 and image.size[1] >= 400
        root = ET.fromstring(plot.svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_no_timestamps_or_versions_in_files(plots: list[Plot]) -> None:
    for plot in plots:
        assert b"<dc:date>" not in plot.svg
        assert b"Matplotlib v" not in plot.svg and b"Matplotlib v" not in plot.png


def test_regenerated_bytes_are_identical(report: Report, plots: list[Plot]) -> None:
    again = render_plots(report)
    assert [(p.stem, p.png, p.svg) for p in again] == [(p.stem, p.png, p.svg) for p in plots]


def test_one_view_only(report: Report, plots: list[Plot]) -> None:
    single = {p.stem: p for p in render_plots(report, views=("end_to_end",))}
    both = {p.stem: p for p in plots}
    # One panel instead of two: half as wide.
    single_width = Image.open(io.BytesIO(single["latency_cdf_io"].png)).size[0]
    both_width = Image.open(io.BytesIO(both["latency_cdf_io"].png)).size[0]
    assert single_width * 2 == both_width
