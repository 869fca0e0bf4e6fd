"""The runner's own cgroup (v1 or v2): its memory peak and usage, its CPU time, and the limits it imposes.

Own-cgroup resolution (runners/README.md, "Memory" step 5):
- the path comes from /proc/self/cgroup (v2: the "0::PATH" line; v1: the line naming the controller);
- it is joined to the mount (v2: <mnt>/PATH; v1: <mnt>/<controller>/PATH) and falls back to the
  mount root when the joined directory does not exist (a container without a cgroup namespace
  sees the host's path but has its own cgroup mounted at the root);
- a path of "/" is the root cgroup, not the runner's own: every value is then None. Exception, v2
  only: inside a cgroup namespace the runner's own cgroup also reads as "/"; it is recognised by its
  memory.max file, which the kernel creates in every cgroup except the real root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

MOUNT_ROOT = Path("/sys/fs/cgroup")
SELF_CGROUP = Path("/proc/self/cgroup")
# A v1 limit at or above 2^60 bytes is the kernel's way of saying "no limit".
UNLIMITED_BYTES = 1 << 60


def parse_memberships(text: str) -> dict[str, str]:
    """/proc/self/cgroup as {controller: path}; the v2 unified hierarchy is under the key ""."""
    memberships: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            memberships[""] = path
            continue
        for controller in controllers.split(","):
            if controller:
                memberships[controller] = path
                # The whole list too: v1 often mounts "cpu,cpuacct" as one directory.
                memberships.setdefault(controllers, path)
    return memberships


def detect_version(mount_root: Path = MOUNT_ROOT) -> int | None:
    """2 if <mnt>/cgroup.controllers exists, 1 if <mnt>/memory exists, else None."""
    if (mount_root / "cgroup.controllers").exists():
        return 2
    if (mount_root / "memory").exists():
        return 1
    return None


class OwnCgroup(NamedTuple):
    """Where the runner's own cgroup files are, for each controller."""

    version: int | None
    memberships: dict[str, str]
    mount_root: Path = MOUNT_ROOT

    def directory(self, controller: str) -> Path | None:
        """Directory holding the controller's files for the own cgroup; None when there is none."""
        if self.version == 2:
            return self._v2_directory()
        if self.version == 1:
            return self._v1_directory(controller)
        return None

    def _v2_directory(self) -> Path | None:
        path = self.memberships.get("")
        if path is None:
            return None
        if path in ("", "/"):
            # The real root has no memory.max; a namespace root (a container's own cgroup) does.
            # Same rule in every runner: see runners/README.md, "cgroup_peak_bytes".
            return self.mount_root if (self.mount_root / "memory.max").exists() else None
        joined = self.mount_root / path.lstrip("/")
        return joined if joined.is_dir() else self.mount_root

    def _v1_directory(self, controller: str) -> Path | None:
        path = self.memberships.get(controller)
        if path is None or path in ("", "/"):
            return None
        mounts = [self.mount_root / controller]
        joined_names = [name for name in self.memberships if "," in name and controller in name.split(",")]
        mounts += [self.mount_root / name for name in joined_names]
        for mount in mounts:
            if not mount.is_dir():
                continue
            joined = mount / path.lstrip("/")
            return joined if joined.is_dir() else mount
        return None

    def read(self, controller: str, name: str) -> str | None:
        """Trimmed contents of one of the own cgroup's files; None when absent or unreadable."""
        directory = self.directory(controller)
        if directory is None:
            return None
        try:
            return (directory / name).read_text(encoding="ascii", errors="replace").strip()
        except (OSError, MemoryError):
            return None

    def read_int(self, controller: str, name: str) -> int | None:
        value = self.read(controller, name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None


def locate_own_cgroup(mount_root: Path = MOUNT_ROOT, self_cgroup: Path = SELF_CGROUP) -> OwnCgroup:
    """Resolve the runner's own cgroup from /proc/self/cgroup and the cgroup mount."""
    try:
        text = self_cgroup.read_text(encoding="ascii", errors="replace")
    except (OSError, MemoryError):
        text = ""
    return OwnCgroup(detect_version(mount_root), parse_memberships(text), mount_root)


def memory_peak_bytes(own: OwnCgroup) -> int | None:
    """v2 memory.peak, v1 memory.max_usage_in_bytes; None where the runner has no cgroup of its own."""
    name = "memory.peak" if own.version == 2 else "memory.max_usage_in_bytes"
    value = own.read_int("memory", name)
    return value if value is not None and value >= 0 else None


def memory_limit_bytes(own: OwnCgroup) -> int | None:
    """v2 memory.max, v1 memory.limit_in_bytes; None when unlimited ("max" or >= 2^60)."""
    name = "memory.max" if own.version == 2 else "memory.limit_in_bytes"
    value = own.read_int("memory", name)  # "max" does not parse: None
    if value is None or value < 0 or value >= UNLIMITED_BYTES:
        return None
    return value


def memory_usage_bytes(own: OwnCgroup) -> int | None:
    """v2 memory.current, v1 memory.usage_in_bytes: what the own memory cgroup holds right now."""
    name = "memory.current" if own.version == 2 else "memory.usage_in_bytes"
    value = own.read_int("memory", name)
    return value if value is not None and value >= 0 else None


def cpu_stat(own: OwnCgroup) -> dict[str, int]:
    """The own cgroup's cpu.stat as {key: value} (v1 through the cpu controller); empty when unreadable."""
    counters: dict[str, int] = {}
    for line in (own.read("cpu", "cpu.stat") or "").splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1].isdigit():
            counters[fields[0]] = int(fields[1])
    return counters


def cpu_usage_s(own: OwnCgroup) -> float | None:
    """CPU time of the own cgroup over its life: v2 cpu.stat usage_usec / 1e6, v1 cpuacct.usage / 1e9.

    v1 reads it through the cpuacct controller, which may be co-mounted as cpu,cpuacct or mounted alone.
    """
    if own.version == 2:
        usec = cpu_stat(own).get("usage_usec")
        return None if usec is None else usec / 1_000_000
    if own.version == 1:
        nsec = own.read_int("cpuacct", "cpuacct.usage")
        return None if nsec is None or nsec < 0 else nsec / 1_000_000_000
    return None


def throttled_periods(own: OwnCgroup) -> int | None:
    """CFS periods in which the own cgroup was throttled (cpu.stat nr_throttled)."""
    return cpu_stat(own).get("nr_throttled") if own.version in (1, 2) else None


def throttled_s(own: OwnCgroup) -> float | None:
    """Time the own cgroup was throttled: v2 cpu.stat throttled_usec / 1e6, v1 throttled_time / 1e9."""
    if own.version == 2:
        usec = cpu_stat(own).get("throttled_usec")
        return None if usec is None else usec / 1_000_000
    if own.version == 1:
        nsec = cpu_stat(own).get("throttled_time")
        return None if nsec is None else nsec / 1_000_000_000
    return None


def pids_current(own: OwnCgroup) -> int | None:
    """Tasks (processes and threads) in the own pids cgroup: pids.current."""
    value = own.read_int("pids", "pids.current")
    return value if value is not None and value >= 0 else None


def pids_max(own: OwnCgroup) -> int | None:
    """The own pids cgroup's pids.max; None when it is "max" (unlimited) or unreadable."""
    value = own.read_int("pids", "pids.max")  # "max" does not parse: None
    return value if value is not None and value >= 0 else None


def cpu_quota_cores(own: OwnCgroup) -> float | None:
    """v2 cpu.max "QUOTA PERIOD", v1 cpu.cfs_quota_us / cpu.cfs_period_us; None when unlimited."""
    if own.version == 2:
        fields = (own.read("cpu", "cpu.max") or "").split()
        if len(fields) != 2 or not fields[0].isdigit() or not fields[1].isdigit():
            return None  # includes "max 100000"
        quota, period = int(fields[0]), int(fields[1])
    elif own.version == 1:
        quota_value = own.read_int("cpu", "cpu.cfs_quota_us")
        period_value = own.read_int("cpu", "cpu.cfs_period_us")
        if quota_value is None or period_value is None:
            return None
        quota, period = quota_value, period_value
    else:
        return None
    if quota <= 0 or period <= 0:
        return None
    return quota / period


def cpuset(own: OwnCgroup) -> str | None:
    """v2 cpuset.cpus.effective, v1 cpuset.effective_cpus or cpuset.cpus."""
    names = ["cpuset.cpus.effective"] if own.version == 2 else ["cpuset.effective_cpus", "cpuset.cpus"]
    for name in names:
        value = own.read("cpuset", name)
        if value:
            return value
    return None


def describe_limits(own: OwnCgroup) -> dict[str, Any]:
    """environment.cgroup of the result document."""
    return {
        "version": own.version,
        "cpu_quota_cores": cpu_quota_cores(own),
        "cpuset": cpuset(own),
        "memory_limit_bytes": memory_limit_bytes(own),
    }
