"""compare(): ratios and verdicts that respect the noise, as pyperf compare_to does."""

from __future__ import annotations

import pytest

from concbench_poly.analysis.aggregate import Summary, summarize
from concbench_poly.analysis.claims import NO_CLAIMS
from concbench_poly.analysis.compare import ComparisonRow, compare
from tests.factories import failed, ok, repeated


def _summary(totals: list[float], **kwargs: object) -> Summary:
    return summarize(repeated(totals, **kwargs), claims=NO_CLAIMS)


def _row(rows: list[ComparisonRow], figure: str) -> ComparisonRow:
    return next(r for r in rows if r.figure == figure)


def test_identical_runs_show_no_difference() -> None:
    a = _summary([10.0, 11.0, 12.0])
    rows = compare(a, a)
    assert rows and all(r.verdict == "no significant difference" for r in rows)
    assert _row(rows, "total_ms").ratio == 1.0


def test_slower_when_ranges_are_apart() -> None:
    rows = compare(_summary([10.0, 11.0, 12.0]), _summary([15.0, 16.5, 18.0]))
    total = _row(rows, "total_ms")
    assert total.verdict == "slower" and total.ratio == pytest.approx(1.5)
    assert total.change() == "1.50x slower"
    # Throughput went down by the same factor: also "slower", although its number fell.
    assert _row(rows, "throughput_per_s").verdict == "slower"


def test_faster_and_smaller() -> None:
    a = _summary([20.0, 21.0, 22.0], peak_rss_mib=40.0)
    b = summarize(
        [
            ok(total_ms=t, peak_rss_mib=m, repetition=i)
            for i, (t, m) in enumerate([(10.0, 20.0), (10.5, 20.5), (11.0, 21.0)])
        ],
        claims=NO_CLAIMS,
    )
    rows = compare(a, b)
    assert _row(rows, "total_ms").verdict == "faster"
    assert _row(rows, "total_ms").change() == "2.00x faster"
    assert _row(rows, "throughput_per_s").verdict == "faster"
    assert _row(rows, "peak_rss_bytes").verdict == "smaller"


def test_overlapping_ranges_are_not_a_difference() -> None:
    # Medians 11 vs 12, but 10-14 and 11-15 overlap: noise, whatever the ratio says.
    rows = compare(_summary([10.0, 11.0, 14.0]), _summary([11.0, 12.0, 15.0]))
    total = _row(rows, "total_ms")
    assert total.ratio == pytest.approx(12 / 11)
    assert total.verdict == "no significant difference"
    assert total.change() == "no significant difference"


def test_iqr_is_less_strict_than_min_max() -> None:
    a, b = _summary([10.0, 10.2, 10.4, 10.6, 14.0]), _summary([11.0, 12.0, 12.2, 12.4, 12.6])
    assert _row(compare(a, b), "total_ms").verdict == "no significant difference"
    assert _row(compare(a, b, ranges="iqr"), "total_ms").verdict == "slower"


def test_single_runs_give_no_verdict() -> None:
    rows = compare(_summary([10.0]), _summary([30.0]))
    assert _row(rows, "total_ms").verdict == "insufficient data"
    assert _row(rows, "total_ms").ratio == 3.0


def test_cases_missing_or_failed_on_one_side() -> None:
    a = summarize([*repeated([10.0, 11.0]), ok("go", "goroutines")], claims=NO_CLAIMS)
    b = summarize(
        [*repeated([10.0, 11.0]), ok("node", "async"), failed("go", "goroutines", kind="timeout", message="slow")],
        claims=NO_CLAIMS,
    )
    rows = compare(a, b)
    by_case = {r.case_key: r.verdict for r in rows if r.figure == ""}
    assert by_case == {"io-go-goroutines-n1000": "failed in B", "io-node-async-n1000": "only in B"}
    assert {r.verdict for r in compare(b, a) if r.figure == ""} == {"only in A", "failed in A"}


def test_figure_selection() -> None:
    a = _summary([10.0, 11.0])
    assert [r.figure for r in compare(a, a, figures=["peak_rss_bytes", "total_ms"])] == ["total_ms", "peak_rss_bytes"]
    with pytest.raises(ValueError, match="unknown figure"):
        compare(a, a, figures=["p42"])


def test_separated_ranges_within_one_percent_are_no_difference() -> None:
    from concbench_poly.analysis.compare import verdict
    from concbench_poly.analysis.statistics import Stat

    def stat(lo: float, hi: float) -> Stat:
        return Stat(median=(lo + hi) / 2, min=lo, max=hi, q1=lo, q3=hi, cv=0.0, n=3)

    assert verdict("total_ms", stat(10.00, 10.02), stat(10.05, 10.07)) == "no significant difference"
    assert verdict("total_ms", stat(10.0, 10.1), stat(11.0, 11.1)) == "slower"
