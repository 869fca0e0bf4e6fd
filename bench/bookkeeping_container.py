#!/usr/bin/env python3
"""The Java runner's bookkeeping in its own container: cgroup peak of the runner over the bare program, over N.

bench/bookkeeping.py compares max RSS on the host, where the JVM sizes its heap from the host's memory. In the
runner's image, with the container's memory limit and one pinned core, the JVM picks Serial GC and an initial
heap of 1/64 of the limit, and its cgroup peak is a staircase in N: each full collection resizes the heap
from what is live at that moment, and the peak jumps by a whole young generation when the last tasks'
allocation overflows it. A few MB of startup heap move those steps (the bare program with 5 MB of garbage
allocated before its tasks goes from 170 to 205 MiB at 100,000 tasks), so one N says little about the
runner's own bytes. This bench therefore runs three programs over a grid of N, in the same image, with the same
JVM flags (the image's entrypoint), the same limits and the same core, one after the other:
  runner: the image's entrypoint with --workload io --approach virtual-threads --tasks N --io-ms D;
  bare:   the same `java` and flags with -cp /bare Bare (bench/bare/Bare.java, compiled --release 21 by the
          host JDK and mounted read-only) and the same task arguments;
  bare + stamps: the same with --stamps, which holds the runner's three stamp arrays (24 bytes per task) from
          before the tasks to the end: what those bytes alone cost this heap, whose sizing amplifies them.
Each side's figure is its container's memory cgroup peak (v1 memory.max_usage_in_bytes, v2 memory.peak) as
the report would show it: the runner's is its document's memory.cgroup_peak_bytes, which it reads right after
its window, before its statistics and its document; the bare program's is read inside the container after it
exited (it does nothing after its tasks). The container's peak at the runner's exit is kept in the JSON too.
Medians over --repeat runs. Per N the table shows
the three peaks and two ratios: runner / bare, and runner / (bare + stamps), what the runner adds beyond its stamps; the
last lines are their geometric means over the grid, which the staircase moves less than any single N (target for
the first <= 1.05, as for the host bench). A runner run that does not exit 0
with a status "ok" document makes its N "failed". Prints figures; asserts nothing.

Java only: it is the runtime that sizes its heap from the container, so its container figure differs
structurally from the host one (runners/README.md, "Java").

    python3 bench/bookkeeping_container.py [--grid 80000,90000,100000,110000,120000,140000]
                                           [--io-ms 10000] [--repeat 1] [--cpu 0] [--memory 4g]
                                           [--timeout 600] [--image TAG]
                                           [--out bench/results/bookkeeping-java-container.json]
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import docker
import requests
from bookkeeping import compile_java_bare_for_image

from concbench_poly.config import MANAGED_LABEL
from concbench_poly.execution.docker_engine import connect, remove_quietly
from concbench_poly.execution.images import ImageBuilder
from concbench_poly.paths import repo_root

ROOT = repo_root()
TARGET_RATIO = 1.05
MIB = 1024 * 1024
DEFAULT_GRID = (80_000, 90_000, 100_000, 110_000, 120_000, 140_000)
PEAK_FILES = ("/sys/fs/cgroup/memory.peak", "/sys/fs/cgroup/memory/memory.max_usage_in_bytes")
# Markers between the parts of a container's output (the program's stdout can be a whole JSON document).
RC, PEAK, OUT = "@@rc=", "@@peak=", "@@stdout"


def shell_line(program: list[str]) -> str:
    """Runs program, then prints its exit code, the cgroup's peak and its stdout, between markers."""
    peak = " || ".join(f"cat {f} 2>/dev/null" for f in PEAK_FILES)
    return (
        f"{shlex.join(program)} >/tmp/out 2>/tmp/err; rc=$?; echo {RC}$rc; echo {PEAK}$({peak}); "
        f"echo {OUT}; cat /tmp/out; tail -n 8 /tmp/err >&2"
    )


def parse(output: str) -> tuple[int, int, str] | None:
    """(exit code, cgroup peak in bytes, the program's stdout) from shell_line's output; None when the
    shell could not print them (killed itself, or no peak file it knows)."""
    head, _, stdout = output.partition(f"{OUT}\n")
    fields = dict(line.split("=", 1) for line in head.splitlines() if line.startswith("@@"))
    try:
        return int(fields[RC.rstrip("=")]), int(fields[PEAK.rstrip("=")]), stdout
    except (KeyError, ValueError):
        return None


def run_side(
    client: docker.DockerClient, image: str, program: list[str], bare_dir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """One program in one container, always removed afterwards; "failed" says why it gave no figure."""
    container = client.containers.create(
        image,
        entrypoint=["sh", "-c", shell_line(program)],
        volumes={str(bare_dir): {"bind": "/bare", "mode": "ro"}},
        mem_limit=args.memory,
        memswap_limit=args.memory,
        cpuset_cpus=str(args.cpu),
        labels={MANAGED_LABEL: "true"},
    )
    try:
        container.start()
        try:
            container.wait(timeout=args.timeout)
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):  # docker-py: wait timed out
            return {"failed": f"no exit within {args.timeout:g} s"}
        output = container.logs(stdout=True, stderr=False).decode()
        stderr = container.logs(stdout=False, stderr=True).decode().strip()
    finally:
        remove_quietly(container)
    parsed = parse(output)
    if parsed is None:
        return {"failed": f"no exit code or cgroup peak printed: {stderr}"}
    rc, peak, stdout = parsed
    return {"rc": rc, "peak_bytes": peak, "stdout": stdout, "stderr_tail": stderr}


def runner_document(side: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(the runner's status "ok" document, None) or (None, why there is none)."""
    if "failed" in side:
        return None, str(side["failed"])
    try:
        doc = json.loads(side["stdout"])
    except ValueError:
        return None, f"exit {side['rc']}, no document: {side['stderr_tail']}"
    if side["rc"] != 0 or doc.get("status") != "ok":
        return None, f"exit {side['rc']}, status {doc.get('status')}: {(doc.get('error') or {}).get('message')}"
    return doc, None


def measure(
    client: docker.DockerClient, image: str, entrypoint: list[str], bare_dir: Path, n: int, args: argparse.Namespace
) -> dict[str, Any]:
    task_args = ["--approach", "virtual-threads", "--tasks", str(n), "--io-ms", repr(args.io_ms)]
    java, flags = entrypoint[0], entrypoint[1 : entrypoint.index("-jar")]
    runner = [*entrypoint, "--workload", "io", *task_args]
    bares = {
        "bare": [java, *flags, "-cp", "/bare", "Bare", *task_args],
        "bare_stamps": [java, *flags, "-cp", "/bare", "Bare", *task_args, "--stamps"],
    }
    runner_peaks, runner_exit_peaks = [], []
    bare_peaks: dict[str, list[int]] = {name: [] for name in bares}
    for _ in range(args.repeat):
        side = run_side(client, image, runner, bare_dir, args)
        doc, failure = runner_document(side)
        if doc is None:
            return {"tasks": n, "failed": failure}
        window_peak = doc["memory"].get("cgroup_peak_bytes")
        if window_peak is None:
            return {"tasks": n, "failed": "the runner read no cgroup peak"}
        runner_peaks.append(window_peak)
        runner_exit_peaks.append(side["peak_bytes"])
        for name, program in bares.items():
            side = run_side(client, image, program, bare_dir, args)
            if "failed" in side or side["rc"] != 0:
                why = side.get("failed") or f"exit {side['rc']}"
                return {"tasks": n, "failed": f"{name}: {why}: {side.get('stderr_tail', '')}"}
            bare_peaks[name].append(side["peak_bytes"])
    runner_mib = statistics.median(runner_peaks) / MIB
    bare_mib, bare_stamps_mib = (statistics.median(bare_peaks[name]) / MIB for name in bares)
    return {
        "tasks": n,
        "runner_peak_mib": runner_mib,
        "bare_peak_mib": bare_mib,
        "bare_stamps_peak_mib": bare_stamps_mib,
        "ratio": runner_mib / bare_mib,
        "ratio_beyond_stamps": runner_mib / bare_stamps_mib,
        "runner_peaks_mib": [p / MIB for p in runner_peaks],
        "runner_exit_peaks_mib": [p / MIB for p in runner_exit_peaks],
        "bare_peaks_mib": [p / MIB for p in bare_peaks["bare"]],
        "bare_stamps_peaks_mib": [p / MIB for p in bare_peaks["bare_stamps"]],
    }


def geometric_mean(values: list[float]) -> float | None:
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else None


def table(rows: list[dict[str, Any]], mean: float | None, mean_beyond_stamps: float | None) -> str:
    header = (
        ("tasks", 9),
        ("runner MiB", 10),
        ("bare MiB", 9),
        ("bare+stamps MiB", 15),
        ("ratio", 6),
        ("beyond stamps", 13),
    )
    lines = ["  ".join(f"{name:>{width}}" for name, width in header)]
    for row in rows:
        if "failed" in row:
            lines.append(f"{row['tasks']:>9}  failed: {row['failed']}")
            continue
        lines.append(
            f"{row['tasks']:>9}  {row['runner_peak_mib']:>10.1f}  {row['bare_peak_mib']:>9.1f}"
            f"  {row['bare_stamps_peak_mib']:>15.1f}  {row['ratio']:>6.3f}  {row['ratio_beyond_stamps']:>13.3f}"
        )
    if mean is not None and mean_beyond_stamps is not None:
        verdict = "within" if mean <= TARGET_RATIO else "over"
        lines.append(f"geometric mean of the ratios: {mean:.3f} ({verdict} the {TARGET_RATIO} target)")
        lines.append(f"geometric mean of runner / (bare + stamps): {mean_beyond_stamps:.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--grid",
        help="comma-separated task counts (default: %(default)s)",
        default=",".join(str(n) for n in DEFAULT_GRID),
    )
    parser.add_argument("--io-ms", type=float, default=10_000.0, help="the wait D in ms (every task alive at once)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side per N; the median counts")
    parser.add_argument("--cpu", type=int, default=0, help="the one core every side's containers are pinned to")
    parser.add_argument("--memory", default="4g", help="the containers' memory limit (swap none)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a side counts as failed")
    parser.add_argument("--image", help="a Java image tag to use as it is (default: this tree's, built if missing)")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    try:
        grid = [int(n) for n in args.grid.split(",")]
    except ValueError:
        parser.error(f"--grid: comma-separated integers, got {args.grid!r}")

    client = connect()
    image = args.image
    if image is None:
        builder = ImageBuilder(client, ROOT, log=lambda line: print(line, file=sys.stderr))
        image = builder.ensure("java", offline=not builder.registry_reachable([("java", None)])).tag
    entrypoint = client.images.get(image).attrs["Config"]["Entrypoint"] or []
    if "-jar" not in entrypoint:
        parser.error(f"--image {image}: its entrypoint {entrypoint} is not `java FLAGS -jar JAR`")
    with tempfile.TemporaryDirectory(prefix="concbench-bare-java-") as bare_dir:
        compile_java_bare_for_image(Path(bare_dir))
        rows = []
        for n in grid:
            started = time.monotonic()
            rows.append(measure(client, image, entrypoint, Path(bare_dir), n, args))
            print(f"N={n}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    mean = geometric_mean([row["ratio"] for row in rows if "ratio" in row])
    mean_beyond_stamps = geometric_mean([row["ratio_beyond_stamps"] for row in rows if "ratio" in row])
    print(table(rows, mean, mean_beyond_stamps))
    if args.out:
        figures = {
            "image": image,
            "entrypoint": entrypoint,
            "cpu": args.cpu,
            "memory": args.memory,
            "io_ms": args.io_ms,
            "repeat": args.repeat,
            "rows": rows,
            "geometric_mean_ratio": mean,
            "geometric_mean_ratio_beyond_stamps": mean_beyond_stamps,
        }
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
