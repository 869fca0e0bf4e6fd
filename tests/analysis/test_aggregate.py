"""summarize(): which runs count, what each Stat holds, how claims and sweeps are attached."""

from __future__ import annotations

import pytest

from concbench_poly.analysis.aggregate import CaseSummary, ParallelismCaveat, Summary, ViewCaveat, summarize
from concbench_poly.analysis.claims import NO_CLAIMS, load_claims
from concbench_poly.analysis.environment import LimitsSeen, RuntimeSeen
from concbench_poly.analysis.figures import FIGURES
from concbench_poly.analysis.statistics import Stat
from concbench_poly.cases import case_order
from concbench_poly.config import MIB
from tests.factories import Lat, build, failed, fixture_set, ok, repeated


@pytest.fixture(scope="module")
def summary() -> Summary:
    return summarize(fixture_set(), claims=load_claims())


def case_of(summary: Summary, key: str) -> CaseSummary:
    """The summary of a case that must be present."""
    found = summary.case(key)
    assert found is not None, key
    return found


def median(stat: Stat | None) -> float:
    """The median of a figure that must have been measured."""
    assert stat is not None
    return stat.median


def test_warmups_are_not_aggregated() -> None:
    runs = [*repeated([10.0, 11.0, 12.0]), ok(total_ms=500.0, warmup=True)]
    result = summarize(runs, claims=NO_CLAIMS)
    (case,) = result.cases
    assert case.runs == 3
    total = case.stat("total_ms")
    assert total is not None and (total.median, total.max) == (11.0, 12.0)
    assert result.warmups_ignored == 1


def test_runs_are_grouped_by_case_key() -> None:
    runs = [
        ok("python", "asyncio", total_ms=10.0),
        ok("go", "goroutines", total_ms=20.0),
        ok("python", "asyncio", total_ms=30.0, repetition=1),
    ]
    result = summarize(runs, claims=NO_CLAIMS)
    assert [c.key for c in result.cases] == ["io-python-asyncio-n1000", "io-go-goroutines-n1000"]
    assert [c.runs for c in result.cases] == [2, 1]
    assert median(result.cases[0].stat("total_ms")) == 20.0


def test_every_figure_is_described(summary: Summary) -> None:
    threading = summary.case("io-python-threading-n1000")
    assert threading is not None
    assert set(threading.stats) == set(FIGURES)
    total = threading.stat("total_ms")
    assert total is not None
    assert (total.median, total.min, total.max, total.n) == (15.2, 14.8, 16.1, 3)
    # cpu_s is user + system of each run (0.07 + 0.03 in the fixture).
    assert median(threading.stat("cpu_s")) == pytest.approx(0.10)
    assert median(threading.stat("peak_threads")) == 1001
    assert median(threading.stat("service_p99_ms")) == 14.9
    assert median(threading.stat("end_to_end_p99_ms")) == 16.0


def test_spread_is_flagged(summary: Summary) -> None:
    # asyncio totals 13.0, 12.6, 21.0 ms: CV of about 30%.
    asyncio_total = case_of(summary, "io-python-asyncio-n1000").stat("total_ms")
    threading_total = case_of(summary, "io-python-threading-n1000").stat("total_ms")
    assert asyncio_total is not None and asyncio_total.spread
    assert threading_total is not None and not threading_total.spread


def test_failures_are_counted_and_kept(summary: Summary) -> None:
    node = summary.case("io-node-async-n1000")
    assert node is not None
    assert (node.runs, node.ok_runs, node.completed, node.all_ok) == (3, 2, True, False)
    assert [(f.kind, f.message) for f in node.failures] == [("timeout", "run exceeded 120 s and was killed")]
    workers = summary.case("cpu-node-worker_threads-w4-n1000")
    assert workers is not None and not workers.completed
    assert workers.stats == {} and workers.checks == ()
    failure = workers.main_failure()
    assert failure is not None and failure.language == "node" and failure.kind == "runner_crashed"


def test_claim_checks_use_the_median(summary: Summary) -> None:
    asyncio = summary.case("io-python-asyncio-n1000")
    assert asyncio is not None and asyncio.claim_row is not None
    memory = asyncio.check("memory")
    assert memory is not None and memory.figure == "memory_bytes"
    # 18.3 MiB (the cgroup peak, the headline) against the article's 4-8 MB.
    assert memory.measured == pytest.approx(18.3, abs=0.01) and memory.verdict == "above"
    total = asyncio.check("total")
    assert total is not None and total.measured == 13.0 and total.verdict == "within"


def test_memory_claim_is_in_mib() -> None:
    runs = [ok("python", "asyncio", peak_rss_mib=7.9)]
    check = summarize(runs, claims=load_claims()).cases[0].check("memory")
    # 7.9 MiB is within 4-8 only if bytes are divided by 2^20 (it is 8.28 "MB" of 10^6 bytes).
    assert check is not None and check.verdict == "within"
    assert check.measured == pytest.approx(int(7.9 * MIB) / MIB)


def test_latency_view_selects_the_figure_checked() -> None:
    runs = [
        ok("python", "threadpool", pool_size=50, total_ms=215.0, service=Lat(10.2, 10.4), end_to_end=Lat(110.0, 211.0))
    ]
    service = summarize(runs, claims=load_claims(), latency_view="service").cases[0].check("p99")
    e2e = summarize(runs, claims=load_claims(), latency_view="end_to_end").cases[0].check("p99")
    assert service is not None and e2e is not None
    assert (service.figure, service.verdict) == ("service_p99_ms", "below")
    assert service.caveats == (ViewCaveat(claim_view="end_to_end", shown_view="service"),)
    assert (e2e.figure, e2e.verdict, e2e.caveats) == ("end_to_end_p99_ms", "within", ())


def test_cpu_claims_are_judged_on_the_articles_core_count_only() -> None:
    one = summarize([ok("go", "goroutines", "cpu", total_ms=48.0, parallelism=1)], claims=load_claims())
    four = summarize([ok("go", "goroutines", "cpu", total_ms=48.0, parallelism=4)], claims=load_claims())
    (one_check,), (four_check,) = one.cases[0].checks, four.cases[0].checks
    assert four_check.verdict == "within" and four_check.caveats == ()  # 48 ms is within 45 ms +/-10%
    # The article's machine had 4 cores: on 1 its figure is shown, never judged.
    assert one_check.verdict is None
    assert one_check.caveats == (ParallelismCaveat(claimed=4, seen=1),)


def test_a_claim_no_machine_at_this_rate_could_reach_is_marked() -> None:
    # 1000 tasks x 64 B x 10000 = 640 MB in 300 ms on one core: 2.13 GB/s per core, 8.5 GB/s on 4.
    one_core = ok("go", "goroutines", "cpu", total_ms=300.0, parallelism=1)
    (case,) = summarize([one_core], claims=load_claims()).cases
    plausibility = case.checks[0].plausibility
    assert plausibility is not None and plausibility.cores == 4
    # The article's 45 ms needs 640 MB / 0.045 s = 14.2 GB/s: more than 4 x 2.13.
    assert plausibility.required_bytes_per_s == pytest.approx(640e6 / 0.045)
    assert not plausibility.reachable
    (fast,) = summarize([ok("go", "goroutines", "cpu", total_ms=100.0, parallelism=1)], claims=load_claims()).cases
    assert fast.checks[0].plausibility is not None and fast.checks[0].plausibility.reachable


def test_no_claims_means_no_checks() -> None:
    result = summarize(fixture_set(), claims=NO_CLAIMS)
    assert all(c.checks == () and c.claim_row is None for c in result.cases)


def test_unknown_latency_view() -> None:
    with pytest.raises(ValueError, match="latency_view"):
        summarize([ok()], claims=NO_CLAIMS, latency_view="p99")


def test_case_order_follows_the_article(summary: Summary) -> None:
    keys = [c.key for c in summary.cases if c.case.tasks == 1000]
    assert keys == [
        "io-python-threading-n1000",
        "io-python-asyncio-n1000",
        "io-python-threadpool-pool50-n1000",
        "io-python-threadpool-pool100-n1000",
        "io-go-goroutines-n1000",
        "io-node-async-n1000",
        "cpu-python-threading-n1000",
        "cpu-python-asyncio-n1000",
        "cpu-python-multiprocessing-w4-n1000",
        "cpu-go-goroutines-n1000",
        "cpu-node-worker_threads-w4-n1000",
    ]
    assert sorted(summary.cases, key=lambda c: case_order(c.case)) == list(summary.cases)


def test_table_rows(summary: Summary) -> None:
    rows = summary.table_rows("io")
    assert [r.label if r else None for r, _ in rows] == [row.label for row in summary.claims.io]
    assert all(c is not None and c.case.tasks == 1000 for _, c in rows)
    only_python = summarize([ok("python", "asyncio"), ok("python", "asyncio", tasks=500)], claims=load_claims())
    io_rows = only_python.table_rows("io")
    measured = [(r.label if r else None, c.key if c else None) for r, c in io_rows]
    # Article rows stay (unmeasured ones with no case); the N=500 case is part of a sweep, not the table.
    assert measured[1] == ("Python asyncio (1000)", "io-python-asyncio-n1000")
    assert [c for r, c in io_rows if r is not None and r.label.startswith("Go")] == [None]
    assert len(io_rows) == 6
    no_sweep = summarize([ok("python", "asyncio", tasks=500)], claims=load_claims())
    last = no_sweep.table_rows("io")[-1][1]
    assert last is not None and last.key == "io-python-asyncio-n500"


def test_typical_cdf_is_the_pointwise_median() -> None:
    runs = [ok(service=Lat(p50, 12.0), repetition=i) for i, p50 in enumerate((10.0, 10.4, 11.0))]
    cdf = summarize(runs, claims=NO_CLAIMS).cases[0].cdf
    assert len(cdf["service"]) == 101 and cdf["service"][50] == 10.4
    assert summarize([ok(with_cdf=False)], claims=NO_CLAIMS).cases[0].cdf == {}


def test_runtime_memory_keeps_numbers_only(summary: Summary) -> None:
    go = summary.case("io-go-goroutines-n1000")
    python = summary.case("io-python-asyncio-n1000")
    assert go is not None and python is not None
    assert set(go.runtime_stats) == {"HeapAlloc", "StackInuse", "Sys", "NumGC"}
    # gc_counts is a list in the Python runner's view: not a figure.
    assert set(python.runtime_stats) == {"allocated_blocks"}


def test_sweeps(summary: Summary) -> None:
    sweeps = {s.label: s for s in summary.sweeps}
    assert set(sweeps) == {
        "Python threading, I/O 10 ms",
        "Python asyncio, I/O 10 ms",
        "Python ThreadPool(50), I/O 10 ms",  # the blocking scenario's few-task counts
        "Go goroutines, I/O 10 ms",
    }
    threading = sweeps["Python threading, I/O 10 ms"]
    assert [p.tasks for p in threading.points] == [10, 50, 100, 500, 1000, 10_000, 100_000]
    assert (threading.largest_completed, threading.broke_at) == (10_000, 100_000)
    assert threading.break_reason is not None and threading.break_reason.kind == "resource_exhausted"
    go = sweeps["Go goroutines, I/O 10 ms"]
    p1, p10, p100 = go.points
    assert p1.marginal_bytes_per_task is None
    # Slope of the median peak RSS: (30.5 MiB - 6.1 MiB) / (10000 - 1000) tasks, in bytes.
    expected = (median(p10.peak_rss) - median(p1.peak_rss)) / 9000
    assert p10.marginal_bytes_per_task == pytest.approx(expected)
    assert expected == pytest.approx((30.5 - 6.1) * MIB / 9000, rel=1e-3)
    assert p100.public is not None and p100.public.stated == (263.0, 269.0)
    assert p10.public_verdict == "within" and p100.public_verdict == "below"
    assert all(p.floor_ms == 10 for p in go.points)


def test_pool_floor_counts_batches() -> None:
    runs = [ok("python", "threadpool", tasks=n, pool_size=50, total_ms=n / 50 * 10.5) for n in (1000, 2000)]
    (sweep,) = summarize(runs, claims=NO_CLAIMS).sweeps
    assert [p.floor_ms for p in sweep.points] == [200, 400]


def test_sweep_breaking_point_with_partial_failures() -> None:
    runs = [
        ok(tasks=1000),
        ok(tasks=10_000),
        failed("python", "asyncio", tasks=10_000, kind="oom_killed", message="killed", repetition=1),
    ]
    (sweep,) = summarize(runs, claims=NO_CLAIMS).sweeps
    # N=10000 finished once but not every time: it is where the approach broke.
    assert (sweep.largest_completed, sweep.broke_at) == (1000, 10_000)


def test_environment(summary: Summary) -> None:
    env = summary.environment
    assert env.executors == ("docker",)
    assert env.limits == (
        LimitsSeen(cpus=1.0, cpuset="0", memory_bytes=512 * MIB, pids=4096, timeout_s=120.0),
        LimitsSeen(
            cpus=2.0, cpuset="0-1", memory_bytes=512 * MIB, pids=4096, timeout_s=120.0
        ),  # the mixed runs' 2 cores
    )
    assert env.memory_limits_bytes == (512 * MIB,)
    assert RuntimeSeen("go", "go go1.23.4") in env.runtimes
    assert len(env.hosts) == 1 and env.hosts[0].docker_version == "27.3.1"


def test_the_headline_memory_counts_shared_pages_once() -> None:
    # A process pool: the parent's 25 MiB, its workers' peaks summed to 101 MiB, the cgroup's 34 MiB.
    pool = ok(
        "python",
        "multiprocessing",
        "cpu",
        workers=4,
        peak_rss_mib=25.0,
        cgroup_peak_mib=34.0,
        processes=5,
        processes_peak_mib=101.0,
    )
    (case,) = summarize([pool], claims=NO_CLAIMS).cases
    assert median(case.stat("memory_bytes")) == 34.0 * MIB
    assert median(case.stat("peak_rss_bytes")) == 25.0 * MIB
    assert case.memory_sources == ("cgroup",)


def test_without_a_cgroup_the_headline_is_every_process_summed_and_flagged() -> None:
    pool = ok("python", "multiprocessing", "cpu", workers=4, peak_rss_mib=25.0, processes=5, processes_peak_mib=101.0)
    pool.document["memory"]["cgroup_peak_bytes"] = None
    (case,) = summarize([build(pool.document)], claims=NO_CLAIMS).cases
    assert median(case.stat("memory_bytes")) == 101.0 * MIB
    assert case.memory_sources == ("processes",)
    assert any(flag.kind == "shared_pages" for flag in case.flags)
