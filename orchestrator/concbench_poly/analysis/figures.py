"""The figures every successful run reports, and how each reads (unit, direction)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from concbench_poly.results.model import Checks, Measurement, Wakeup

LatencyView = Literal["service", "end_to_end"]
LATENCY_VIEWS: tuple[LatencyView, ...] = ("service", "end_to_end")
FigureKind = Literal["time", "rate", "memory", "cpu", "count"]


@dataclass(frozen=True)
class Figure:
    """A number every successful run reports, and how to read it."""

    name: str
    label: str
    unit: str
    kind: FigureKind
    higher_is_better: bool
    extract: Callable[[Measurement], float | None] = field(compare=False, repr=False)


def _figures(*figures: Figure) -> dict[str, Figure]:
    return {f.name: f for f in figures}


def _wakeup(pick: Callable[[Wakeup], float]) -> Callable[[Measurement], float | None]:
    return lambda m: pick(m.wakeup) if m.wakeup is not None else None


def _check(pick: Callable[[Checks], float | None]) -> Callable[[Measurement], float | None]:
    return lambda m: pick(m.checks) if m.checks is not None else None


def _swap(checks: Checks) -> float | None:
    if checks.swap_in_pages is None or checks.swap_out_pages is None:
        return None
    return checks.swap_in_pages + checks.swap_out_pages


def _steal_percent(m: Measurement) -> float | None:
    steal = m.host_checks.steal if m.host_checks is not None else None
    return None if steal is None else 100 * steal


FIGURES: dict[str, Figure] = _figures(
    Figure("total_ms", "total time", "ms", "time", False, lambda m: m.total_ms),
    Figure("throughput_per_s", "throughput", "tasks/s", "rate", True, lambda m: m.throughput_per_s),
    Figure("service_p50_ms", "service p50", "ms", "time", False, lambda m: m.service.p50),
    Figure("service_p99_ms", "service p99", "ms", "time", False, lambda m: m.service.p99),
    Figure("end_to_end_p50_ms", "end-to-end p50", "ms", "time", False, lambda m: m.end_to_end.p50),
    Figure("end_to_end_p99_ms", "end-to-end p99", "ms", "time", False, lambda m: m.end_to_end.p99),
    Figure("memory_bytes", "memory (cgroup peak)", "bytes", "memory", False, lambda m: m.memory_bytes),
    Figure("memory_per_task_bytes", "memory per task", "bytes", "memory", False, lambda m: m.memory_per_task_bytes),
    Figure("peak_rss_bytes", "peak RSS", "bytes", "memory", False, lambda m: m.peak_rss_bytes),
    Figure("per_task_bytes", "peak RSS per task", "bytes", "memory", False, lambda m: m.per_task_bytes),
    Figure(
        "processes_peak_rss_bytes",
        "every process's peak RSS, summed",
        "bytes",
        "memory",
        False,
        lambda m: m.processes_peak_rss_sum_bytes,
    ),
    Figure("processes", "processes", "count", "count", False, lambda m: m.processes_count),
    Figure("cgroup_peak_bytes", "cgroup peak", "bytes", "memory", False, lambda m: m.cgroup_peak_bytes),
    Figure("vm_peak_bytes", "VmPeak", "bytes", "memory", False, lambda m: m.vm_peak_bytes),
    Figure("cpu_s", "CPU time (user+system)", "s", "cpu", False, lambda m: m.cpu_s),
    Figure("user_s", "user CPU", "s", "cpu", False, lambda m: m.user_s),
    Figure("system_s", "system CPU", "s", "cpu", False, lambda m: m.system_s),
    Figure(
        "voluntary_ctx_switches",
        "voluntary context switches",
        "count",
        "count",
        False,
        lambda m: m.voluntary_ctx_switches,
    ),
    Figure(
        "involuntary_ctx_switches",
        "involuntary context switches",
        "count",
        "count",
        False,
        lambda m: m.involuntary_ctx_switches,
    ),
    Figure("peak_threads", "peak OS threads", "count", "count", False, lambda m: m.peak_threads),
    Figure("peak_running", "peak tasks running at once", "count", "count", True, lambda m: m.peak_running),
    Figure("peak_in_flight", "peak tasks in flight at once", "count", "count", True, lambda m: m.peak_in_flight),
    Figure("submit_ms", "time to submit every task", "ms", "time", False, lambda m: m.submit_ms),
    Figure("wakeup_early_tasks", "tasks woken early", "count", "count", False, _wakeup(lambda w: w.early_tasks)),
    Figure("wakeup_earliest_ms", "earliest wake-up vs D", "ms", "time", False, _wakeup(lambda w: w.earliest)),
    Figure("wakeup_p50_ms", "wake-up lateness p50", "ms", "time", False, _wakeup(lambda w: w.p50)),
    Figure("wakeup_p99_ms", "wake-up lateness p99", "ms", "time", False, _wakeup(lambda w: w.p99)),
    Figure("wakeup_latest_ms", "latest wake-up vs D", "ms", "time", False, _wakeup(lambda w: w.latest)),
    Figure("process_cpu_s", "whole-process CPU (rusage)", "s", "cpu", False, _check(lambda c: c.process_cpu_s)),
    Figure("cgroup_cpu_s", "whole-process CPU (cgroup)", "s", "cpu", False, _check(lambda c: c.cgroup_cpu_s)),
    Figure("throttled_s", "CPU throttled", "s", "cpu", False, _check(lambda c: c.throttled_s)),
    Figure("swap_pages", "pages swapped in or out", "count", "count", False, _check(_swap)),
    Figure("steal_percent", "hypervisor steal on the pinned cores", "%", "cpu", False, _steal_percent),
)

# The memory figure the main tables show and the article's "Memory" column is checked against: what
# the run's processes cost together, counted once (the cgroup peak; README, "Memory"). It decides
# whether N tasks fit in a container, and it is what BenchExec and the OOM killer count.
MEMORY_FIGURE = "memory_bytes"


def latency_figure(view: LatencyView, percentile: Literal["p50", "p99"]) -> str:
    return f"{view}_{percentile}_ms"


def as_latency_view(text: str) -> LatencyView:
    """Narrow a CLI string to a view; anything else is a programming error, not user input."""
    for view in LATENCY_VIEWS:
        if text == view:
            return view
    raise ValueError(f"latency_view must be one of {', '.join(LATENCY_VIEWS)}, got {text!r}")
