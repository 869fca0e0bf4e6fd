"""Scale sweeps in real containers: where a model breaks under a small limit, and the report of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from concbench_poly.analysis.aggregate import summarize
from concbench_poly.analysis.claims import NO_CLAIMS
from concbench_poly.config import MIB, Limits, Repetitions, RunOptions, WorkloadParams
from concbench_poly.execution.docker_executor import DockerExecutor
from concbench_poly.execution.images import ImageRef
from concbench_poly.execution.suite import SilentEvents
from concbench_poly.service import benchmark

pytestmark = pytest.mark.docker


def test_thread_per_task_breaks_at_the_pids_limit_and_the_others_go_on(
    docker_client: Any, runner_images: dict[str, ImageRef], tmp_path: Path
) -> None:
    # 500 ms waits keep every thread alive at once: 300 threads cannot fit under a pids limit of 128.
    options = RunOptions(
        params=WorkloadParams(io_ms=500),
        limits=Limits(memory_bytes=256 * MIB, pids=128, timeout_s=120),
        repetitions=Repetitions(warmup=0, repeat=1),
        workloads=("io",),
        languages=("python", "go"),
        approaches=("threading", "goroutines"),
        executor="docker",
        task_counts=(50, 300, 2000),
    )
    run = benchmark(options, tmp_path, SilentEvents(), executor=DockerExecutor(docker_client, runner_images)).run
    by_point = {(r.case.language, r.case.tasks): r for r in run.results}
    assert by_point[("python", 50)].ok
    broken = by_point[("python", 300)]
    assert broken.error_kind == "resource_exhausted", broken.error_message
    assert "thread" in (broken.error_message or "")
    assert "smaller point already failed" in (by_point[("python", 2000)].error_message or "")
    assert all(by_point[("go", n)].ok for n in (50, 300, 2000)), "goroutines are not OS threads"

    summary = summarize(list(run.results), claims=NO_CLAIMS)
    [threading] = [s for s in summary.sweeps if s.approach == "threading"]
    assert threading.largest_completed == 50 and threading.broke_at == 300
    [goroutines] = [s for s in summary.sweeps if s.approach == "goroutines"]
    assert goroutines.largest_completed == 2000 and goroutines.broke_at is None
    # All 2000 goroutines wait 500 ms, so all of them are in flight at once.
    assert goroutines.points[-1].peak_running is not None and goroutines.points[-1].peak_running.median == 2000


@pytest.mark.slow
def test_sweep_to_100k_fits_the_default_limits(
    docker_client: Any, runner_images: dict[str, ImageRef], tmp_path: Path
) -> None:
    options = RunOptions(
        limits=Limits(memory_bytes=4096 * MIB, pids=32768, timeout_s=600),
        repetitions=Repetitions(warmup=0, repeat=1),
        workloads=("io",),
        approaches=("asyncio", "goroutines", "async"),
        executor="docker",
        task_counts=(1000, 10_000, 100_000),
    )
    run = benchmark(options, tmp_path, SilentEvents(), executor=DockerExecutor(docker_client, runner_images)).run
    assert all(r.ok for r in run.results), [r.error_message for r in run.results if not r.ok]
    for result in run.results:
        assert result.measurement is not None and result.measurement.total_ms >= result.case.io_ms  # type: ignore[operator]
