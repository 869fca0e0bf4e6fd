"""The Java runner's io task parks with the bare program's C2 frame, in the runner's own image.

A sleeping virtual thread keeps its frames in a heap stack chunk, so the frame that calls Thread.sleep is memory
the runner adds to every waiting task (runners/README.md, "Runner bookkeeping"). Once C2 has compiled the path,
that frame is Continuation.enter's, with everything down to the park inlined into it, the task included.
runners/java's ParkedFrameTest checks C1's frame on the JDK that runs the Java suite; this checks C2's in the
JVM the runner ships with, where they can differ (Java 21: 160 bytes against the bare program's 144 before the
task took the bare program's shape; Java 25: 128 either way, so the host suite cannot see it).

Each side runs in the image, pinned to one core as `all` runs it, with 200,000 tasks, and prints its compiled
Continuation.enter (-XX:CompileCommand=print); Java 21 annotates each frame as "[sp+0x90]  (sp of caller)".
"""

from __future__ import annotations

import itertools
import re
import subprocess
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


def frames_at_tier(output: str, tier: int) -> list[int]:
    """The frame size in bytes of each compilation at `tier` in -XX:CompileCommand=print output."""
    starts = [m.start() for m in COMPILATION.finditer(output)] + [len(output)]
    frames = []
    for begin, end in itertools.pairwise(starts):
        block = output[begin:end]
        header = COMPILATION.match(block)
        frame = FRAME.search(block)
        if header and int(header.group(1)) == tier and frame:
            frames.append(int(frame.group(1), 16))
    return frames


def compile_bare(into: Path) -> None:
    """bench/bare/Bare.java for Java 21, by the JDK runners/java/jdk.sh picks, readable by the image's user."""
    found = subprocess.run(
        ["sh", "-c", '. ./jdk.sh && echo "$jdk_bin"'],
        cwd=ROOT / "runners/java",
        capture_output=True,
        text=True,
        check=False,
    )
    jdk_bin = found.stdout.strip()
    if not jdk_bin:
        pytest.skip("no JDK >= 21 on this machine to compile bench/bare/Bare.java")
    subprocess.run(
        [f"{jdk_bin}/javac", "--release", "21", "-d", str(into), str(ROOT / "bench/bare/Bare.java")], check=True
    )
    into.chmod(0o755)
    for path in into.iterdir():
        path.chmod(0o644)


def c2_frame(docker_client: Any, image: str, program: list[str], bare_dir: Path) -> int:
    """Continuation.enter's C2 frame in a container of `image` running `program`; up to ATTEMPTS runs."""
    entrypoint = docker_client.images.get(image).attrs["Config"]["Entrypoint"]
    java, flags = entrypoint[0], entrypoint[1 : entrypoint.index("-jar")]
    command = [
        *flags,
        "-XX:+UnlockDiagnosticVMOptions",
        "-XX:CompileCommand=quiet",
        "-XX:CompileCommand=print,jdk.internal.vm.Continuation::enter",
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
        if frames:
            return max(frames)
    raise AssertionError(f"Continuation.enter was not compiled by C2 in {ATTEMPTS} runs:\n{output[-2000:]}")


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


def test_io_task_parks_with_the_bare_programs_c2_frame(
    docker_client: Any, runner_images: dict[str, ImageRef], tmp_path: Path
) -> None:
    bare_dir = tmp_path / "bare"
    bare_dir.mkdir()
    compile_bare(bare_dir)
    image = runner_images["java"].tag
    runner = c2_frame(docker_client, image, ["-cp", "/app/runner.jar", "concbench.Main", "--workload", "io"], bare_dir)
    bare = c2_frame(docker_client, image, ["-cp", "/bare", "Bare"], bare_dir)
    assert runner <= bare, f"the runner's io task parks with a C2 frame of {runner} bytes, the bare program's {bare}"
