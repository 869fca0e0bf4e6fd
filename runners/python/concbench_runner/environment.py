"""What the runner sees of its machine from inside (the result document's `environment`)."""

from __future__ import annotations

import os
from typing import Any

from concbench_runner import cgroup, procfs


def describe_environment() -> dict[str, Any]:
    """cpu_count, parallelism (affinity size), affinity list, hostname and the own cgroup's limits."""
    status = procfs.read_status()
    try:
        parallelism = len(os.sched_getaffinity(0))
    except OSError:
        parallelism = os.cpu_count() or 1
    try:
        hostname: str | None = os.uname().nodename or None
    except OSError:
        hostname = None
    return {
        "cpu_count": os.cpu_count() or 1,
        "parallelism": max(1, parallelism),
        "affinity": status.get("Cpus_allowed_list"),
        "hostname": hostname,
        "cgroup": cgroup.describe_limits(cgroup.locate_own_cgroup()),
    }
