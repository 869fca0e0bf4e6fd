"""Nearest-rank percentiles, exactly as the runner contract defines them.

rank(p, n) = max(1, ceil(p * n / 100)), computed in integers as (p * n + 99) // 100;
value = sorted_ascending[rank - 1]. p0 is therefore the minimum and p100 the maximum.

The runner's own figures come from integer nanoseconds sorted once (summarize_sorted_ns,
cdf_sorted_ns), each value divided by 1e6 only when it is reported: the order of the samples is the
same in ns and in ms, so the percentiles are those of the float ms samples (summarize, cdf).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

CDF_POINTS = tuple(range(101))
NS_PER_MS = 1_000_000


def nearest_rank_index(p: int, n: int) -> int:
    """0-based index into the ascending samples for percentile p (an integer 0..100) of n samples."""
    if n < 1:
        raise ValueError("percentiles need at least one sample")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    rank = max(1, (p * n + 99) // 100)
    return rank - 1


def percentile(sorted_samples: Sequence[float], p: int) -> float:
    """Nearest-rank percentile p of samples that are already sorted ascending."""
    return sorted_samples[nearest_rank_index(p, len(sorted_samples))]


def summarize(samples: Sequence[float]) -> dict[str, float]:
    """The schema's distribution object: p50, p90, p99, max and the arithmetic mean."""
    ordered = sorted(samples)
    return {
        "p50": percentile(ordered, 50),
        "p90": percentile(ordered, 90),
        "p99": percentile(ordered, 99),
        "max": ordered[-1],
        "mean": math.fsum(ordered) / len(ordered),
    }


def cdf(samples: Sequence[float]) -> list[float]:
    """Nearest-rank percentiles p0..p100 (101 values) for plotting a CDF."""
    ordered = sorted(samples)
    return [percentile(ordered, p) for p in CDF_POINTS]


def ns_to_ms(value_ns: int) -> float:
    """Integer nanoseconds as float milliseconds (one correctly rounded division)."""
    return value_ns / NS_PER_MS


def percentile_ns(sorted_ns: Sequence[int], p: int) -> float:
    """Nearest-rank percentile p, in float ms, of integer ns samples already sorted ascending."""
    return ns_to_ms(sorted_ns[nearest_rank_index(p, len(sorted_ns))])


def summarize_sorted_ns(sorted_ns: Sequence[int]) -> dict[str, float]:
    """summarize() of integer ns samples already sorted ascending, every value in float ms.

    The mean is the exact integer sum divided once: sum / (n * 1e6), correctly rounded.
    """
    n = len(sorted_ns)
    return {
        "p50": percentile_ns(sorted_ns, 50),
        "p90": percentile_ns(sorted_ns, 90),
        "p99": percentile_ns(sorted_ns, 99),
        "max": percentile_ns(sorted_ns, 100),
        "mean": sum(sorted_ns) / (n * NS_PER_MS),
    }


def cdf_sorted_ns(sorted_ns: Sequence[int]) -> list[float]:
    """cdf() of integer ns samples already sorted ascending: p0..p100 in float ms."""
    return [percentile_ns(sorted_ns, p) for p in CDF_POINTS]
