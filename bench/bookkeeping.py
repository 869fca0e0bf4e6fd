#!/usr/bin/env python3
"""What the runners' bookkeeping costs in memory: runner max RSS over a bare program of the same task shape.

For each point, the real runner (runners/README.md command line) and a bare program with the same task
body and nothing else (bench/bare/: no stamps, no window, no document) run as host child processes (no
containers), one after the other, both pinned to the same CPU (sched_setaffinity before exec) and started
from the same interpreter binary. Each side's figure is the kernel's max RSS of the child, ru_maxrss from
os.wait4 (KiB, as /usr/bin/time reports; it includes any children the child reaped), the median over
--repeat runs. Target: runner / bare <= 1.05 ("bookkeeping at most 5% of peak").
Points: Python asyncio, Node async, Go goroutines, Java virtual threads and Rust tokio at N = 100,000
and 1,000,000 with D = 10 s (every task alive at once); Python threading at N = 10,000, D = 10 s; Python
ThreadPool(100) at N = 100,000, D = 10 ms. Java runs with the contract's JVM flags on both sides (the
heap from -XX:MaxRAMPercentage=75), Rust's bare program is runners/rust/examples/bare.rs. The 1M points
take ~15-40 s a run. A runner that does not exit 0 with a status "ok" document makes its row "failed"
(with its stderr tail). For reference the table also shows the runner's own
memory.peak_rss_bytes (VmHWM read right after its window): equal to the max RSS when the peak is inside
the window. At 1M Python asyncio tasks the max RSS of either side spreads by several percent from run to
run (as much as the 5% margin), so use --repeat 3 there, on a CPU nothing else is pinned to. Prints
figures; asserts nothing.

    python3 bench/bookkeeping.py [--points python-asyncio-100k,go-goroutines-100k] [--repeat 1]
                                 [--cpu 0] [--out bench/results/bookkeeping.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BARE = ROOT / "bench" / "bare"
TARGET_RATIO = 1.05
KIB = 1024
MIB = 1024 * 1024
STDERR_TAIL_LINES = 8


@dataclass(frozen=True)
class Point:
    name: str
    language: str
    approach: str
    tasks: int
    io_ms: float
    pool_size: int | None = None

    def task_args(self) -> list[str]:
        """The options the runner and the bare program share."""
        args = ["--approach", self.approach, "--tasks", str(self.tasks), "--io-ms", f"{self.io_ms:g}"]
        if self.pool_size is not None:
            args += ["--pool-size", str(self.pool_size)]
        return args


POINTS: tuple[Point, ...] = (
    Point("python-asyncio-100k", "python", "asyncio", 100_000, 10_000),
    Point("python-asyncio-1m", "python", "asyncio", 1_000_000, 10_000),
    Point("node-async-100k", "node", "async", 100_000, 10_000),
    Point("node-async-1m", "node", "async", 1_000_000, 10_000),
    Point("go-goroutines-100k", "go", "goroutines", 100_000, 10_000),
    Point("go-goroutines-1m", "go", "goroutines", 1_000_000, 10_000),
    Point("python-threading-10k", "python", "threading", 10_000, 10_000),
    Point("python-threadpool100-100k", "python", "threadpool", 100_000, 10, pool_size=100),
    Point("java-virtual-threads-100k", "java", "virtual-threads", 100_000, 10_000),
    Point("java-virtual-threads-1m", "java", "virtual-threads", 1_000_000, 10_000),
    Point("rust-tokio-100k", "rust", "tokio", 100_000, 10_000),
    Point("rust-tokio-1m", "rust", "tokio", 1_000_000, 10_000),
)


@dataclass(frozen=True)
class Child:
    """One finished child process: its exit code, kernel max RSS and streams."""

    exit_code: int
    max_rss_kib: int
    wall_s: float
    stdout: str
    stderr: str
    timed_out: bool


def run_child(argv: list[str], cpu: int, timeout_s: float) -> Child:
    """Run argv pinned to `cpu`, wait for it with wait4 and keep its rusage's ru_maxrss."""

    def pin() -> None:  # in the child, before exec
        os.sched_setaffinity(0, {cpu})

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=pin, start_new_session=True
        )
        expired = threading.Event()

        def kill() -> None:  # the child is not reaped yet, so its pid (and group) cannot be reused
            expired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall_s = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Child(
            exit_code=process.returncode,
            max_rss_kib=usage.ru_maxrss,
            wall_s=wall_s,
            stdout=out.read().decode("utf-8", errors="replace"),
            stderr=err.read().decode("utf-8", errors="replace"),
            timed_out=expired.is_set(),
        )


class Programs:
    """The runner and bare command lines per language, with the interpreters and binaries they need."""

    def __init__(self, build_dir: Path, python: str | None, node: str | None) -> None:
        self._build_dir = build_dir
        self._python = python
        self._node = node
        self._go: tuple[str, str] | None = None
        self._java: tuple[list[str], list[str]] | None = None
        self._rust: tuple[str, str] | None = None
        self.interpreters: dict[str, str] = {}

    def commands(self, point: Point) -> tuple[list[str], list[str]]:
        """(runner argv, bare argv) for a point."""
        args = point.task_args()
        if point.language == "python":
            python = self._interpreter("python")
            return (
                [python, str(ROOT / "runners/python/runner.py"), "--workload", "io", *args],
                [python, str(BARE / "bare.py"), *args],
            )
        if point.language == "node":
            node = self._interpreter("node")
            return (
                [node, str(ROOT / "runners/node/runner.js"), "--workload", "io", *args],
                [node, str(BARE / "bare.js"), *args],
            )
        if point.language == "java":
            runner_java, bare_java = self._java_commands()
            return [*runner_java, "--workload", "io", *args], [*bare_java, *args]
        if point.language == "rust":
            runner, bare = self._rust_binaries()
            return [runner, "--workload", "io", *args], [bare, *args]
        runner, bare = self._go_binaries()
        return [runner, "--workload", "io", *args], [bare, *args]

    def _java_commands(self) -> tuple[list[str], list[str]]:
        """The contract's local build and command line for Java, and the bare class run by the same JVM
        with the same flags (the contract's command before `-jar`)."""
        if self._java is None:
            launcher = self._build_dir / "java-runner"
            runner = _contract_build("java", launcher)
            classes = self._build_dir / "java-bare"
            jdk_bin = compile_java_bare(classes)
            flags = runner[1 : runner.index("-jar")]
            self._java = (runner, [f"{jdk_bin}/java", *flags, "-cp", str(classes), "Bare"])
            self.interpreters["java"] = subprocess.run(
                [f"{jdk_bin}/java", "-version"], capture_output=True, text=True, check=False
            ).stderr.splitlines()[0]
        return self._java

    def _rust_binaries(self) -> tuple[str, str]:
        """The contract's local build of the Rust runner, and runners/rust/examples/bare.rs (offline: the
        crates were vendored by the runner's prepare step)."""
        if self._rust is None:
            runner = self._build_dir / "rust-runner"
            _contract_build("rust", runner)
            target = self._build_dir / "rust-target"
            cargo = [
                shutil.which("cargo") or "cargo",  # not resolved: rustup's proxy picks the toolchain by its name
                "build",
                "--release",
                "--offline",
                "--example",
                "bare",
                "--target-dir",
                str(target),
            ]
            _build(cargo, ROOT / "runners/rust", dict(os.environ))
            self._rust = (str(runner), str(target / "release" / "examples" / "bare"))
            self.interpreters["rust"] = subprocess.run(
                [shutil.which("rustc") or "rustc", "--version"], capture_output=True, text=True, check=False
            ).stdout.strip()
        return self._rust

    def _interpreter(self, language: str) -> str:
        """One real binary for both sides (a version manager's shim resolved to what it runs)."""
        if language not in self.interpreters:
            if language == "python":
                self.interpreters[language] = self._python or _real_python()
            else:
                self.interpreters[language] = self._node or _real_tool("node")
        return self.interpreters[language]

    def _go_binaries(self) -> tuple[str, str]:
        """Build the runner (the contract's build, in runners/go) and the bare program, once each."""
        if self._go is None:
            go = _real_tool("go")
            env = {**os.environ, "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
            runner = self._build_dir / "runner"
            bare = self._build_dir / "bare"
            _build([go, "build", "-o", str(runner), "."], ROOT / "runners/go", env)
            # bench/bare has no go.mod and is outside go.work: a single-file, stdlib-only build.
            _build([go, "build", "-o", str(bare), str(BARE / "bare.go")], BARE, {**env, "GOWORK": "off"})
            self._go = (str(runner), str(bare))
            self.interpreters["go"] = subprocess.run(
                [go, "version"], capture_output=True, text=True, check=False
            ).stdout.strip()
        return self._go


def compile_java_bare(into: Path) -> str:
    """Bare.class for Java 21 in `into`, compiled by the JDK runners/java/jdk.sh picks; that JDK's bin."""
    found = subprocess.run(
        ["sh", "-c", '. ./jdk.sh && echo "$jdk_bin"'], cwd=ROOT / "runners/java", capture_output=True, text=True
    )
    jdk_bin = found.stdout.strip()
    if not jdk_bin:
        raise SystemExit("bookkeeping: no JDK >= 21 (runners/java/jdk.sh)")
    _build([f"{jdk_bin}/javac", "--release", "21", "-d", str(into), str(BARE / "Bare.java")], BARE, dict(os.environ))
    return jdk_bin


def compile_java_bare_for_image(into: Path) -> None:
    """compile_java_bare, readable by a runner image's unprivileged user, which gets `into` mounted read-only."""
    compile_java_bare(into)
    into.chmod(0o755)
    for path in into.iterdir():
        path.chmod(0o644)


def _contract_build(language: str, binary: Path) -> list[str]:
    """The contract's local build of a runner into `binary`; returns its local command line."""
    from concbench_poly.contract import contract

    local = contract().runner(language).local
    source = ROOT / "runners" / language

    def fill(words: tuple[str, ...]) -> list[str]:
        return [w.replace("{source}", str(source)).replace("{binary}", str(binary)) for w in words]

    _build(fill(local.build or ()), source, {**os.environ, **dict(local.build_env)})
    return fill(local.command)


def _real_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"bookkeeping: `{name}` is not on PATH")
    return os.path.realpath(path)


def _real_python() -> str:
    """The interpreter `python3` on PATH really runs (pyenv's shim is a script that execs it)."""
    shim = shutil.which("python3") or sys.executable
    found = subprocess.run(
        [shim, "-c", "import os, sys; print(os.path.realpath(sys.executable))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or os.path.realpath(sys.executable)


def _build(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bookkeeping: {' '.join(command)} (in {cwd}) failed:\n{result.stderr.strip()[-1000:]}")


def runner_peak_rss_kib(child: Child) -> int | None:
    """The runner's own reading of its peak (VmHWM right after the window), for comparison."""
    try:
        value = json.loads(child.stdout)["memory"]["peak_rss_bytes"]
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) // KIB if isinstance(value, int) else None


def runner_failure(child: Child) -> str | None:
    """Why a runner run does not count (None when it exited 0 with one status-ok document)."""
    if child.timed_out:
        return "killed after the time limit"
    problem: str | None = None
    if child.exit_code != 0:
        problem = f"exit code {child.exit_code}"
    else:
        try:
            document = json.loads(child.stdout)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            problem = "stdout is not one JSON document"
        elif document.get("status") != "ok":
            error = document.get("error") or {}
            problem = f"status {document.get('status')!r}: {error.get('kind')}: {error.get('message')}"
    if problem is None:
        return None
    return f"{problem}; stderr: {tail(child.stderr)}"


def bare_failure(child: Child) -> str | None:
    if child.timed_out:
        return "bare: killed after the time limit"
    if child.exit_code != 0:
        return f"bare: exit code {child.exit_code}; stderr: {tail(child.stderr)}"
    return None


def tail(text: str) -> str:
    return " | ".join(text.strip().splitlines()[-STDERR_TAIL_LINES:]) or "(empty)"


def measure(point: Point, programs: Programs, repeat: int, cpu: int, timeout_s: float) -> dict[str, Any]:
    runner_argv, bare_argv = programs.commands(point)
    runner_kib: list[int] = []
    runner_own_kib: list[int] = []
    bare_kib: list[int] = []
    runner_wall: list[float] = []
    bare_wall: list[float] = []
    errors: list[str] = []
    for _ in range(repeat):
        runner = run_child(runner_argv, cpu, timeout_s)
        problem = runner_failure(runner)
        if problem is not None:
            errors.append(problem)
        else:
            runner_kib.append(runner.max_rss_kib)
            own = runner_peak_rss_kib(runner)
            if own is not None:
                runner_own_kib.append(own)
            runner_wall.append(runner.wall_s)
        bare = run_child(bare_argv, cpu, timeout_s)
        problem = bare_failure(bare)
        if problem is not None:
            errors.append(problem)
        else:
            bare_kib.append(bare.max_rss_kib)
            bare_wall.append(bare.wall_s)
    runner_median = statistics.median(runner_kib) if runner_kib else None
    bare_median = statistics.median(bare_kib) if bare_kib else None
    ratio = runner_median / bare_median if runner_median is not None and bare_median else None
    return {
        "point": point.name,
        "language": point.language,
        "approach": point.approach,
        "tasks": point.tasks,
        "io_ms": point.io_ms,
        "pool_size": point.pool_size,
        "status": "ok" if ratio is not None else "failed",
        "runner_command": runner_argv,
        "bare_command": bare_argv,
        "runner_max_rss_kib": runner_kib,
        "bare_max_rss_kib": bare_kib,
        "runner_max_rss_kib_median": runner_median,
        "bare_max_rss_kib_median": bare_median,
        "runner_own_peak_rss_kib": runner_own_kib,
        "runner_own_peak_rss_kib_median": statistics.median(runner_own_kib) if runner_own_kib else None,
        "runner_wall_s": runner_wall,
        "bare_wall_s": bare_wall,
        "ratio": ratio,
        "within_target": ratio <= TARGET_RATIO if ratio is not None else None,
        "errors": errors,
    }


def _align(cells: tuple[str, ...], widths: list[int]) -> list[str]:
    """The first column left-aligned, the figures right-aligned."""
    return [cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths, strict=True))]


def table(rows: list[dict[str, Any]]) -> str:
    def mib(kib: float | None) -> str:
        return f"{kib * KIB / MIB:.1f}" if kib is not None else "n/a"

    header = ("point", "runner max RSS MiB", "bare max RSS MiB", "ratio", f"<= {TARGET_RATIO}", "runner's VmHWM MiB")
    lines = [header]
    for row in rows:
        ratio = row["ratio"]
        verdict = "FAILED" if row["status"] != "ok" else ("yes" if row["within_target"] else "no")
        lines.append(
            (
                row["point"],
                mib(row["runner_max_rss_kib_median"]),
                mib(row["bare_max_rss_kib_median"]),
                f"{ratio:.3f}" if ratio is not None else "n/a",
                verdict,
                mib(row["runner_own_peak_rss_kib_median"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(_align(line, widths)) for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    text.append("runner's VmHWM: the runner's own memory.peak_rss_bytes (read right after its window), for reference")
    for row in rows:
        for error in dict.fromkeys(row["errors"]):
            text.append(f"  {row['point']}: {error}")
    return "\n".join(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [p.name for p in POINTS]
    parser.add_argument("--points", help=f"comma-separated subset of: {', '.join(names)} (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side per point; the median counts")
    parser.add_argument("--cpu", type=int, default=0, help="the one CPU both sides are pinned to")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before a child is killed")
    parser.add_argument("--python", help="Python interpreter for both sides (default: what python3 runs)")
    parser.add_argument("--node", help="node binary for both sides (default: node on PATH)")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    chosen = POINTS
    if args.points:
        wanted = [name.strip() for name in args.points.split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"--points: unknown {', '.join(unknown)} (known: {', '.join(names)})")
        chosen = tuple(p for p in POINTS if p.name in wanted)
    if args.repeat < 1:
        parser.error("--repeat: expected an integer >= 1")
    if args.cpu not in os.sched_getaffinity(0):
        parser.error(f"--cpu: CPU {args.cpu} is not available to this process")

    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="concbench-bookkeeping-") as build:
        programs = Programs(Path(build), args.python, args.node)
        for point in chosen:
            rows.append(measure(point, programs, args.repeat, args.cpu, args.timeout))
            print(f"# {point.name}: {rows[-1]['status']}", file=sys.stderr, flush=True)

    figures = {
        "measure": "kernel max RSS (wait4 ru_maxrss, KiB) of the runner vs a bare program of the same task shape",
        "target_ratio": TARGET_RATIO,
        "cpu": args.cpu,
        "repeat": args.repeat,
        "interpreters": programs.interpreters,
        "elapsed_s": time.perf_counter() - started,
        "points": rows,
    }
    print(json.dumps(figures, indent=2))
    print()
    print(table(rows))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
