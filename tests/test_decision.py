"""The decision guide follows the measurements: change the numbers and the pick changes."""

from __future__ import annotations

from concbench_poly.aggregate import summarize
from concbench_poly.claims import NO_CLAIMS
from concbench_poly.decision import OVERALL, decide, decision_guide
from tests.factories import failed, fixture_set, ok


def _io_python(threading_mib: float, asyncio_mib: float, pool_mib: float = 1.0) -> list:
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
    guide = decide(summarize(_io_python(threading_mib=40.0, asyncio_mib=18.0), claims=NO_CLAIMS))
    python = guide.get("io", "python")
    assert python is not None and python.pick is not None
    assert python.pick.short == "asyncio"
    assert python.tasks == 1000


def test_io_pick_follows_the_numbers_not_folklore() -> None:
    # Same data with threading lighter than asyncio: the guide must now say threading.
    guide = decide(summarize(_io_python(threading_mib=12.0, asyncio_mib=18.0), claims=NO_CLAIMS))
    python = guide.get("io", "python")
    assert python is not None and python.pick is not None and python.pick.short == "threading"


def test_text_states_the_numbers() -> None:
    text = decision_guide(summarize(_io_python(threading_mib=40.0, asyncio_mib=18.0), claims=NO_CLAIMS))
    line = next(line for line in text.splitlines() if line.startswith("- Python, I/O-bound"))
    assert "asyncio \N{EM DASH} total 13.0 ms" in line
    assert "18.0 MiB peak RSS" in line
    assert "threading: total 15.0 ms" in line and "40.0 MiB" in line
    assert "ThreadPool(50): total 212 ms" in line


def test_cpu_pick_is_the_shortest_time() -> None:
    runs = [
        ok("python", "threading", "cpu", total_ms=850.0),
        ok("python", "multiprocessing", "cpu", workers=4, total_ms=240.0, peak_rss_mib=80.0),
    ]
    python = decide(summarize(runs, claims=NO_CLAIMS)).get("cpu", "python")
    assert python is not None and python.pick is not None
    assert python.pick.short == "multiprocessing(4)"
    assert python.reason == "shortest total (wall) time"


def test_missing_language_is_said_not_invented() -> None:
    guide = decide(summarize(_io_python(40.0, 18.0), claims=NO_CLAIMS))
    node = guide.get("io", "node")
    assert node is not None and not node.measured and node.pick is None
    text = decision_guide(summarize(_io_python(40.0, 18.0), claims=NO_CLAIMS))
    assert "- Node.js, I/O-bound: not measured." in text
    assert "- Go, CPU-bound: not measured." in text


def test_all_failed() -> None:
    runs = [failed("node", "worker_threads", "cpu", workers=4, kind="runner_crashed", message="worker died")]
    text = decision_guide(summarize(runs, claims=NO_CLAIMS))
    expected = "no approach completed (worker_threads(4): runner_crashed: worker died)"
    assert f"Node.js, CPU-bound (N=1000): {expected}" in text


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
    assert "not significantly different from threading" in decision_guide(summarize(runs, claims=NO_CLAIMS))


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
    assert any("broke at N=100000" in note and "resource_exhausted" in note for note in python.scale_notes)


def test_empty_summary() -> None:
    text = decision_guide(summarize([], claims=NO_CLAIMS))
    assert text.count("not measured") == 8  # 3 languages + overall, for 2 workloads
