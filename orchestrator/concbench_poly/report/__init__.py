"""Exporters: pure functions of the report model (analysis.report_model.Report) or of compare rows.

Text formats return str, plots return bytes; report/writer.py alone decides where they go.
"""

from __future__ import annotations

from collections.abc import Callable

from concbench_poly.analysis.compare import Comparison
from concbench_poly.analysis.report_model import Report
from concbench_poly.report.compare_format import compare_csv, compare_json, compare_markdown, compare_table
from concbench_poly.report.csv_rows import export_csv
from concbench_poly.report.json_doc import export_json
from concbench_poly.report.markdown import export_markdown
from concbench_poly.report.table import export_table

EXPORTERS: dict[str, Callable[[Report], str]] = {
    "table": export_table,
    "markdown": export_markdown,
    "json": export_json,
    "csv": export_csv,
}

COMPARE_EXPORTERS: dict[str, Callable[[Comparison], str]] = {
    "table": compare_table,
    "markdown": compare_markdown,
    "json": compare_json,
    "csv": compare_csv,
}

__all__ = ["COMPARE_EXPORTERS", "EXPORTERS"]
