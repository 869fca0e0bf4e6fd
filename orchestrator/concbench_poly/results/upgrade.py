"""Older result documents read into today's model: what a version did not record stays missing.

A validated document of any supported version goes in; a document shaped like the current version
comes out (a copy: the saved file is never rewritten). Only figures an old document really holds are
carried over; none is invented. Each version bump adds one step here (schema/README.md, step 4).
"""

from __future__ import annotations

import copy
from typing import Any

from concbench_poly.contract import contract


def to_current(document: dict[str, Any]) -> dict[str, Any]:
    """Apply each version's step in turn, from the document's version up to the current one."""
    if document["schema_version"] == contract().schema_version:
        return document
    upgraded = copy.deepcopy(document)
    while upgraded["schema_version"] < contract().schema_version:
        upgraded = STEPS[upgraded["schema_version"]](upgraded)
    return upgraded


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Version 1 summed the worker processes' VmHWM into peak_rss_bytes (Python multiprocessing) and
    recorded that sum in memory.runtime.worker_peak_rss_bytes: split it back into the runner's own
    peak and the per-process sum. Wake-up error, checks and the cgroup baseline were not recorded."""
    memory = document.get("memory")
    if isinstance(memory, dict):
        runtime = memory.get("runtime") or {}
        workers = runtime.get("worker_peak_rss_bytes")
        reporting = runtime.get("worker_processes_reporting")
        total = memory["peak_rss_bytes"]
        if isinstance(workers, int) and isinstance(reporting, int | float) and workers <= total:
            memory["peak_rss_bytes"] = total - workers
            memory["processes"] = {"count": 1 + int(reporting), "peak_rss_sum_bytes": total}
        else:
            memory["processes"] = {"count": 1, "peak_rss_sum_bytes": total}
        memory.setdefault("cgroup_baseline_bytes", None)
    if document.get("status") == "ok":
        document.setdefault("wakeup_ms", None)
        document.setdefault("checks", None)
    document["schema_version"] = 2
    return document


# version -> the step that lifts a document of that version to the next one.
STEPS = {1: _v1_to_v2}
