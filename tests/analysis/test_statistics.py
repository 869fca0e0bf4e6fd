"""Descriptive statistics over repetitions: values checked against hand-computed ones."""

from __future__ import annotations

import math
import random

import pytest

from concbench_poly.analysis.statistics import (
    SPREAD_CV,
    Stat,
    coefficient_of_variation,
    describe,
    pointwise_median,
    quartiles,
    ranges_overlap,
)


def test_describe_odd_count() -> None:
    stat = describe([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (stat.median, stat.min, stat.max, stat.n) == (3.0, 1.0, 5.0, 5)
    # Inclusive quartiles of 1..5 sit on the 2nd and 4th values.
    assert (stat.q1, stat.q3) == (2.0, 4.0)
    assert stat.iqr == 2.0
    # Sample standard deviation of 1..5 is sqrt(2.5); the mean is 3.
    assert stat.cv == pytest.approx(math.sqrt(2.5) / 3)


def test_describe_even_count_interpolates() -> None:
    stat = describe([20.0, 10.0])
    assert stat.median == 15.0
    # Linear interpolation at a quarter and three quarters of the way from 10 to 20.
    assert (stat.q1, stat.q3) == (12.5, 17.5)


def test_single_value_has_no_cv() -> None:
    stat = describe([7.5])
    assert (stat.median, stat.min, stat.max, stat.q1, stat.q3) == (7.5,) * 5
    assert stat.cv is None
    assert not stat.spread


def test_equal_values_have_zero_cv() -> None:
    assert describe([3, 3, 3]).cv == 0.0


def test_cv_of_zero_mean_is_unknown() -> None:
    assert coefficient_of_variation([-1.0, 1.0]) is None


@pytest.mark.parametrize(("values", "spread"), [([10.0, 12.5], True), ([10.0, 10.5], False)])
def test_spread_flag(values: list[float], spread: bool) -> None:
    # [10, 12.5]: stdev 1.77 over mean 11.25 = 15.7%; [10, 10.5]: 3.4%.
    stat = describe(values)
    assert stat.spread is spread
    assert (stat.cv is not None and stat.cv > SPREAD_CV) is spread


def test_empty_and_nan_are_rejected() -> None:
    with pytest.raises(ValueError):
        describe([])
    with pytest.raises(ValueError):
        describe([1.0, float("nan")])


def test_quartiles_stay_within_the_runs() -> None:
    rng = random.Random(1)
    for size in range(2, 12):
        data = [rng.lognormvariate(0, 1) for _ in range(size)]
        q1, q3 = quartiles(data)
        assert min(data) <= q1 <= q3 <= max(data)


def test_scaled_keeps_cv_and_n() -> None:
    stat = describe([1024.0, 2048.0, 3072.0]).scaled(1 / 1024)
    assert (stat.median, stat.min, stat.max, stat.n) == (2.0, 1.0, 3.0, 3)
    assert stat.cv == pytest.approx(0.5)


def test_ranges_overlap() -> None:
    a = Stat(median=10, min=9, max=11, q1=9.5, q3=10.5, cv=0.05, n=5)
    touching = Stat(median=12, min=11, max=13, q1=11.8, q3=12.2, cv=0.05, n=5)
    apart = Stat(median=20, min=19, max=21, q1=19.5, q3=20.5, cv=0.05, n=5)
    assert ranges_overlap(a, touching)
    assert not ranges_overlap(a, apart)
    # IQRs are narrower: 9.5-10.5 and 11.8-12.2 do not meet although min-max ranges do.
    assert not ranges_overlap(a, touching, "iqr")


def test_pointwise_median() -> None:
    assert pointwise_median([(1.0, 5.0), (2.0, 4.0), (9.0, 6.0)]) == (2.0, 5.0)
    with pytest.raises(ValueError):
        pointwise_median([(1.0, 2.0), (1.0,)])
