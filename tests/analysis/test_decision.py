"""The decision guide follows the measurements: change the numbers and the pick changes."""

from __future__ import annotations

from concbench_poly.analysis.aggregate import summarize
from concbench_poly.analysis.claims import NO_CLAIMS
from concbench_poly.analysis.decision import OVERALL, decide
from concbench_poly.results.model import RunResult
from tests.factories import fixture_set, ok


def io_python(threading_mib: float, asyncio_mib: float, pool_mib: float = 1.0) -> list[RunResult]:
    return (
        [ok("python", "threading", total_ms=15.0, peak_rss_mib=threading_mib, repetition=i) for i in range(3)]
        + [ok("python", "asyncio", total_ms=13.0, peak_rss_mib=asyncio_mib, repetition=i) for i in range(3)]
        + [
            # A bounded pool: least memory of all, but 16x slower than the fastest; not "fast enough".
            ok("python", "threadpool", pool_size=50, total_ms=212.0, peak_rss_mib=pool_mib, repetition=i)
            for i in range(3)
        ]
    )


def test_io_pick_is_the_smallest_memory_among_fast_approaches() -> None:
    guide = decide(summarize(io_python(threading_mib=40.0, asyncio_mib=18.0), claims=NO_CLAIMS))
    python = guide.get("io", "python")
    assert python is not None and python.pick is not None
    assert python.pick.short == "asyncio"
    assert python.tasks == 1000


def test_io_pick_follows_the_numbers_not_folklore() -> None:
    # Same data with threading lighter than asyncio: the guide must now say threading.
    guide = decide(summarize(io_python(threading_mib=12.0, asyncio_mib=18.0), claims=NO_CLAIMS))
    python = guide.get("io", "python")
    assert python is not None and python.pick is not None and python.pick.short == "threading"


def test_cpu_pick_is_the_shortest_time() -> None:
    runs = [
        ok("python", "threading", "cpu", total_ms=850.0),
        ok("python", "multiprocessing", "cpu", workers=4, total_ms=240.0, peak_rss_mib=80.0),
    ]
    python = decide(summarize(runs, claims=NO_CLAIMS)).get("cpu", "python")
    assert python is not None and python.pick is not None
    assert python.pick.short == "multiprocessing(4)"
    assert python.rule == "cpu_time"


def test_missing_language_is_said_not_invented() -> None:
    guide = decide(summarize(io_python(40.0, 18.0), claims=NO_CLAIMS))
    node = guide.get("io", "node")
    assert node is not None and not node.measured and node.pick is None
    go = guide.get("cpu", "go")
    assert go is not None and not go.measured and go.rule is None


def test_close_call_when_ranges_overlap() -> None:
    runs = [
        ok("python", "threading", total_ms=13.0, peak_rss_mib=m, repetition=i) for i, m in enumerate((17.0, 18.0, 19.0))
    ]
    runs += [
        ok("python", "asyncio", total_ms=13.0, peak_rss_mib=m, repetition=i) for i, m in enumerate((16.5, 17.5, 18.5))
    ]
    python = decide(summarize(runs, claims=NO_CLAIMS)).get("io", "python")
    assert python is not None and python.pick is not None and python.pick.short == "asyncio"
    assert python.close_call is not None and python.close_call.short == "threading"


def test_overall_names_the_language_and_compares_one_n() -> None:
    summary = summarize(fixture_set(), claims=NO_CLAIMS)
    overall = decide(summary).get("io", OVERALL)
    assert overall is not None and overall.pick is not None
    assert overall.pick.label == "Go goroutines"  # 6.1 MiB, fastest total: the fixture's lightest
    assert overall.tasks == 1000
    # Go alone ran 1000, 10000 and 100000; it is still judged at the N the other languages ran.
    go = decide(summary).get("io", "go")
    assert go is not None and go.tasks == 1000


def test_sweep_breaks_are_reported() -> None:
    python = decide(summarize(fixture_set(), claims=NO_CLAIMS)).get("io", "python")
    assert python is not None
    assert [(s.approach, s.broke_at) for s in python.broken] == [("threading", 100_000)]
    assert python.broken[0].break_reason is not None
    assert python.broken[0].break_reason.kind == "resource_exhausted"


def mixed(approach: str, total_ms: float, wakeup_p99_ms: float, workers: int | None = None) -> RunResult:
    wakeup = {
        "early_tasks": 0,
        "earliest": 0.0,
        "p50": wakeup_p99_ms / 2,
        "p99": wakeup_p99_ms,
        "latest": wakeup_p99_ms,
    }
    return ok("python", approach, "mixed", 200, workers=workers, cores=1, total_ms=total_ms, wakeup=wakeup)


def test_mixed_pick_is_the_least_late_wakeup_among_fast_approaches() -> None:
    runs = [
        mixed("asyncio", total_ms=420.0, wakeup_p99_ms=395.0),
        mixed("asyncio-processpool", total_ms=452.0, wakeup_p99_ms=1.4, workers=1),
        # On time, but more than 1.5x the fastest total: not fast enough to be picked.
        mixed("asyncio-to-thread", total_ms=700.0, wakeup_p99_ms=0.5),
    ]
    python = decide(summarize(runs, claims=NO_CLAIMS)).get("mixed", "python")
    assert python is not None and python.pick is not None and python.cores == 1
    assert python.pick.approach == "asyncio-processpool" and python.rule == "mixed_wakeup"


def test_mixed_pick_follows_the_numbers() -> None:
    # The loop woke its tasks on time (little CPU per task): then asyncio alone wins.
    runs = [
        mixed("asyncio", total_ms=420.0, wakeup_p99_ms=0.8),
        mixed("asyncio-processpool", total_ms=452.0, wakeup_p99_ms=1.4, workers=1),
    ]
    python = decide(summarize(runs, claims=NO_CLAIMS)).get("mixed", "python")
    assert python is not None and python.pick is not None and python.pick.approach == "asyncio"
