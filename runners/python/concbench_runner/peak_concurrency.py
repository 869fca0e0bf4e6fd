"""Measured concurrency: how many tasks really overlapped, from the per-task stamps (after the window).

Each task is a half-open interval [begin, end) of monotonic nanoseconds. The peak is the largest number
of intervals that contain one instant: a sweep over the events in time order, +1 at a begin and -1 at
an end, where at equal timestamps every end counts before any begin (a task that ends exactly when
another begins does not overlap it). An empty interval (end == begin) contains no instant; the peak of
one or more tasks is at least 1. Shared vectors: schema/concurrency_vectors.json.

submit_ms is how long the model took to accept all N tasks: from the window opening to the last
submission stamp (the spawn cost; a bounded pool's queueing is not in it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from concbench_runner.task_timing import NS_PER_MS, TaskTimes


def peak_overlap(begins: Sequence[int], ends: Sequence[int]) -> int:
    """Largest number of intervals [begins[i], ends[i]) containing one instant; 0 for no intervals."""
    if len(begins) != len(ends):
        raise ValueError(f"{len(begins)} begins but {len(ends)} ends")
    for index, (begin, end) in enumerate(zip(begins, ends, strict=True)):
        if end < begin:
            raise ValueError(f"interval {index} ends before it begins ({end} < {begin})")
    if not begins:
        return 0
    ordered_ends = sorted(ends)
    count = len(ordered_ends)
    running = peak = ended = 0
    for begin in sorted(begins):
        # Ends at or before this begin come first: back-to-back tasks do not overlap.
        while ended < count and ordered_ends[ended] <= begin:
            ended += 1
            running -= 1
        running += 1
        peak = max(peak, running)
    return max(peak, 1)


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
    return {
        "peak_running": peak_overlap(times.started, times.finished),
        "peak_in_flight": peak_overlap(times.submitted, times.finished),
        "submit_ms": submit_ms(times.submitted, window_opened_ns),
    }
