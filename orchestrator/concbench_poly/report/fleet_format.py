"""The fleet report's renderings: the hosts, then per figure the hosts side by side (terminal, markdown,
JSON, CSV). Pure functions of a FleetReport; writer.write_fleet_report decides where they go."""

from __future__ import annotations

import csv
import io
from typing import Any

from concbench_poly.analysis.compare import MIN_RELATIVE_CHANGE, MIN_RUNS
from concbench_poly.analysis.fleet import FleetHost, FleetReport
from concbench_poly.json_format import dump_json
from concbench_poly.report import units
from concbench_poly.report.cells import NONE, Cell, Table, side_tables
from concbench_poly.report.json_doc import side_row_json
from concbench_poly.report.markdown import render_table as markdown_table
from concbench_poly.report.table import render_table as terminal_table
from concbench_poly.report.text import LATENCY_VIEW_TEXT

TITLE = "concbench-poly fleet report"

NOTE = (
    f"Each host's median (min\N{EN DASH}max) over its runs; beside it, the ratio to the reference host's median "
    f"and compare's verdict: called only where the two [min, max] ranges do not overlap, both sides have at least "
    f"{MIN_RUNS} runs and the medians differ by {MIN_RELATIVE_CHANGE:.0%} or more."
)


def hosts_table(report: FleetReport) -> Table:
    rows = []
    for host in report.hosts:
        machine = host.machine
        rows.append(
            (
                Cell(host.name + (" (reference)" if host.name == report.reference else "")),
                Cell(f"{host.url} ({host.transport})"),
                Cell(str(machine.get("cpu_model") or "?")),
                Cell(f"{machine.get('cpu_count') or '?'}"),
                Cell(str(machine.get("kernel") or "?")),
                Cell(str(machine.get("docker_version") or "?")),
                Cell(f"v{machine['cgroup_version']}" if machine.get("cgroup_version") else "?"),
                Cell(_limits(host)),
                Cell(", ".join(f"{k}={v}" for k, v in host.labels) or NONE),
                Cell(_status(host)),
            )
        )
    return Table(
        title="Hosts",
        headers=("Host", "Engine", "CPU", "CPUs", "Kernel", "Docker", "cgroup", "Limits", "Labels", "Status"),
        rows=tuple(rows),
        footer=(
            "Images: "
            + "; ".join(
                f"{h.name}: " + ", ".join(f"{lang} {image[:19]}" for lang, image in h.image_ids)
                for h in report.hosts
                if h.image_ids
            ),
        )
        if any(h.image_ids for h in report.hosts)
        else (),
    )


def _limits(host: FleetHost) -> str:
    limits = host.limits
    if not limits:
        return NONE
    parts = [f"cpuset {limits.get('cpuset')}"]
    if limits.get("memory_bytes"):
        parts.append(f"memory {units.mib(float(limits['memory_bytes']))}")
    return ", ".join(parts)


def _status(host: FleetHost) -> str:
    if host.complete:
        failed = f", {host.failures} failed" if host.failures else ""
        return f"complete: {host.runs} runs{failed}"
    return f"INCOMPLETE ({host.runs} runs saved): {host.stopped or 'stopped early'}"


def figure_tables(report: FleetReport) -> tuple[Table, ...]:
    hosts = tuple(h.name for h in report.hosts)
    return side_tables(report.rows, hosts, report.reference)


def _intro(report: FleetReport) -> list[str]:
    reached = [h for h in report.hosts if h.reached]
    lines = [
        f"{len(report.hosts)} hosts, {len(reached)} with results; reference host: {report.reference}. "
        f"Latency: {LATENCY_VIEW_TEXT[report.latency_view]}. Each host's own report.md is in its folder."
    ]
    if not report.complete:
        lines.append(
            "INCOMPLETE FLEET RUN: "
            + "; ".join(f"{h.name}: {h.stopped or 'stopped early'}" for h in report.hosts if not h.complete)
            + " (`concbench-poly all --resume DIR` resumes only those hosts)."
        )
    return lines


def fleet_markdown(report: FleetReport) -> str:
    parts = [f"# {TITLE}", "", *(line + "\n" for line in _intro(report))]
    parts.append(markdown_table(hosts_table(report)))
    parts += [markdown_table(t) for t in figure_tables(report)]
    parts.append(f"- {NOTE}\n")
    return "\n".join(parts).rstrip("\n") + "\n"


def fleet_text(report: FleetReport) -> str:
    parts = [*(line + "\n" for line in _intro(report)), terminal_table(hosts_table(report))]
    parts += [terminal_table(t) for t in figure_tables(report)]
    parts.append(NOTE + "\n")
    return "\n".join(parts)


def fleet_json(report: FleetReport) -> str:
    return dump_json(
        {
            "fleet_version": 1,
            "reference": report.reference,
            "latency_view": report.latency_view,
            "complete": report.complete,
            "hosts": [
                {
                    "name": h.name,
                    "url": h.url,
                    "transport": h.transport,
                    "labels": dict(h.labels),
                    "machine": h.machine,
                    "limits": h.limits,
                    "complete": h.complete,
                    "stopped": h.stopped,
                    "runs": h.runs,
                    "failures": h.failures,
                    "image_ids": dict(h.image_ids),
                }
                for h in report.hosts
            ],
            "rows": [side_row_json(r) for r in report.rows],
        }
    )


def fleet_csv(report: FleetReport) -> str:
    out = io.StringIO()
    fields = ["case", "label", "workload", "cores", "tasks", "figure", "unit", "host"]
    fields += ["median", "min", "max", "n", "ratio", "verdict"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        for cell in row.cells:
            record: dict[str, Any] = {
                "case": row.key,
                "label": row.label,
                "workload": row.workload,
                "cores": row.cores,
                "tasks": row.tasks,
                "figure": row.figure,
                "unit": row.unit,
                "host": cell.group,
                "ratio": cell.ratio,
                "verdict": cell.verdict,
            }
            if cell.stat is not None:
                record |= {"median": cell.stat.median, "min": cell.stat.min, "max": cell.stat.max, "n": cell.stat.n}
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue()


FLEET_EXPORTERS = {"table": fleet_text, "markdown": fleet_markdown, "json": fleet_json, "csv": fleet_csv}
