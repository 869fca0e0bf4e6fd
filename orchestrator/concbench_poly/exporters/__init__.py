"""Exporters: each turns a Summary (or compare rows) into a string; report_writer decides where it goes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from concbench_poly.aggregate import Summary
from concbench_poly.compare import ComparisonRow
from concbench_poly.exporters.compare_format import compare_csv, compare_json, compare_markdown, compare_table
from concbench_poly.exporters.csv_rows import export_csv
from concbench_poly.exporters.json_doc import export_json
from concbench_poly.exporters.markdown import export_markdown
from concbench_poly.exporters.table import export_table

EXPORTERS: dict[str, Callable[[Summary], str]] = {
    "table": export_table,
    "markdown": export_markdown,
    "json": export_json,
    "csv": export_csv,
}

COMPARE_EXPORTERS: dict[str, Callable[[Sequence[ComparisonRow]], str]] = {
    "table": compare_table,
    "markdown": compare_markdown,
    "json": compare_json,
    "csv": compare_csv,
}

__all__ = ["COMPARE_EXPORTERS", "EXPORTERS"]
