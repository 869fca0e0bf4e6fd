#!/usr/bin/env python3
"""What a warm `concbench-poly all` (images already built) spends per container beyond the benchmark.

For each run: orchestrator time around executor.run() minus the container's own StartedAt..FinishedAt
(create, start, wait, logs, inspect, remove), and also the runner's own timed window for reference.
Target: under 1 s per container. Prints figures; asserts nothing (shared, noisy machines).

    python3 bench/warm_overhead.py [--rounds 3] [--out bench/results/overhead.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from concbench_poly.config import Repetitions, RunOptions
from concbench_poly.execution.suite import SilentEvents, run_suite
from concbench_poly.service import choose_executor, planned_cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="how many warm `all` passes to time")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    options = RunOptions(repetitions=Repetitions(warmup=0, repeat=1), executor="docker")
    started = time.perf_counter()
    executor, images = choose_executor(options, SilentEvents())  # builds or finds the images: its warm-up
    ensure_s = time.perf_counter() - started

    overheads: list[float] = []
    per_round: list[dict[str, float]] = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            begin = time.perf_counter()
            run = run_suite(options, planned_cases(options), Path(tmp), SilentEvents(), executor, images)
            wall = time.perf_counter() - begin
        container_s = sum((r.document.get("execution") or {}).get("wall_ms") or 0 for r in run.results) / 1000
        overheads += run.overhead_ms
        per_round.append(
            {
                "containers": len(run.results),
                "all_wall_s": wall,
                "container_wall_s": container_s,
                "per_container_beyond_benchmark_s": (wall - container_s) / len(run.results),
            }
        )

    figures = {
        "image_check_s": ensure_s,
        "per_container_overhead_ms": {
            "median": statistics.median(overheads),
            "min": min(overheads),
            "max": max(overheads),
            "n": len(overheads),
        },
        "rounds": per_round,
        "target_ms": 1000,
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
