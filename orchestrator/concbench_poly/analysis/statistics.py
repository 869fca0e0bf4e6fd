"""Descriptive statistics over the repetitions of one case: what a report cell needs, nothing more.

Only the median is used as "the" value: a benchmark's repetitions are few (3-10) and skewed by
the odd slow run, so the mean would chase outliers that the median ignores.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

# Above this coefficient of variation the repetitions disagree too much to trust one number
# (pyperf warns at the same 10%).
SPREAD_CV = 0.10

RangeKind = Literal["minmax", "iqr"]


@dataclass(frozen=True)
class Stat:
    """One figure over n repetitions."""

    median: float
    min: float
    max: float
    q1: float
    q3: float
    cv: float | None  # None when it cannot be known: one sample, or a mean of zero with spread
    n: int

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def spread(self) -> bool:
        """True when the repetitions vary by more than SPREAD_CV."""
        return self.cv is not None and self.cv > SPREAD_CV

    def bounds(self, kind: RangeKind = "minmax") -> tuple[float, float]:
        return (self.min, self.max) if kind == "minmax" else (self.q1, self.q3)

    def scaled(self, factor: float) -> Stat:
        """The same figure in another unit (bytes -> MiB); cv is unit-free and stays."""
        return Stat(
            median=self.median * factor,
            min=self.min * factor,
            max=self.max * factor,
            q1=self.q1 * factor,
            q3=self.q3 * factor,
            cv=self.cv,
            n=self.n,
        )

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "q1": self.q1,
            "q3": self.q3,
            "cv": self.cv,
            "n": self.n,
        }


def describe(values: Iterable[float]) -> Stat:
    """Median, extremes, quartiles and CV of at least one value."""
    data = [float(v) for v in values]
    if not data:
        raise ValueError("describe() needs at least one value")
    if any(math.isnan(v) for v in data):
        raise ValueError("describe() got NaN; a runner figure is missing, not a number")
    q1, q3 = quartiles(data)
    return Stat(
        median=statistics.median(data),
        min=min(data),
        max=max(data),
        q1=q1,
        q3=q3,
        cv=coefficient_of_variation(data),
        n=len(data),
    )


def quartiles(data: list[float]) -> tuple[float, float]:
    """First and third quartile.

    The "inclusive" method treats the runs as the whole population, so quartiles stay inside
    [min, max] even for 3 runs (the default "exclusive" method extrapolates beyond them).
    """
    if len(data) == 1:
        return data[0], data[0]
    q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return q1, q3


def coefficient_of_variation(data: list[float]) -> float | None:
    """Sample standard deviation over mean: unit-free, so one threshold fits ms, bytes and counts."""
    if len(data) < 2:
        return None
    stdev = statistics.stdev(data)
    if stdev == 0:
        return 0.0
    mean = statistics.fmean(data)
    if mean == 0:
        return None
    return stdev / abs(mean)


def ranges_overlap(a: Stat, b: Stat, kind: RangeKind = "minmax") -> bool:
    """Whether two figures' ranges touch; if they do, their difference may be noise."""
    a_lo, a_hi = a.bounds(kind)
    b_lo, b_hi = b.bounds(kind)
    return a_lo <= b_hi and b_lo <= a_hi


def pointwise_median(vectors: Iterable[tuple[float, ...]]) -> tuple[float, ...]:
    """The median of each position over equally long vectors (a typical CDF of several runs).

    Averaging quantiles position by position keeps the shape of the runs' distributions, which
    pooling their samples would not (we only have their percentiles).
    """
    columns = list(zip(*vectors, strict=True))
    return tuple(statistics.median(column) for column in columns)
