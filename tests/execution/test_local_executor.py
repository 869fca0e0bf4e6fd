"""The local executor with the real runners as host processes: pinning, memory cgroup, time limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from concbench_poly.cases import Case, plan_cases
from concbench_poly.config import MIB, Limits, WorkloadParams
from concbench_poly.execution.base import RunRequest
from concbench_poly.execution.local_cgroup import own_cgroup_path
from concbench_poly.execution.local_executor import LocalExecutor
from concbench_poly.paths import repo_root
from concbench_poly.results.outcome import to_result


def case(approach: str, **params: object) -> Case:
    [found] = [
        c
        for c in plan_cases(("python",), ("io",), WorkloadParams(**params), (approach,))  # type: ignore[arg-type]
        if c.pool_size in (None, 1, 50)
    ]
    return found


def test_a_local_run_is_pinned_and_recorded_as_local() -> None:
    executor = LocalExecutor(repo_root())
    limits = Limits(cpus=0.5, cpuset="0", memory_bytes=256 * MIB)
    request = RunRequest(case("asyncio", tasks=100, io_ms=2), limits, "lt1")
    raw = executor.run(request)
    result = to_result(raw, request, executor.host_info())
    assert result.ok, result.error_message
    assert result.document["environment"]["affinity"] == "0"
    assert result.document["environment"]["parallelism"] == 1
    execution = result.document["execution"]
    assert execution["executor"] == "local" and execution["limits"]["cpuset"] == "0"
    seen = result.document["environment"]["cgroup"]
    if execution["limits"]["memory_bytes"] is not None:  # a cgroup could be made (root on cgroup v1/v2)
        assert seen["memory_limit_bytes"] == 256 * MIB
    if execution["limits"]["cpus"] is not None:
        assert seen["cpu_quota_cores"] == pytest.approx(0.5)
    if execution["limits"]["memory_bytes"] is not None:
        # Read from outside once the runner exited: the whole run, at least what the runner saw inside.
        inside = result.document["memory"]["cgroup_peak_bytes"]
        assert execution["cgroup_peak_bytes"] is not None and execution["cgroup_peak_bytes"] >= inside > 0
        assert result.measurement is not None and result.measurement.memory_source == "cgroup"
    if execution["limits"]["pids"] is not None:
        assert execution["limits"]["pids"] == limits.pids


def test_the_time_limit_kills_the_runner() -> None:
    # 20 tasks of 200 ms through a pool of 1 need 4 s; the limit is 1 s.
    slow = case("threadpool", tasks=20, io_ms=200, pool_sizes=(1,))
    request = RunRequest(slow, Limits(timeout_s=1), "lt2")
    executor = LocalExecutor(repo_root())
    result = to_result(executor.run(request), request, executor.host_info())
    assert result.error_kind == "timeout"
    assert "python/threadpool" in (result.error_message or "")


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a memory cgroup needs root")
def test_an_over_limit_local_run_is_oom_killed() -> None:
    # Each cpu task materialises 64 B * 1 Mi = 64 MiB; the cgroup allows 32 MiB.
    [greedy] = plan_cases(("python",), ("cpu",), WorkloadParams(tasks=2, repeat=1024 * 1024), ("asyncio",))
    request = RunRequest(greedy, Limits(memory_bytes=32 * MIB), "lt3")
    executor = LocalExecutor(repo_root())
    raw = executor.run(request)
    if raw.applied_limits["memory_bytes"] is None:
        pytest.skip("this host does not let us create a memory cgroup")
    assert to_result(raw, request, executor.host_info()).error_kind == "oom_killed"


def test_own_cgroup_path_reads_v1_and_v2_lines() -> None:
    text = "4:memory:/process_api/abc\n3:cpuset:/\n0::/user.slice\n"
    assert own_cgroup_path("memory", text) == "/process_api/abc"
    assert own_cgroup_path(None, text) == "/user.slice"
    assert own_cgroup_path("pids", text) is None


def test_missing_toolchain_names_the_tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from concbench_poly.errors import RunnerFailedError

    monkeypatch.setenv("PATH", str(tmp_path))
    executor = LocalExecutor(repo_root())
    with pytest.raises(RunnerFailedError, match="node"):
        executor.run(RunRequest(plan_cases(("node",), ("io",), WorkloadParams())[0], Limits(), "lt4"))
