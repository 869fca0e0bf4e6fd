"""Host metadata recorded in every result: small pure readers of /proc and uname."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def cpu_model(cpuinfo: str) -> str | None:
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "cpu model"):
            return value.strip() or None
    return None


def cgroup_version(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    if (root / "cgroup.controllers").exists():
        return 2
    if (root / "memory").is_dir():
        return 1
    return None


def host_info(docker_version: str | None = None) -> dict[str, Any]:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        cpuinfo = ""
    return {
        "kernel": platform.release() or None,
        "cpu_model": cpu_model(cpuinfo),
        "cpu_count": os.cpu_count(),
        "docker_version": docker_version,
        "cgroup_version": cgroup_version(),
    }


def engine_host_info(info: dict[str, Any], docker_version: str | None, cpuinfo: str | None) -> dict[str, Any]:
    """The same fields as host_info(), for an engine on another machine: from its `docker info`, and
    the CPU model from /proc/cpuinfo as one of its containers read it (None where that failed)."""
    cgroup = info.get("CgroupVersion")
    return {
        "kernel": info.get("KernelVersion") or None,
        "cpu_model": cpu_model(cpuinfo) if cpuinfo else None,
        "cpu_count": int(info["NCPU"]) if info.get("NCPU") else None,
        "docker_version": docker_version,
        "cgroup_version": int(cgroup) if cgroup else None,
    }
