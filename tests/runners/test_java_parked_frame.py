"""The Java runner's io task parks with the bare program's C2 frame, in the runner's own image.

A sleeping virtual thread keeps its frames in a heap stack chunk, so the frame that calls Thread.sleep is memory
the runner adds to every waiting task (runners/README.md, "Runner bookkeeping"). Once C2 has compiled the path,
that frame is Continuation.enter's, with everything down to the park inlined into it, the task included.
runners/java's ParkedFrameTest checks C1's frame on the JDK that runs the Java suite; this checks C2's in the
JVM the runner ships with, where they can differ (Java 21: 160 bytes against the bare program's 144 before the
task took the bare program's shape; Java 25: 128 either way, so the host suite cannot see it).

Each side runs in the image, pinned to one core as `all` runs it, with 200,000 tasks, and prints its compiled
Continuation.enter (-XX:CompileCommand=print; Java 21 annotates each frame as "[sp+0x90]  (sp of caller)") and
what C2 inlined into it (PrintInlining): the comparison counts only when each side's task lambda is inlined there,
so that the frames compared are the ones its sleeping tasks keep.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from concbench_poly.config import MANAGED_LABEL
from concbench_poly.execution.docker_engine import remove_quietly
from concbench_poly.execution.images import ImageRef
from concbench_poly.paths import repo_root

pytestmark = pytest.mark.docker

ROOT = repo_root()
TASKS = 200_000
C2_TIER = 4
ATTEMPTS = 3
# "Compiled method (c2) 2267  884   !   4       jdk.internal.vm.Continuation::enter (19 bytes)", then the frame.
COMPILATION = re.compile(r"^Compiled method \(c\d\)\s+\d+\s+\d+\s+[!%sbn ]*?(\d)\s+\S+::", re.MULTILINE)
FRAME = re.compile(r"\[sp\+0x([0-9a-f]+)\]\s+\(sp of caller\)")
RUNNER_TASK = "concbench.Benchmark$Window::lambda$ioTaskOfThread$"
BARE_TASK = "Bare::lambda$main$"


def frames_at_tier(output: str, tier: int) -> list[int]:
    """The frame size in bytes of each compilation at `tier` in -XX:CompileCommand=print output."""
    starts = [m.start() for m in COMPILATION.finditer(output)] + [len(output)]
    frames = []
    for begin, end in itertools.pairwise(starts):
        block = output[begin:end]
        header = COMPILATION.match(block)
        if header is None or int(header.group(1)) != tier:
            continue
        frame = FRAME.search(block)
        assert frame is not None, f"no '[sp+0x..] (sp of caller)' in a tier-{tier} compilation:\n{block[:2000]}"
        frames.append(int(frame.group(1), 16))
    return frames


def inlined(output: str, method: str) -> bool:
    """Whether PrintInlining says C2 inlined `method` (a prefix of its name) somewhere in this output."""
    return any(method in line and "inline (hot)" in line for line in output.splitlines())


def compile_bare(into: Path) -> None:
    """bench/bare/Bare.java for Java 21, readable in the image, as bench/bookkeeping_container.py compiles it."""
    spec = importlib.util.spec_from_file_location("bench_bookkeeping", ROOT / "bench/bookkeeping.py")
    assert spec is not None and spec.loader is not None
    bookkeeping = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bookkeeping  # its dataclasses look their module up there
    spec.loader.exec_module(bookkeeping)
    try:
        bookkeeping.compile_java_bare_for_image(into)
    except SystemExit as exc:  # its way of saying no JDK >= 21 is here
        pytest.skip(str(exc))


def c2_frame(docker_client: Any, image: str, program: list[str], task: str, bare_dir: Path) -> int:
    """Continuation.enter's C2 frame, with `task` inlined into it, in a container of `image` running `program`;
    up to ATTEMPTS runs."""
    entrypoint = docker_client.images.get(image).attrs["Config"]["Entrypoint"]
    java, flags = entrypoint[0], entrypoint[1 : entrypoint.index("-jar")]
    command = [
        *flags,
        "-XX:+UnlockDiagnosticVMOptions",
        "-XX:CompileCommand=quiet",
        "-XX:CompileCommand=print,jdk.internal.vm.Continuation::enter",
        "-XX:CompileCommand=PrintInlining,jdk.internal.vm.Continuation::enter",
        *program,
        "--approach",
        "virtual-threads",
        "--tasks",
        str(TASKS),
        "--io-ms",
        "3000",
    ]
    output = ""
    for _ in range(ATTEMPTS):
        container = docker_client.containers.run(
            image,
            command,
            entrypoint=[java],
            detach=True,
            cpuset_cpus="0",
            mem_limit="2g",
            network_mode="none",
            volumes={str(bare_dir): {"bind": "/bare", "mode": "ro"}},
            labels={MANAGED_LABEL: "true"},
        )
        try:
            status = container.wait(timeout=300)
            output = container.logs(stdout=True, stderr=True).decode(errors="replace")
        finally:
            remove_quietly(container)
        assert status["StatusCode"] == 0, output[-2000:]
        frames = frames_at_tier(output, C2_TIER)
        if frames and inlined(output, task):
            return max(frames)
    raise AssertionError(
        f"Continuation.enter was not compiled by C2 with {task} inlined in {ATTEMPTS} runs:\n{output[-2000:]}"
    )


def test_frames_at_tier_reads_each_compilation() -> None:
    output = (
        "Compiled method (c1) 666  786   !   3       jdk.internal.vm.Continuation::enter (19 bytes)\n"
        "  #           [sp+0x50]  (sp of caller)\n"
        "Compiled method (c2) 2267  884   !   4       jdk.internal.vm.Continuation::enter (19 bytes)\n"
        " total in heap  [0x1,0x2] = 1\n"
        "  #           [sp+0xa0]  (sp of caller)\n"
    )
    assert frames_at_tier(output, 4) == [0xA0]
    assert frames_at_tier(output, 3) == [0x50]
    assert frames_at_tier(output, 2) == []
    with pytest.raises(AssertionError, match="no '\\[sp"):
        frames_at_tier("Compiled method (c2) 1  2   !   4       a.B::c (1 bytes)\n", 4)


def test_inlined_reads_print_inlining() -> None:
    output = (
        "  @ 4   concbench.Benchmark$Window::lambda$ioTaskOfThread$0 (25 bytes)   inline (hot)\n"
        "  @ 8   Bare::lambda$main$0 (19 bytes)   too big\n"
    )
    assert inlined(output, RUNNER_TASK)
    assert not inlined(output, BARE_TASK)


def test_io_task_parks_with_the_bare_programs_c2_frame(
    docker_client: Any, runner_images: dict[str, ImageRef], tmp_path: Path
) -> None:
    bare_dir = tmp_path / "bare"
    bare_dir.mkdir()
    compile_bare(bare_dir)
    image = runner_images["java"].tag
    runner_program = ["-cp", "/app/runner.jar", "concbench.Main", "--workload", "io"]
    runner = c2_frame(docker_client, image, runner_program, RUNNER_TASK, bare_dir)
    bare = c2_frame(docker_client, image, ["-cp", "/bare", "Bare"], BARE_TASK, bare_dir)
    assert runner <= bare, f"the runner's io task parks with a C2 frame of {runner} bytes, the bare program's {bare}"
