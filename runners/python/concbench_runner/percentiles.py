"""Nearest-rank percentiles, exactly as the runner contract defines them.

rank(p, n) = max(1, ceil(p * n / 100)), computed in integers as (p * n + 99) // 100;
value = sorted_ascending[rank - 1]. p0 is therefore the minimum and p100 the maximum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

CDF_POINTS = tuple(range(101))


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
