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
