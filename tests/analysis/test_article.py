"""The article's analysis and guide beside the data: verdicts follow the numbers, in both directions."""

from __future__ import annotations

from concbench_poly.analysis.article import BLOCKING_MARGIN, GuideCell, check_article
from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.report_model import Report, build_report
from concbench_poly.results.model import RunResult
from tests.factories import Lat, failed, fixture_set, ok

MIB = 1024 * 1024


def report_of(runs: list[RunResult]) -> Report:
    return build_report(runs, claims=load_claims())


def blocking(threads: dict[int, tuple[float, float]], loop: dict[int, tuple[float, float]]) -> list[RunResult]:
    """Python threading and asyncio at N: (total ms, service p99 ms)."""
    runs = []
    for tasks, (total, p99) in threads.items():
        runs.append(ok("python", "threading", tasks=tasks, total_ms=total, service=Lat(10.1, p99)))
    for tasks, (total, p99) in loop.items():
        runs.append(ok("python", "asyncio", tasks=tasks, total_ms=total, service=Lat(10.1, p99)))
    return runs


def test_the_threshold_is_the_last_n_where_threads_kept_up() -> None:
    loop = {10: (10.5, 10.2), 100: (11.0, 10.6), 500: (12.0, 11.0)}
    threads = {10: (10.6, 10.3), 100: (11.0 * (1 + BLOCKING_MARGIN) * 0.99, 10.9), 500: (15.0, 13.0)}
    scenario = report_of(blocking(threads, loop)).article.blocking
    assert scenario is not None
    assert scenario.threshold == 100
    beyond = scenario.first_beyond
    assert beyond is not None and beyond.tasks == 500 and beyond.total_ratio == 15.0 / 12.0


def test_a_later_recovery_does_not_raise_the_threshold() -> None:
    # Behind at 100, level again at 500: "stays within" means at every N up to the threshold.
    loop = {10: (10.5, 10.2), 100: (11.0, 10.6), 500: (12.0, 11.0)}
    threads = {10: (10.6, 10.3), 100: (14.0, 10.6), 500: (12.0, 11.0)}
    scenario = report_of(blocking(threads, loop)).article.blocking
    assert scenario is not None and scenario.threshold == 10


def test_threads_never_within_make_the_article_differ() -> None:
    report = report_of(blocking({10: (13.0, 10.2), 50: (14.0, 10.4)}, {10: (10.5, 10.2), 50: (10.8, 10.4)}))
    assert report.article.blocking is not None and report.article.blocking.threshold is None
    cell = next(c for c in report.article.guide if c.row.workload == "blocking" and c.language == "python")
    assert cell.agrees is False


def test_a_thousand_threads_say_nothing_about_a_few() -> None:
    runs = blocking({1000: (15.0, 14.0), 10000: (160.0, 40.0)}, {1000: (13.0, 12.0), 10000: (19.0, 14.0)})
    assert report_of(runs).article.blocking is None


def thread_sweep(resident_kib: float, virtual_mib: float) -> list[RunResult]:
    """Python threading at 1000 and 10000 tasks: each thread adds resident_kib to the cgroup and
    virtual_mib to VmPeak, on top of a 10 MiB runtime."""
    runs = []
    for tasks in (1000, 10000):
        runs.append(
            ok(
                "python",
                "threading",
                tasks=tasks,
                baseline_rss_mib=10.0,
                cgroup_peak_mib=10.0 + tasks * resident_kib / 1024,
                peak_rss_mib=10.0 + tasks * resident_kib / 1024,
                vm_peak_mib=30.0 + tasks * virtual_mib,
            )
        )
    return runs


def test_a_thread_stack_is_reserved_not_resident() -> None:
    article = report_of(thread_sweep(resident_kib=14.0, virtual_mib=8.0)).article
    threads = next(c for c in article.per_task if c.claim.match.get("approach") == "threading")
    assert threads.tasks == 10000 and threads.all_alive
    assert threads.resident_bytes is not None and round(threads.resident_bytes) == 14 * 1024
    assert threads.virtual_bytes is not None and round(threads.virtual_bytes) == 8 * MIB
    assert (threads.resident_verdict, threads.virtual_verdict) == ("below", "within")
    assert threads.stories_differ


def test_resident_stacks_would_agree_with_the_article() -> None:
    # A runtime that touched every stack page: resident and virtual then tell the same story.
    article = report_of(thread_sweep(resident_kib=2048.0, virtual_mib=2.0)).article
    threads = next(c for c in article.per_task if c.claim.match.get("approach") == "threading")
    assert (threads.resident_verdict, threads.virtual_verdict) == ("within", "within")
    assert not threads.stories_differ


def test_projections_measured_broken_or_projected() -> None:
    runs = [*thread_sweep(resident_kib=14.0, virtual_mib=8.0), failed("python", "threading", tasks=100000)]
    projections = {(c.claim.match.get("approach"), c.tasks): c for c in report_of(runs).article.projections}
    at_10k = projections[("threading", 10000)]
    assert at_10k.basis == "measured" and at_10k.verdict == "below"  # ~147 MiB, not 10 GB
    assert at_10k.virtual_verdict is not None  # 10,000 x 8 MiB reserved: the article's arithmetic
    at_100k = projections[("threading", 100000)]
    assert at_100k.basis == "broke" and at_100k.verdict is None
    assert projections[("asyncio", 10000)].basis == "none"


def test_projection_from_the_per_task_figure_when_not_measured() -> None:
    runs = thread_sweep(resident_kib=14.0, virtual_mib=8.0)
    check = next(
        c
        for c in report_of(runs).article.projections
        if c.tasks == 100000 and c.claim.match.get("approach") == "threading"
    )
    assert check.basis == "projected"
    assert check.projected_resident_bytes is not None
    # The memory at 10,000 plus 90,000 more threads at 14 KiB each.
    expected = (10.0 + 10000 * 14.0 / 1024) * MIB + 90000 * 14 * 1024
    assert abs(check.projected_resident_bytes - expected) < 1024
    assert check.verdict == "below"


def test_every_guide_cell_of_the_fixture() -> None:
    article = report_of(fixture_set()).article
    cells = {(c.row.workload, c.language): c for c in article.guide}
    assert len(cells) == 4 * 3
    assert cells[("io", "python")].agrees is True
    assert cells[("mixed", "python")].decision is not None and cells[("mixed", "python")].decision.cores == 2
    assert cells[("cpu", "node")].agrees is None  # nothing completed: neither agrees nor differs
    assert cells[("blocking", "python")].blocking is not None


def test_the_measured_pick_can_differ_from_the_article() -> None:
    # Threads lighter than asyncio at the same speed: the data picks threading, the article asyncio.
    runs = [
        ok("python", "threading", total_ms=13.0, peak_rss_mib=12.0),
        ok("python", "asyncio", total_ms=13.0, peak_rss_mib=18.0),
    ]
    cell = next(c for c in check_article_of(runs) if c.row.workload == "io" and c.language == "python")
    assert cell.agrees is False
    assert cell.measured_pick is not None and cell.measured_pick.approach == "threading"
    assert cell.article_option is not None and cell.article_option.approach == "asyncio"


def check_article_of(runs: list[RunResult]) -> tuple[GuideCell, ...]:
    report = report_of(runs)
    return check_article(report.summary, report.guide).guide
