"""Nearest-rank percentiles reproduce schema/percentile_vectors.json exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from python_runner_harness import SCHEMA_DIR

from concbench_runner.percentiles import cdf, nearest_rank_index, percentile, summarize

VECTORS: list[dict[str, Any]] = json.loads((SCHEMA_DIR / "percentile_vectors.json").read_text())["cases"]


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 5


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_percentile_vectors(case: dict[str, Any]) -> None:
    samples = case["samples"]
    expected = case["expected"]
    ordered = sorted(samples)
    summary = summarize(samples)
    assert summary["p50"] == expected["p50"]
    assert summary["p90"] == expected["p90"]
    assert summary["p99"] == expected["p99"]
    assert summary["max"] == expected["max"]
    assert percentile(ordered, 0) == expected["min"]
    points = cdf(samples)
    assert len(points) == 101
    assert points[0] == expected["min"]
    assert points[50] == expected["p50"]
    assert points[90] == expected["p90"]
    assert points[99] == expected["p99"]
    assert points[100] == expected["max"]
    assert points == sorted(points)


def test_rank_is_computed_in_integers() -> None:
    # ceil(p*n/100) with a floor of 1: p0 is the first sample, p100 the last.
    assert nearest_rank_index(0, 7) == 0
    assert nearest_rank_index(100, 7) == 6
    assert nearest_rank_index(50, 2) == 0
    assert nearest_rank_index(50, 3) == 1
    assert nearest_rank_index(99, 1000) == 989
    assert nearest_rank_index(1, 101) == 1  # ceil(1.01) = 2


def test_mean_is_arithmetic() -> None:
    assert summarize([1.0, 2.0, 6.0])["mean"] == 3.0


@pytest.mark.parametrize(("p", "n"), [(-1, 5), (101, 5), (50, 0)])
def test_rank_rejects_bad_input(p: int, n: int) -> None:
    with pytest.raises(ValueError):
        nearest_rank_index(p, n)
