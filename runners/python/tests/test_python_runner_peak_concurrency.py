"""Peak concurrency reproduces schema/concurrency_vectors.json exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from python_runner_harness import SCHEMA_DIR

from concbench_runner.peak_concurrency import concurrency_document, peak_overlap
from concbench_runner.task_timing import TaskTimes

VECTORS: list[dict[str, Any]] = json.loads((SCHEMA_DIR / "concurrency_vectors.json").read_text())["cases"]


def test_vectors_are_present() -> None:
    assert len(VECTORS) >= 8


@pytest.mark.parametrize("case", VECTORS, ids=[case["name"] for case in VECTORS])
def test_concurrency_vectors(case: dict[str, Any]) -> None:
    begins = [begin for begin, _ in case["intervals"]]
    ends = [end for _, end in case["intervals"]]
    assert peak_overlap(begins, ends) == case["expected"]
    # Input order does not matter.
    assert peak_overlap(begins[::-1], ends[::-1]) == case["expected"]


def test_no_intervals_have_no_peak() -> None:
    assert peak_overlap([], []) == 0


@pytest.mark.parametrize(("begins", "ends"), [([0, 5], [10]), ([10], [9])])
def test_rejects_malformed_intervals(begins: list[int], ends: list[int]) -> None:
    with pytest.raises(ValueError):
        peak_overlap(begins, ends)


def test_document_uses_started_and_submitted() -> None:
    # Pool of one: three tasks submitted at 0, run one after another.
    times = TaskTimes(3)
    times.submitted[:] = [0, 0, 0]
    times.started[:] = [1, 11, 21]
    times.finished[:] = [11, 21, 31]
    assert concurrency_document(times) == {"peak_running": 1, "peak_in_flight": 3}
