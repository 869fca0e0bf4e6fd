"""Compact stamps (array('q')) and the latency figures computed from them after the window."""

from __future__ import annotations

import random
from array import array

import pytest

from concbench_runner.percentiles import cdf, summarize
from concbench_runner.task_timing import STAMP_TYPECODE, TaskTimes, stamp_figures


def test_stamps_are_preallocated_zeroed_64_bit_arrays() -> None:
    times = TaskTimes(1000)
    for stamps in (times.submitted, times.started, times.finished):
        assert isinstance(stamps, array)
        assert stamps.typecode == STAMP_TYPECODE == "q"
        assert stamps.itemsize == 8  # no Python object per stamp: 24 bytes per task in all
        assert len(stamps) == 1000
        assert not any(stamps)
    assert len(times) == 1000


def test_woke_stamps_exist_only_when_asked_for() -> None:
    assert TaskTimes(5).woke is None  # io, cpu, cpu-loop: no fourth array
    times = TaskTimes(5, woke=True)  # mixed
    assert isinstance(times.woke, array)
    assert times.woke.typecode == STAMP_TYPECODE
    assert len(times.woke) == 5
    assert not any(times.woke)


def test_incomplete_counts_a_missing_woke_stamp() -> None:
    times = TaskTimes(3, woke=True)
    assert times.woke is not None
    for stamps in (times.submitted, times.started, times.finished):
        stamps[:] = array("q", [1, 2, 3])
    times.woke[:] = array("q", [1, 0, 3])
    assert times.incomplete() == [1]
    times.woke[1] = 2
    assert times.incomplete() == []


def test_incomplete_lists_the_tasks_missing_a_stamp() -> None:
    times = TaskTimes(4)
    times.submitted[:] = array("q", [1, 2, 3, 4])
    times.started[:] = array("q", [5, 6, 0, 8])
    times.finished[:] = array("q", [9, 10, 11, 0])
    assert times.incomplete() == [2, 3]
    times.started[2], times.finished[3] = 7, 12
    assert times.incomplete() == []


def random_times(tasks: int, seed: int) -> TaskTimes:
    generator = random.Random(seed)
    times = TaskTimes(tasks)
    base = 8_123_456_789_012_345  # a large monotonic clock value, as on a machine up for months
    for index in range(tasks):
        submitted = base + generator.randrange(0, 5_000_000)
        started = submitted + generator.randrange(0, 20_000_000)
        times.submitted[index] = submitted
        times.started[index] = started
        times.finished[index] = started + generator.randrange(0, 30_000_000)
    return times


@pytest.mark.parametrize(("tasks", "seed"), [(1, 1), (7, 2), (100, 3), (1001, 4)])
def test_figures_are_those_of_the_float_ms_samples(tasks: int, seed: int) -> None:
    """Sorting integer ns once and dividing on the way out gives the same percentiles as the float ms
    samples per task (runners/README.md's rule), and the mean to the last bits."""
    times = random_times(tasks, seed)
    service = [(end - begin) / 1_000_000 for begin, end in zip(times.started, times.finished, strict=True)]
    end_to_end = [(end - asked) / 1_000_000 for asked, end in zip(times.submitted, times.finished, strict=True)]
    latency, wakeup = stamp_figures(times, None)
    assert wakeup is None
    for name, samples in (("service", service), ("end_to_end", end_to_end)):
        expected = summarize(samples)
        mean = expected.pop("mean")
        got = dict(latency[name])
        assert got.pop("mean") == pytest.approx(mean, rel=1e-12)
        assert got == expected
        assert latency["cdf"][name] == cdf(samples)
