"""Which limit broke a model: the count at the failure that came nearest to the limit binding it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from concbench_poly.results.model import AtFailure


@dataclass(frozen=True)
class LimitHit:
    resource: str  # "memory mappings"
    used: int
    limit: int
    setting: str  # "vm.max_map_count": where the limit is set
    unit: Literal["count", "bytes"] = "count"

    @property
    def fraction(self) -> float:
        return self.used / self.limit


def nearest_limit(at: AtFailure) -> LimitHit | None:
    """The binding limit with the largest used / limit, or None when no count meets its limit's value."""
    pairs: list[tuple[str, int | None, int | None, str, Literal["count", "bytes"]]] = [
        ("memory mappings", at.memory_maps, at.max_map_count, "vm.max_map_count", "count"),
        ("tasks in the pids cgroup", at.pids, at.pids_max, "pids.max", "count"),
        ("threads", at.threads, at.threads_max, "kernel.threads-max", "count"),
        ("threads", at.threads, at.pid_max, "kernel.pid_max", "count"),
        ("threads", at.threads, at.rlimit_nproc, "RLIMIT_NPROC", "count"),
        ("virtual memory", at.vm_size_bytes, at.rlimit_as_bytes, "RLIMIT_AS", "bytes"),
        ("resident memory", at.rss_bytes, at.memory_limit_bytes, "the memory limit", "bytes"),
    ]
    hits = [LimitHit(r, used, limit, s, unit) for r, used, limit, s, unit in pairs if used is not None and limit]
    return max(hits, key=lambda hit: hit.fraction, default=None)
