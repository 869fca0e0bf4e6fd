"""Measured concurrency: how many tasks really overlapped, from the per-task stamps (after the window).

Each task is a half-open interval [begin, end) of monotonic nanoseconds. The peak is the largest number
of intervals that contain one instant: a sweep over the events in time order, +1 at a begin and -1 at
an end, where at equal timestamps every end counts before any begin (a task that ends exactly when
another begins does not overlap it). An empty interval (end == begin) contains no instant; the peak of
one or more tasks is at least 1. Shared vectors: schema/concurrency_vectors.json.

submit_ms is how long the model took to accept all N tasks: from the window opening to the last
submission stamp (the spawn cost; a bounded pool's queueing is not in it).

Memory: the sorted ends (finished, shared by both peaks) are kept as one array('q'); each sweep's
begins are sorted into a transient list that is freed before the next one.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from operator import gt
from typing import Any

from concbench_runner.percentiles import NS_PER_MS
from concbench_runner.task_timing import STAMP_TYPECODE, TaskTimes


def _check_intervals(begins: Sequence[int], ends: Sequence[int]) -> None:
    if len(begins) != len(ends):
        raise ValueError(f"{len(begins)} begins but {len(ends)} ends")
    if any(map(gt, begins, ends)):
        index = next(index for index, (begin, end) in enumerate(zip(begins, ends, strict=True)) if end < begin)
        raise ValueError(f"interval {index} ends before it begins ({ends[index]} < {begins[index]})")


def _sweep(ordered_begins: Sequence[int], ordered_ends: Sequence[int]) -> int:
    """Peak overlap of intervals given as their begins and their ends, each sorted ascending."""
    count = len(ordered_ends)
    running = peak = ended = 0
    for begin in ordered_begins:
        # Ends at or before this begin come first: back-to-back tasks do not overlap.
        while ended < count and ordered_ends[ended] <= begin:
            ended += 1
            running -= 1
        running += 1
        if running > peak:
            peak = running
    return max(peak, 1) if count else 0


def peak_overlap(begins: Sequence[int], ends: Sequence[int]) -> int:
    """Largest number of intervals [begins[i], ends[i]) containing one instant; 0 for no intervals."""
    _check_intervals(begins, ends)
    if not begins:
        return 0
    return _sweep(sorted(begins), sorted(ends))


def submit_ms(submitted: Sequence[int], window_opened_ns: int) -> float:
    """Float ms from the window opening to the last submission: max(submitted) - window open."""
    if not submitted:
        raise ValueError("no submissions")
    last = max(submitted)
    if min(submitted) < window_opened_ns:
        raise ValueError(f"a task was submitted before the window opened ({min(submitted)} < {window_opened_ns})")
    return (last - window_opened_ns) / NS_PER_MS


def concurrency_document(times: TaskTimes, window_opened_ns: int) -> dict[str, Any]:
    """concurrency of the result document: peak_running over [started, finished), peak_in_flight over
    [submitted, finished) (queued tasks included), submit_ms from the window opening to the last
    submission."""
    _check_intervals(times.started, times.finished)
    _check_intervals(times.submitted, times.finished)
    if not len(times):
        raise ValueError("no tasks")
    ordered_ends = array(STAMP_TYPECODE, sorted(times.finished))
    peak_running = _sweep(sorted(times.started), ordered_ends)
    peak_in_flight = _sweep(sorted(times.submitted), ordered_ends)
    return {
        "peak_running": peak_running,
        "peak_in_flight": peak_in_flight,
        "submit_ms": submit_ms(times.submitted, window_opened_ns),
    }
