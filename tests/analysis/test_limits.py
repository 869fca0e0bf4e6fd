"""The limit named when a model breaks is the one its counts came nearest to."""

from __future__ import annotations

from concbench_poly.analysis.limits import nearest_limit
from concbench_poly.report.text import limit_text
from concbench_poly.results.model import AtFailure

MIB = 1024 * 1024


def at_failure(**counts: int | None) -> AtFailure:
    base: dict[str, int | None] = {
        "threads": 22_288,
        "memory_maps": 65_526,
        "pids": 22_290,
        "rss_bytes": 345 * MIB,
        "vm_size_bytes": 180_000 * MIB,
        "pids_max": 32_768,
        "pid_max": 32_768,
        "threads_max": 192_731,
        "max_map_count": 65_530,
        "rlimit_nproc": None,
        "rlimit_as_bytes": None,
        "memory_limit_bytes": 4096 * MIB,
    }
    return AtFailure(**{**base, **counts})


def test_thread_per_task_runs_out_of_memory_mappings_first() -> None:
    hit = nearest_limit(at_failure())
    assert hit is not None and hit.setting == "vm.max_map_count"
    assert limit_text(hit) == "65,526 of 65,530 memory mappings (vm.max_map_count)"


def test_the_pids_cgroup_when_it_is_the_nearest() -> None:
    hit = nearest_limit(at_failure(memory_maps=400, pids=128, pids_max=128, threads=126))
    assert hit is not None and hit.setting == "pids.max" and hit.fraction == 1.0


def test_rlimit_as_counts_virtual_memory() -> None:
    hit = nearest_limit(
        at_failure(memory_maps=200, pids=70, threads=64, rlimit_as_bytes=512 * MIB, vm_size_bytes=510 * MIB)
    )
    assert hit is not None and hit.setting == "RLIMIT_AS"


def test_nothing_known_names_nothing() -> None:
    none = dict.fromkeys(
        ("threads", "memory_maps", "pids", "rss_bytes", "vm_size_bytes", "pids_max", "pid_max", "threads_max"), None
    )
    assert nearest_limit(at_failure(**none, max_map_count=None, memory_limit_bytes=None)) is None
