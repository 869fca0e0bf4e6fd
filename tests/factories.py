"""Build RunResults that pass the result schema, from the schema's own valid examples.

Every builder validates its document with schema.validate_document, so a fixture can never test a
shape a real runner could not produce.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from concbench_poly.config import MIB
from concbench_poly.paths import repo_root
from concbench_poly.results.model import RunResult
from concbench_poly.results.schema import validate_document

RUNTIMES = {
    "python": ("cpython", "3.11.2"),
    "go": ("go", "go1.23.4"),
    "node": ("node", "v20.18.0"),
    "java": ("openjdk", "21.0.13+9-1-deb13u2"),
    "rust": ("rustc", "1.85.1; tokio 1.54.1"),
}


@cache
def _example(name: str) -> dict[str, Any]:
    path = repo_root() / "schema" / "examples" / "valid" / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Lat:
    """p50 and p99 of one latency view; the other percentiles follow from them."""

    p50: float
    p99: float

    def distribution(self) -> dict[str, float]:
        p90 = self.p50 + 0.8 * (self.p99 - self.p50)
        return {"p50": self.p50, "p90": p90, "p99": self.p99, "max": self.p99 * 1.01, "mean": (self.p50 + p90) / 2}

    def cdf(self) -> list[float]:
        """101 nondecreasing nearest-rank points whose p50/p90/p99/max match distribution()."""
        d = self.distribution()
        anchors = [(0, self.p50 * 0.96), (50, d["p50"]), (90, d["p90"]), (99, d["p99"]), (100, d["max"])]
        points: list[float] = []
        for p in range(101):
            for (x0, y0), (x1, y1) in itertools.pairwise(anchors):
                if x0 <= p <= x1:
                    points.append(round(y0 + (y1 - y0) * (p - x0) / (x1 - x0), 6))
                    break
        return points


def ok_document(
    language: str = "python",
    approach: str = "asyncio",
    workload: str = "io",
    tasks: int = 1000,
    *,
    io_ms: float = 10,
    pool_size: int | None = None,
    workers: int | None = None,
    total_ms: float = 12.5,
    service: Lat = Lat(10.2, 11.0),
    end_to_end: Lat | None = None,
    peak_rss_mib: float = 20.0,
    baseline_rss_mib: float | None = None,
    cgroup_peak_mib: float | None = None,
    vm_peak_mib: float | None = None,
    user_s: float = 0.01,
    system_s: float = 0.005,
    ctx: tuple[int, int] = (10, 2),
    peak_threads: int = 1,
    runtime_memory: dict[str, Any] | None = None,
    parallelism: int = 1,
    repetition: int = 0,
    warmup: bool = False,
    executor: str = "docker",
    with_cdf: bool = True,
    peak_running: int | None = None,
    submit_ms: float | None = None,
    processes: int = 1,
    processes_peak_mib: float | None = None,
    wakeup: dict[str, Any] | None = None,
    checks: dict[str, Any] | None = None,
    cores: int | None = None,
    loop_bytes: int = 16384,
    variant: str | None = None,
) -> dict[str, Any]:
    doc = copy.deepcopy(_example("ok_with_execution_local.json"))
    doc["language"], doc["approach"] = language, approach
    doc["workload"] = _workload(workload, tasks, io_ms, pool_size, workers, loop_bytes)
    doc["total_ms"] = total_ms
    doc["throughput_per_s"] = tasks / (total_ms / 1000)
    e2e = end_to_end or Lat(service.p50 + 0.5, service.p99 + 0.5)
    doc["latency_ms"] = {"service": service.distribution(), "end_to_end": e2e.distribution()}
    if with_cdf:
        doc["latency_ms"]["cdf"] = {"service": service.cdf(), "end_to_end": e2e.cdf()}
    # Without a given baseline, the runtime's start-up is most of the peak, as for a real runner.
    baseline = int((peak_rss_mib * 0.8 if baseline_rss_mib is None else baseline_rss_mib) * MIB)
    peak = int(peak_rss_mib * MIB)
    doc["memory"] = {
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak,
        "per_task_bytes": (peak - baseline) / tasks,
        "hwm_reset": True,
        "vm_peak_bytes": int((peak_rss_mib * 3 if vm_peak_mib is None else vm_peak_mib) * MIB),
        # One process by default, so the cgroup counts what its RSS does: the headline is the peak RSS.
        "cgroup_peak_bytes": int((peak_rss_mib if cgroup_peak_mib is None else cgroup_peak_mib) * MIB),
        "cgroup_baseline_bytes": baseline,
        "processes": {
            "count": processes,
            "peak_rss_sum_bytes": int((peak_rss_mib if processes_peak_mib is None else processes_peak_mib) * MIB),
        },
        "runtime": runtime_memory if runtime_memory is not None else _runtime_memory(language, peak),
    }
    if workload == "io" and wakeup is None:
        # How late each wait returned: the service latency less D (the fixture's tasks do nothing else;
        # mixed fixtures give theirs, since their service time includes the CPU part).
        wakeup = {
            "early_tasks": 0,
            "earliest": round(max(service.p50 * 0.96 - io_ms, 0.0), 6),  # these fixtures never wake early
            "p50": round(service.p50 - io_ms, 6),
            "p99": round(service.p99 - io_ms, 6),
            "latest": round(service.p99 * 1.01 - io_ms, 6),
        }
    doc["wakeup_ms"] = wakeup
    process_cpu = round(user_s + system_s + 0.02, 6)  # the window's CPU plus the runtime's start-up
    doc["checks"] = checks or {
        "cgroup_cpu_s": process_cpu,
        "process_cpu_s": process_cpu,
        "throttled_periods": 0,
        "throttled_s": 0.0,
        "swap_in_pages": 0,
        "swap_out_pages": 0,
    }
    doc["cpu"] = {
        "user_s": user_s,
        "system_s": system_s,
        "voluntary_ctx_switches": ctx[0],
        "involuntary_ctx_switches": ctx[1],
        "peak_threads": peak_threads,
    }
    # By default every task overlapped, except where a pool or the workers bound it.
    bound = pool_size or workers or tasks
    doc["concurrency"] = {
        "peak_running": peak_running or min(bound, tasks),
        "peak_in_flight": tasks,
        # By default submitting took a tenth of the window, as a spawn cost must fit inside it.
        "submit_ms": total_ms / 10 if submit_ms is None else submit_ms,
    }
    doc["checksum"] = {
        "cpu": _example("ok_cpu_go_goroutines.json")["checksum"],
        "cpu-loop": "a98b5dc5",
        "mixed": "a98b5dc5",
    }.get(workload)
    name, version = RUNTIMES[language]
    doc["runtime"] = {"name": name, "version": version}
    doc["environment"]["parallelism"] = parallelism
    _execution(doc, executor, repetition, warmup, cores, variant)
    return doc


def error_document(
    language: str = "python",
    approach: str = "threading",
    workload: str = "io",
    tasks: int = 1000,
    *,
    kind: str = "resource_exhausted",
    message: str = "can't start new thread",
    io_ms: float = 10,
    pool_size: int | None = None,
    workers: int | None = None,
    repetition: int = 0,
    warmup: bool = False,
    executor: str = "docker",
    cores: int | None = None,
) -> dict[str, Any]:
    doc = copy.deepcopy(_example("error_oom_killed_by_orchestrator.json"))
    doc["language"], doc["approach"] = language, approach
    doc["workload"] = _workload(workload, tasks, io_ms, pool_size, workers, 16384)
    doc["error"] = {"kind": kind, "message": message}
    _execution(doc, executor, repetition, warmup, cores)
    return doc


def ok(*args: Any, **kwargs: Any) -> RunResult:
    return build(ok_document(*args, **kwargs))


def failed(*args: Any, **kwargs: Any) -> RunResult:
    return build(error_document(*args, **kwargs))


def build(document: dict[str, Any]) -> RunResult:
    return RunResult.from_document(validate_document(document, source="factory"))


def _workload(
    kind: str, tasks: int, io_ms: float, pool_size: int | None, workers: int | None, loop_bytes: int
) -> dict[str, Any]:
    workload: dict[str, Any] = {"kind": kind, "tasks": tasks, "pool_size": pool_size, "workers": workers}
    if kind in ("io", "mixed"):
        workload["io_ms"] = io_ms
    if kind in ("cpu-loop", "mixed"):
        workload["loop_bytes"] = loop_bytes
    if kind == "cpu":
        workload["payload_bytes"], workload["repeat"] = 64, 10000
    return workload


def _runtime_memory(language: str, peak: int) -> dict[str, Any]:
    if language == "go":
        return {"HeapAlloc": peak // 8, "StackInuse": peak // 4, "Sys": peak // 2, "NumGC": 3}
    if language == "node":
        return {
            "rss": peak,
            "heapTotal": peak // 3,
            "heapUsed": peak // 4,
            "external": 1 << 20,
            "arrayBuffers": 1 << 14,
        }
    return {"gc_counts": [12, 1, 0], "allocated_blocks": peak // 64}


def _execution(
    doc: dict[str, Any], executor: str, repetition: int, warmup: bool, cores: int | None, variant: str | None = None
) -> None:
    execution = copy.deepcopy(_example("ok_with_execution_local.json")["execution"])
    execution.update(executor=executor, repetition=repetition, warmup=warmup, run_id="20261126T154300Z")
    execution["axes"] = {"cores": cores, "runtime": variant, "host": None}
    if executor == "docker":
        execution.update(
            image=f"concbench-poly/{doc['language']}:ab12cd34", image_id="sha256:0123", container_id="3f2a1c"
        )
        cpuset = "0" if cores in (None, 1) else f"0-{cores - 1}"
        execution["limits"].update(cpus=float(cores or 1), cpuset=cpuset, pids=4096)
        execution["host"]["docker_version"] = "27.3.1"
    doc["execution"] = execution


def repeated(values: list[float], **kwargs: Any) -> list[RunResult]:
    """One ok run per value of total_ms, repetitions 0..n-1 (other figures fixed)."""
    return [ok(total_ms=v, repetition=i, **kwargs) for i, v in enumerate(values)]


def fixture_set() -> list[RunResult]:
    """The fixed set the golden files are rendered from: every table row, a spread, a partial and
    a total failure, a warm-up, and sweeps of three approaches (one of which breaks)."""
    runs: list[RunResult] = []

    def reps(n: int, **per_rep: list[Any]) -> list[dict[str, Any]]:
        return [{k: v[i] for k, v in per_rep.items()} | {"repetition": i} for i in range(n)]

    # I/O, the article's six rows.
    for kw in reps(3, total_ms=[15.2, 14.8, 16.1], peak_rss_mib=[41.0, 42.5, 41.7]):
        runs.append(
            ok(
                "python",
                "threading",
                service=Lat(10.6, 14.9),
                end_to_end=Lat(12.1, 16.0),
                user_s=0.07,
                system_s=0.03,
                peak_threads=1001,
                ctx=(2100, 40),
                **kw,
            )
        )
    runs.append(ok("python", "threading", total_ms=30.0, peak_rss_mib=45.0, warmup=True))
    for kw in reps(3, total_ms=[13.0, 12.6, 21.0], peak_rss_mib=[18.2, 18.4, 18.3]):
        runs.append(
            ok(
                "python",
                "asyncio",
                service=Lat(10.3, 12.1),
                end_to_end=Lat(11.0, 12.9),
                user_s=0.02,
                system_s=0.004,
                **kw,
            )
        )
    for kw in reps(3, total_ms=[212.0, 214.5, 213.1], peak_rss_mib=[14.1, 14.0, 14.2]):
        runs.append(
            ok(
                "python",
                "threadpool",
                pool_size=50,
                service=Lat(10.2, 10.4),
                end_to_end=Lat(110.4, 211.0),
                peak_threads=51,
                user_s=0.05,
                system_s=0.02,
                **kw,
            )
        )
    for kw in reps(3, total_ms=[111.0, 112.2, 111.5], peak_rss_mib=[16.0, 16.2, 16.1]):
        runs.append(
            ok(
                "python",
                "threadpool",
                pool_size=100,
                service=Lat(10.2, 10.5),
                end_to_end=Lat(60.3, 111.2),
                peak_threads=101,
                user_s=0.05,
                system_s=0.02,
                **kw,
            )
        )
    for kw in reps(3, total_ms=[11.8, 11.9, 11.7], peak_rss_mib=[6.1, 6.0, 6.2]):
        runs.append(
            ok(
                "go",
                "goroutines",
                service=Lat(10.1, 10.9),
                end_to_end=Lat(10.3, 11.3),
                baseline_rss_mib=3.5,
                peak_threads=5,
                **kw,
            )
        )
    for kw in reps(2, total_ms=[12.9, 13.1], peak_rss_mib=[44.0, 44.6]):
        runs.append(
            ok(
                "node",
                "async",
                service=Lat(10.2, 12.0),
                end_to_end=Lat(10.9, 12.6),
                baseline_rss_mib=40.0,
                peak_threads=7,
                **kw,
            )
        )
    runs.append(failed("node", "async", kind="timeout", message="run exceeded 120 s and was killed", repetition=2))
    # CPU-bound.
    for kw in reps(3, total_ms=[850.0, 861.0, 845.5]):
        runs.append(
            ok(
                "python",
                "threading",
                "cpu",
                service=Lat(400.0, 820.0),
                user_s=0.83,
                system_s=0.02,
                peak_threads=1001,
                **kw,
            )
        )
    for kw in reps(3, total_ms=[905.0, 899.0, 910.0]):
        runs.append(
            ok(
                "python",
                "asyncio",
                "cpu",
                service=Lat(0.9, 1.1),
                end_to_end=Lat(450.0, 895.0),
                user_s=0.89,
                system_s=0.01,
                **kw,
            )
        )
    for kw in reps(3, total_ms=[640.0, 652.0, 661.0]):
        runs.append(
            ok(
                "python",
                "multiprocessing",
                "cpu",
                workers=4,
                service=Lat(0.6, 0.8),
                end_to_end=Lat(320.0, 640.0),
                user_s=0.62,
                system_s=0.03,
                # The parent's own peak; four forked workers share its pages, so their peaks summed
                # (101 MiB) count those pages again, while the cgroup counts them once (34 MiB).
                peak_rss_mib=25.0,
                cgroup_peak_mib=34.0,
                processes=5,
                processes_peak_mib=101.0,
                peak_threads=3,
                **kw,
            )
        )
    for kw in reps(3, total_ms=[612.0, 608.4, 615.2]):
        runs.append(
            ok("go", "goroutines", "cpu", service=Lat(300.0, 600.0), user_s=0.6, system_s=0.01, peak_rss_mib=70.0, **kw)
        )
    for i in range(3):
        runs.append(
            failed(
                "node",
                "worker_threads",
                "cpu",
                workers=4,
                kind="runner_crashed",
                message="worker exited with code 1",
                repetition=i,
            )
        )
    # Sweeps (N = 1000 comes from the rows above).
    for tasks, peak, total in ((10000, 34.0, 19.0), (100000, 190.0, 120.0)):
        for i in range(2):
            runs.append(
                ok(
                    "python",
                    "asyncio",
                    tasks=tasks,
                    total_ms=total + i,
                    peak_rss_mib=peak + i,
                    service=Lat(10.5, 14.0),
                    end_to_end=Lat(total / 2, total),
                    repetition=i,
                )
            )
    for tasks, peak, total in ((10000, 30.0, 14.0), (100000, 262.0, 45.0)):
        for i in range(2):
            runs.append(
                ok(
                    "go",
                    "goroutines",
                    tasks=tasks,
                    total_ms=total + i,
                    peak_rss_mib=peak + i,
                    baseline_rss_mib=3.5,
                    service=Lat(10.2, 11.0),
                    end_to_end=Lat(total / 2, total),
                    repetition=i,
                )
            )
    for i in range(2):
        runs.append(
            ok(
                "python",
                "threading",
                tasks=10000,
                total_ms=160.0 + i,
                peak_rss_mib=170.0 + i,
                service=Lat(10.8, 40.0),
                end_to_end=Lat(60.0, 150.0),
                peak_threads=10001,
                repetition=i,
            )
        )
        runs.append(
            failed(
                "python",
                "threading",
                tasks=100000,
                kind="resource_exhausted",
                message="can't start new thread (after 9873 of 100000 threads)",
                repetition=i,
            )
        )
    runs += _blocking_runs() + _mixed_runs()
    return runs


def _blocking_runs() -> list[RunResult]:
    """Python's simple, blocking scenario: threads keep up with asyncio up to N=100, not at 500."""
    runs = []
    #        N: threading (total, p99), asyncio (total, p99), ThreadPool(50) total
    figures = {
        10: ((10.4, 10.3), (10.5, 10.2), 10.6),
        50: ((10.9, 10.6), (10.8, 10.4), 11.0),
        100: ((11.6, 11.0), (11.2, 10.6), 21.4),
        500: ((14.5, 13.5), (11.9, 11.1), 102.0),
    }
    for tasks, ((threads_total, threads_p99), (loop_total, loop_p99), pool_total) in figures.items():
        for i in range(2):
            runs += [
                ok(
                    "python",
                    "threading",
                    tasks=tasks,
                    total_ms=threads_total,
                    service=Lat(10.1, threads_p99),
                    peak_threads=tasks + 1,
                    repetition=i,
                ),
                ok("python", "asyncio", tasks=tasks, total_ms=loop_total, service=Lat(10.1, loop_p99), repetition=i),
                ok(
                    "python",
                    "threadpool",
                    tasks=tasks,
                    pool_size=50,
                    total_ms=pool_total,
                    service=Lat(10.1, 10.3),
                    peak_threads=min(tasks, 50) + 1,
                    repetition=i,
                ),
            ]
    return runs


def _mixed_runs() -> list[RunResult]:
    """The mixed workload on 1 and 2 cores: a wait of 10 ms, then about 2 ms of hashing per task."""
    runs = []
    # (language, approach, workers, cores): total, wake-up p99, CPU s
    figures: dict[tuple[str, str, int | None, int], tuple[float, float, float]] = {
        ("python", "asyncio", None, 1): (420.0, 395.0, 0.41),
        ("python", "asyncio-processpool", 1, 1): (452.0, 1.4, 0.46),
        ("python", "asyncio-to-thread", None, 1): (431.0, 6.2, 0.43),
        ("python", "asyncio", None, 2): (418.0, 392.0, 0.41),
        ("python", "asyncio-processpool", 2, 2): (236.0, 1.1, 0.47),
        ("python", "asyncio-to-thread", None, 2): (425.0, 5.9, 0.44),
        ("go", "goroutines", None, 2): (212.0, 0.9, 0.41),
        ("node", "async", None, 2): (408.0, 388.0, 0.4),
        ("node", "async-workers", 2, 2): (221.0, 2.3, 0.44),
    }
    for (language, approach, workers, cores), (total, wake_p99, cpu) in figures.items():
        for i in range(2):
            runs.append(
                ok(
                    language,
                    approach,
                    "mixed",
                    200,
                    workers=workers,
                    cores=cores,
                    loop_bytes={"python": 2_400, "go": 310_000, "node": 120_000}[language],
                    total_ms=total + i,
                    service=Lat(12.0 + wake_p99 / 2, 12.0 + wake_p99),
                    user_s=cpu,
                    system_s=0.01,
                    wakeup={
                        "early_tasks": 0,
                        "earliest": 0.05,
                        "p50": wake_p99 / 2,
                        "p99": wake_p99,
                        "latest": wake_p99 * 1.02,
                    },
                    parallelism=cores,
                    repetition=i,
                )
            )
    return runs


def variant_set() -> list[RunResult]:
    """fixture_set as a second machine might see it: Go I/O 1.5x slower, Python asyncio I/O at half
    the memory, Node.js not run, everything else unchanged (so compare() has every verdict)."""
    runs: list[RunResult] = []
    for result in fixture_set():
        doc = copy.deepcopy(result.document)
        key = result.case.key
        if doc["language"] == "node":
            continue
        if key == "io-go-goroutines-n1000" and doc["status"] == "ok":
            doc["total_ms"] *= 1.5
            doc["throughput_per_s"] = doc["workload"]["tasks"] / (doc["total_ms"] / 1000)
        if key == "io-python-asyncio-n1000" and doc["status"] == "ok":
            doc["memory"]["peak_rss_bytes"] //= 2
            doc["memory"]["baseline_rss_bytes"] //= 2
            doc["memory"]["per_task_bytes"] /= 2
        runs.append(build(doc))
    return runs
