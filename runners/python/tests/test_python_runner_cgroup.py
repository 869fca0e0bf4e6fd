"""Own-cgroup resolution and limit parsing, on fake /proc/self/cgroup files and cgroup trees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from python_runner_harness import SCHEMA_DIR

from concbench_runner import cgroup

VECTORS: list[dict[str, Any]] = json.loads((SCHEMA_DIR / "cgroup_vectors.json").read_text())["cases"]

V1_SELF = """12:pids:/docker/abc
5:cpu,cpuacct:/docker/abc
4:memory:/docker/abc
3:cpuset:/docker/abc
1:name=systemd:/docker/abc
0::/
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def own(root: Path, self_cgroup: str) -> cgroup.OwnCgroup:
    proc = root / "proc_self_cgroup"
    proc.write_text(self_cgroup)
    return cgroup.locate_own_cgroup(root / "fs", proc)


def test_parse_memberships() -> None:
    memberships = cgroup.parse_memberships(V1_SELF)
    assert memberships["memory"] == "/docker/abc"
    assert memberships["cpu"] == "/docker/abc"
    assert memberships["cpu,cpuacct"] == "/docker/abc"
    assert memberships[""] == "/"


def test_v1_own_path(tmp_path: Path) -> None:
    fs = tmp_path / "fs"
    write(fs / "memory" / "memory.limit_in_bytes", "9223372036854771712\n")  # the root: unlimited
    write(fs / "memory" / "docker" / "abc" / "memory.limit_in_bytes", "536870912\n")
    write(fs / "memory" / "docker" / "abc" / "memory.max_usage_in_bytes", "27262976\n")
    write(fs / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_quota_us", "150000\n")
    write(fs / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_period_us", "100000\n")
    write(fs / "cpuset" / "docker" / "abc" / "cpuset.effective_cpus", "0\n")
    view = own(tmp_path, V1_SELF)
    assert view.version == 1
    assert cgroup.memory_peak_bytes(view) == 27262976
    assert cgroup.describe_limits(view) == {
        "version": 1,
        "cpu_quota_cores": 1.5,
        "cpuset": "0",
        "memory_limit_bytes": 536870912,
    }


def test_v1_falls_back_to_mount_root_without_cgroup_namespace(tmp_path: Path) -> None:
    fs = tmp_path / "fs"
    write(fs / "memory" / "memory.limit_in_bytes", "67108864\n")
    write(fs / "memory" / "memory.max_usage_in_bytes", "1048576\n")
    write(fs / "cpu" / "cpu.cfs_quota_us", "-1\n")
    write(fs / "cpu" / "cpu.cfs_period_us", "100000\n")
    write(fs / "cpuset" / "cpuset.cpus", "0-1\n")
    view = own(tmp_path, V1_SELF)
    assert cgroup.memory_peak_bytes(view) == 1048576
    assert cgroup.memory_limit_bytes(view) == 67108864
    assert cgroup.cpu_quota_cores(view) is None  # -1: unlimited
    assert cgroup.cpuset(view) == "0-1"


def test_v1_root_cgroup_is_not_the_runners_own(tmp_path: Path) -> None:
    fs = tmp_path / "fs"
    write(fs / "memory" / "memory.max_usage_in_bytes", "99999999\n")
    write(fs / "memory" / "memory.limit_in_bytes", "67108864\n")
    view = own(tmp_path, "4:memory:/\n3:cpuset:/\n2:cpu,cpuacct:/\n")
    assert cgroup.memory_peak_bytes(view) is None
    assert cgroup.describe_limits(view) == {
        "version": 1,
        "cpu_quota_cores": None,
        "cpuset": None,
        "memory_limit_bytes": None,
    }


def test_v2_own_path(tmp_path: Path) -> None:
    fs = tmp_path / "fs"
    write(fs / "cgroup.controllers", "cpuset cpu memory pids\n")
    own_dir = fs / "system.slice" / "docker-abc.scope"
    write(own_dir / "cgroup.type", "domain\n")
    write(own_dir / "memory.peak", "4096\n")
    write(own_dir / "memory.max", "max\n")
    write(own_dir / "cpu.max", "50000 100000\n")
    write(own_dir / "cpuset.cpus.effective", "1\n")
    view = own(tmp_path, "0::/system.slice/docker-abc.scope\n")
    assert view.version == 2
    assert cgroup.memory_peak_bytes(view) == 4096
    assert cgroup.describe_limits(view) == {
        "version": 2,
        "cpu_quota_cores": 0.5,
        "cpuset": "1",
        "memory_limit_bytes": None,
    }


def test_v2_cgroup_namespace_root_is_the_runners_own(tmp_path: Path) -> None:
    fs = tmp_path / "fs"
    write(fs / "cgroup.controllers", "cpu memory\n")
    write(fs / "cgroup.type", "domain\n")  # only non-root cgroups have it
    write(fs / "memory.max", "536870912\n")
    write(fs / "memory.peak", "8192\n")
    write(fs / "cpu.max", "max 100000\n")
    view = own(tmp_path, "0::/\n")
    assert cgroup.memory_peak_bytes(view) == 8192
    assert cgroup.memory_limit_bytes(view) == 536870912
    assert cgroup.cpu_quota_cores(view) is None


def test_v2_real_root_gives_nulls(tmp_path: Path) -> None:
    fs = tmp_path / "fs"
    write(fs / "cgroup.controllers", "cpu memory\n")
    write(fs / "cpuset.cpus.effective", "0-3\n")
    view = own(tmp_path, "0::/\n")
    assert cgroup.memory_peak_bytes(view) is None
    assert cgroup.describe_limits(view) == {
        "version": 2,
        "cpu_quota_cores": None,
        "cpuset": None,
        "memory_limit_bytes": None,
    }


def test_no_cgroup_filesystem(tmp_path: Path) -> None:
    view = own(tmp_path, "")
    assert view.version is None
    assert cgroup.memory_peak_bytes(view) is None
    assert cgroup.describe_limits(view)["version"] is None


def test_cgroup_vectors_are_present() -> None:
    assert len(VECTORS) >= 10
    assert all("cpu_usage_s" in case["expected"] for case in VECTORS)


def test_cpu_stat_key_that_is_absent_is_none(tmp_path: Path) -> None:
    fs = tmp_path / "fs"
    write(fs / "cgroup.controllers", "cpu memory\n")
    write(fs / "bench" / "cpu.stat", "usage_usec 5\nnr_periods 0\n")
    view = own(tmp_path, "0::/bench\n")
    assert cgroup.cpu_usage_s(view) == 5e-06
    assert cgroup.throttled_periods(view) is None
    assert cgroup.throttled_s(view) is None


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_cgroup_vectors(tmp_path: Path, case: dict[str, Any]) -> None:
    """schema/cgroup_vectors.json, replayed on a fake tree through the real resolution code."""
    for relative, content in case["files"].items():
        write(tmp_path / "fs" / relative, content)
    view = own(tmp_path, case["proc_self_cgroup"])
    expected = case["expected"]
    assert cgroup.describe_limits(view) == {
        "version": expected["version"],
        "cpu_quota_cores": expected["cpu_quota_cores"],
        "cpuset": expected["cpuset"],
        "memory_limit_bytes": expected["memory_limit_bytes"],
    }
    assert cgroup.memory_peak_bytes(view) == expected["cgroup_peak_bytes"]
    # Added in schema_version 2: memory.cgroup_baseline_bytes, checks, error.at_failure's pids.
    assert {
        "cgroup_usage_bytes": cgroup.memory_usage_bytes(view),
        "cpu_usage_s": cgroup.cpu_usage_s(view),
        "throttled_periods": cgroup.throttled_periods(view),
        "throttled_s": cgroup.throttled_s(view),
        "pids_current": cgroup.pids_current(view),
        "pids_max": cgroup.pids_max(view),
    } == {
        key: expected[key]
        for key in ("cgroup_usage_bytes", "cpu_usage_s", "throttled_periods", "throttled_s", "pids_current", "pids_max")
    }
