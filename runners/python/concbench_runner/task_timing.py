"""Per-task timestamps (time.perf_counter_ns, CLOCK_MONOTONIC) and the latency figures built from them."""

from __future__ import annotations

from typing import Any

from concbench_runner.percentiles import cdf, summarize

NS_PER_MS = 1_000_000


class TaskTimes:
    """submitted / started / finished stamps of every task, indexed by task number.

    Each task writes only its own slots, so no lock is needed; a 0 means "never happened".
    """

    __slots__ = ("finished", "started", "submitted")

    def __init__(self, tasks: int) -> None:
        self.submitted: list[int] = [0] * tasks
        self.started: list[int] = [0] * tasks
        self.finished: list[int] = [0] * tasks

    def incomplete(self) -> list[int]:
        """Indexes of tasks that were never submitted, started or finished."""
        return [
            index
            for index, (submitted, started, finished) in enumerate(
                zip(self.submitted, self.started, self.finished, strict=True)
            )
            if not (submitted and started and finished)
        ]

    def service_ms(self) -> list[float]:
        """finished - started of each task, in float milliseconds."""
        return [(end - begin) / NS_PER_MS for begin, end in zip(self.started, self.finished, strict=True)]

    def end_to_end_ms(self) -> list[float]:
        """finished - submitted of each task (includes queueing), in float milliseconds."""
        return [(end - asked) / NS_PER_MS for asked, end in zip(self.submitted, self.finished, strict=True)]


def latency_document(times: TaskTimes) -> dict[str, Any]:
    """latency_ms of the result document: service and end_to_end distributions plus their CDFs."""
    service = times.service_ms()
    end_to_end = times.end_to_end_ms()
    return {
        "service": summarize(service),
        "end_to_end": summarize(end_to_end),
        "cdf": {"service": cdf(service), "end_to_end": cdf(end_to_end)},
    }
