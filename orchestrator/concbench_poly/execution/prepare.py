"""A runner's preparation on the driving machine: what its build needs from a registry that the build
itself cannot reach (Rust's crates for an offline `cargo build`, a Node.js binary from npm, a Go
toolchain from the module proxy). The contract names the commands; they run in the runner's folder,
before the source digest is taken, so what they fetch is part of the image's tag."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from concbench_poly.contract import contract
from concbench_poly.errors import ImageBuildError

# A fetch from a registry: generous, but a hung download must not hang the benchmark.
PREPARE_TIMEOUT_S = 900.0


def prepare_source(
    language: str, root: Path, runtime: str | None = None, *, image: bool = True, offline: bool = False
) -> None:
    """Run the runner's prepare commands, then (image=True) its runtime's where this build needs them
    (offline or official); ImageBuildError names the command that failed and why.

    {source} is the runner's folder, {python} the interpreter running concbench-poly (it has pip)."""
    runner = contract().runner(language)
    source = root / runner.source_dir
    recipe = runner.runtime(runtime)
    wanted = recipe.prepare_for in ("both", "offline" if offline else "official")
    commands = [*runner.prepare, *(recipe.prepare if image and wanted else ())]
    for command in commands:
        argv = [word.replace("{source}", str(source)).replace("{python}", sys.executable) for word in command]
        where = f"{language}{f' {runtime}' if runtime else ''}: preparing `{' '.join(argv)}` in {source}"
        if shutil.which(argv[0]) is None:
            raise ImageBuildError(f"{where} failed: `{argv[0]}` is not on PATH")
        try:
            result = subprocess.run(
                argv, cwd=source, capture_output=True, text=True, timeout=PREPARE_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            raise ImageBuildError(f"{where} took more than {PREPARE_TIMEOUT_S:g} s") from None
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise ImageBuildError(f"{where} failed (exit {result.returncode}): {' | '.join(tail) or 'no output'}")
