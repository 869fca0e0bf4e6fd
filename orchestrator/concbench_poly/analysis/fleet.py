"""One suite on several machines, side by side: per case and figure, each host's median, its ratio to
the reference host and compare's noise verdict (a difference inside the noise is never called).

Pure: each host's report is the ordinary one (report_model.build_report) of its results, with the
host taken out of the case so that the same case lines up across hosts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from concbench_poly.analysis.claims import Claims
from concbench_poly.analysis.figures import LatencyView, as_latency_view
from concbench_poly.analysis.report_model import Plan, Report, build_report
from concbench_poly.analysis.side_by_side import SideRow, side_by_side, side_figures
from concbench_poly.results.model import RunResult


@dataclass(frozen=True)
class HostData:
    """What one host's folder holds: how it was reached, its run.json, its raw results."""

    name: str
    public: dict[str, Any]  # HostSpec.public(): URL, transport, labels; never a credential
    info: dict[str, Any] | None  # its run.json, None when the host never got that far
    results: tuple[RunResult, ...]
    plan: Plan | None = None


@dataclass(frozen=True)
class FleetHost:
    name: str
    url: str
    transport: str
    labels: tuple[tuple[str, str], ...]
    machine: dict[str, Any]  # kernel, cpu_model, cpu_count, docker_version, cgroup_version (its run.json)
    limits: dict[str, Any]  # the limits its runs were given
    complete: bool
    stopped: str | None  # why it stopped early or never started
    runs: int
    failures: int
    image_ids: tuple[tuple[str, str], ...]  # (language, image id) as this host held them
    report: Report | None  # None: not one run saved

    @property
    def reached(self) -> bool:
        return self.report is not None


@dataclass(frozen=True)
class FleetReport:
    hosts: tuple[FleetHost, ...]
    reference: str
    latency_view: LatencyView
    rows: tuple[SideRow, ...]  # groups: the hosts, in host order

    @property
    def complete(self) -> bool:
        return all(h.complete for h in self.hosts)

    def host(self, name: str) -> FleetHost | None:
        return next((h for h in self.hosts if h.name == name), None)


def without_host(result: RunResult) -> RunResult:
    """The same run as if measured without a fleet: its case lines up with the other hosts'."""
    return replace(result, case=replace(result.case, host=None))


def build_fleet_report(
    hosts: Sequence[HostData], reference: str, claims: Claims, latency_view: LatencyView | str = "service"
) -> FleetReport:
    view = as_latency_view(latency_view)
    fleet_hosts = tuple(_fleet_host(h, claims, view) for h in hosts)
    ref = next((h for h in fleet_hosts if h.name == reference), None)
    if ref is None:
        raise ValueError(f"reference host {reference!r} is not one of {', '.join(h.name for h in fleet_hosts)}")
    groups = [(h.name, h.report.summary if h.report is not None else None) for h in fleet_hosts]
    return FleetReport(fleet_hosts, reference, view, side_by_side(groups, reference, side_figures(view)))


def _fleet_host(data: HostData, claims: Claims, view: LatencyView) -> FleetHost:
    info = data.info or {}
    results = tuple(without_host(r) for r in data.results)
    report = build_report(results, claims=claims, latency_view=view, plan=data.plan) if results else None
    measured = [r for r in results if not r.warmup]
    images = info.get("images") or []
    options = info.get("options") or {}
    return FleetHost(
        name=data.name,
        url=str(data.public.get("url", "")),
        transport=str(data.public.get("transport", "")),
        labels=tuple(sorted((data.public.get("labels") or {}).items())),
        machine=dict(info.get("host") or {}),
        limits=dict(options.get("limits") or {}),
        complete=bool(info.get("complete")),
        stopped=info.get("stopped") if data.info is not None else "never started",
        runs=len(measured),
        failures=sum(1 for r in measured if not r.ok),
        image_ids=tuple((str(i["language"]), str(i["image_id"])) for i in images if i.get("image_id")),
        report=report,
    )
