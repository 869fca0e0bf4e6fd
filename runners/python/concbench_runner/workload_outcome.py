"""What a completed workload hands back to the result document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from concbench_runner.task_timing import TaskTimes


@dataclass
class WorkloadOutcome:
    """Task stamps plus what only some approaches have (checksum, worker processes' memory)."""

    times: TaskTimes
    checksum: str | None = None
    worker_peak_rss_bytes: int = 0
    runtime_details: dict[str, Any] = field(default_factory=dict)
