"""Best-effort limits for local runs: child cgroups of our own for memory and CPU quota (root only).

Containers get their limits from Docker; a host process gets the same ones only where this process
may create cgroups. Whatever could not be applied is recorded as null in the result's limits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CHILD_PREFIX = "concbench-"
V1_CONTROLLERS = ("memory", "cpu", "cpuacct", "pids")
CFS_PERIOD_US = 100_000


@dataclass(frozen=True)
class LocalCgroup:
    """The cgroup directories a local run joins, and which limits they really carry."""

    dirs: tuple[Path, ...]
    version: int
    memory_dir: Path | None
    memory_bytes: int | None
    cpus: float | None
    pids: int | None  # the pids limit, where the pids controller could carry it

    def peak_bytes(self) -> int | None:
        """The memory cgroup's peak over the whole run (v1 max_usage_in_bytes, v2 memory.peak), read
        after the runner exited: every process of the run, shared pages counted once."""
        if self.memory_dir is None:
            return None
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.memory_dir / name).read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None

    def oom_kills(self) -> int:
        """OOM kills inside the memory cgroup so far (v1 memory.oom_control, v2 memory.events)."""
        if self.memory_dir is None:
            return 0
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            text = (self.memory_dir / name).read_text(encoding="utf-8")
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def join(self) -> None:
        """Runs in the child between fork and exec, so the runner starts inside the limits."""
        pid = str(os.getpid())
        for directory in self.dirs:
            (directory / "cgroup.procs").write_text(pid, encoding="utf-8")

    def remove(self, wait_s: float = 5.0) -> None:
        """rmdir once the killed processes have left (EBUSY until then), within a bounded wait."""
        deadline = time.monotonic() + wait_s
        for directory in self.dirs:
            while True:
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break  # left for the administrator; never worth losing the result over
                    time.sleep(0.05)


def own_cgroup_path(controller: str | None, proc_cgroup: str) -> str | None:
    """Our cgroup path for a v1 controller (or the v2 unified path when controller is None)."""
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        if controller is None and controllers == "":
            return path
        if controller is not None and controller in controllers.split(","):
            return path
    return None


def _make_child(parent: Path, name: str, settings: dict[str, str]) -> Path | None:
    """mkdir a child cgroup and write its settings; None (and nothing left behind) on any refusal."""
    path = parent / name
    try:
        path.mkdir()
    except OSError:
        return None
    try:
        for key, value in settings.items():
            target = path / key
            if target.exists():  # e.g. memsw exists only with swap accounting
                target.write_text(value, encoding="utf-8")
    except OSError:
        with contextlib.suppress(OSError):
            path.rmdir()
        return None
    return path


def create_cgroup(
    memory_bytes: int, cpus: float | None, pids: int | None = None, root: Path = CGROUP_ROOT
) -> LocalCgroup | None:
    try:
        proc_cgroup = Path("/proc/self/cgroup").read_text(encoding="utf-8")
    except OSError:
        return None
    # The pid names the invocation that owns it, so a later invocation can tell an orphan (reap_cgroups).
    name = f"{CHILD_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    quota = str(int(cpus * CFS_PERIOD_US)) if cpus else None
    if (root / "memory").is_dir():
        memory_dir = _v1_child(
            root,
            "memory",
            proc_cgroup,
            name,
            {"memory.limit_in_bytes": str(memory_bytes), "memory.memsw.limit_in_bytes": str(memory_bytes)},
        )
        cpu_settings = {"cpu.cfs_period_us": str(CFS_PERIOD_US), "cpu.cfs_quota_us": quota} if quota else None
        cpu_dir = _v1_child(root, "cpu", proc_cgroup, name, cpu_settings) if cpu_settings else None
        # cpuacct (often mounted apart from cpu; where co-mounted, the cpu child is already it): the
        # runner reads its own CPU time there (checks).
        cpuacct_dir = _v1_child(root, "cpuacct", proc_cgroup, name, {})
        pids_dir = _v1_child(root, "pids", proc_cgroup, name, {"pids.max": str(pids)} if pids else {})
        dirs = tuple(d for d in (memory_dir, cpu_dir, cpuacct_dir, pids_dir) if d is not None)
        pids_applied = pids if pids_dir is not None and pids else None
        version = 1
    elif (root / "cgroup.controllers").exists():
        parent = root / (own_cgroup_path(None, proc_cgroup) or "/").lstrip("/")
        settings = {"memory.max": str(memory_bytes), "memory.swap.max": "0"}
        if quota is not None:
            settings["cpu.max"] = f"{quota} {CFS_PERIOD_US}"
        if pids:
            settings["pids.max"] = str(pids)
        unified = _make_child(parent, name, settings)
        memory_dir = cpu_dir = unified
        dirs = (unified,) if unified is not None else ()
        # A controller not delegated to this subtree has no files here: its limit was not applied.
        if unified is not None and not (unified / "memory.max").exists():
            memory_dir = None
        if unified is not None and not (unified / "cpu.max").exists():
            cpu_dir = None
        pids_applied = pids if unified is not None and pids and (unified / "pids.max").exists() else None
        version = 2
    else:
        return None
    if not dirs or (memory_dir is None and cpu_dir is None):
        for directory in dirs:
            with contextlib.suppress(OSError):
                directory.rmdir()
        return None
    return LocalCgroup(
        dirs=dirs,
        version=version,
        memory_dir=memory_dir,
        memory_bytes=memory_bytes if memory_dir is not None else None,
        cpus=cpus if cpu_dir is not None else None,
        pids=pids_applied,
    )


def _v1_child(root: Path, controller: str, proc_cgroup: str, name: str, settings: dict[str, str]) -> Path | None:
    """A child of our own cgroup under a v1 controller's mount; None where the controller is absent."""
    if not (root / controller).is_dir():
        return None
    parent = root / controller / (own_cgroup_path(controller, proc_cgroup) or "/").lstrip("/")
    return _make_child(parent, name, settings)


def reap_cgroups(root: Path = CGROUP_ROOT, proc: Path = Path("/proc")) -> list[str]:
    """Remove the cgroups of invocations that died without cleaning up, killing what still runs in them.

    A cgroup concbench-<pid>-<id> belongs to the invocation with that pid; when no such process runs,
    its runner (started in a session of its own) may still: it is SIGKILLed, then the cgroup removed.
    """
    try:
        proc_cgroup = (proc / "self" / "cgroup").read_text(encoding="utf-8")
    except OSError:
        return []
    parents: list[Path] = []
    if (root / "cgroup.controllers").exists():
        parents.append(root / (own_cgroup_path(None, proc_cgroup) or "/").lstrip("/"))
    else:
        for controller in V1_CONTROLLERS:
            if (root / controller).is_dir():
                parents.append(root / controller / (own_cgroup_path(controller, proc_cgroup) or "/").lstrip("/"))
    removed: list[str] = []
    for parent in parents:
        try:
            children = sorted(p for p in parent.iterdir() if p.is_dir() and p.name.startswith(CHILD_PREFIX))
        except OSError:
            continue
        for child in children:
            owner = child.name.removeprefix(CHILD_PREFIX).split("-", 1)[0]
            if not owner.isdigit() or (proc / owner).exists():
                continue
            _kill_members(child)
            LocalCgroup(dirs=(child,), version=1, memory_dir=None, memory_bytes=None, cpus=None, pids=None).remove()
            if not child.exists():
                removed.append(str(child))
    return removed


def _kill_members(cgroup: Path) -> None:
    try:
        pids = (cgroup / "cgroup.procs").read_text(encoding="utf-8").split()
    except OSError:
        return
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
