"""A best-effort memory limit for local runs: a child memory cgroup of our own (root only).

Containers get their limit from Docker; a host process gets the same one only where this process may
create cgroups. Anything else returns None, and the run records `memory_bytes: null`.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class MemoryCgroup:
    path: Path
    version: int

    @property
    def procs_file(self) -> Path:
        return self.path / "cgroup.procs"

    def oom_kills(self) -> int:
        """OOM kills inside this cgroup so far (v1 memory.oom_control, v2 memory.events)."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            text = (self.path / name).read_text(encoding="utf-8")
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.rmdir()


def own_cgroup_path(controller: str | None, proc_cgroup: str) -> str | None:
    """Our cgroup path for a v1 controller (or the v2 unified path when controller is None)."""
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        if controller is None and controllers == "":
            return path
        if controller is not None and controller in controllers.split(","):
            return path
    return None


def create_memory_cgroup(limit_bytes: int, root: Path = CGROUP_ROOT) -> MemoryCgroup | None:
    try:
        proc_cgroup = Path("/proc/self/cgroup").read_text(encoding="utf-8")
    except OSError:
        return None
    name = f"concbench-{uuid.uuid4().hex[:12]}"
    if (root / "memory").is_dir():
        own = own_cgroup_path("memory", proc_cgroup)
        settings = {"memory.limit_in_bytes": limit_bytes, "memory.memsw.limit_in_bytes": limit_bytes}
        parent, version = root / "memory" / (own or "/").lstrip("/"), 1
    elif (root / "cgroup.controllers").exists():
        own = own_cgroup_path(None, proc_cgroup)
        settings = {"memory.max": limit_bytes, "memory.swap.max": 0}
        parent, version = root / (own or "/").lstrip("/"), 2
    else:
        return None
    path = parent / name
    try:
        path.mkdir()
    except OSError:
        return None
    cgroup = MemoryCgroup(path, version)
    try:
        for key, value in settings.items():
            target = path / key
            if target.exists():  # memsw exists only with swap accounting
                target.write_text(str(value), encoding="utf-8")
    except OSError:
        cgroup.remove()
        return None
    return cgroup


def join_cgroup(procs_file: Path) -> None:
    """Runs in the child between fork and exec, so the runner starts inside the limit."""
    procs_file.write_text(str(os.getpid()), encoding="utf-8")
