"""Command-line arguments of the runner (runners/README.md, "Arguments").

Usage errors print exactly one line on stderr that names the bad argument, leave stdout empty and
exit 2; --help prints the usage on stderr and exits 0.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from typing import TYPE_CHECKING, NamedTuple, NoReturn

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

PROG = "runner"
# What this runner implements, per workload; the contract test checks it against this language's
# approaches in schema/runner_contract.json, both ways.
APPROACHES_BY_WORKLOAD: dict[str, tuple[str, ...]] = {
    "io": ("threading", "asyncio", "threadpool", "uvloop"),
    "cpu": ("threading", "asyncio", "multiprocessing"),
    "cpu-loop": ("threading", "asyncio", "multiprocessing"),
    "mixed": ("threading", "asyncio", "threadpool", "asyncio-processpool", "asyncio-to-thread"),
}
WORKLOADS = tuple(APPROACHES_BY_WORKLOAD)
ALL_APPROACHES = (
    "threading",
    "asyncio",
    "threadpool",
    "multiprocessing",
    "asyncio-processpool",
    "asyncio-to-thread",
    "uvloop",
)
# The approaches whose pool each option sizes (the contract's sized_by); the option is null for the others.
POOL_SIZE_APPROACHES = ("threadpool",)
WORKERS_APPROACHES = ("multiprocessing", "asyncio-processpool")
# The contract's exit_codes.usage; the other two codes live with main() in cli.py.
EXIT_USAGE = 2


class BenchmarkConfig(NamedTuple):
    """One run's parameters, validated.

    Every field after workload and approach is an option of schema/runner_contract.json, under the
    contract's own name, so the contract test can look each one up by that name. A NamedTuple rather
    than a dataclass: dataclasses imports inspect (~1 MB with ast and dis) into every run, and the
    runner's whole process is compared with a bare program (runners/README.md, "Runner bookkeeping").
    """

    workload: str
    approach: str
    tasks: int
    io_ms: float
    pool_size: int
    workers: int
    payload_bytes: int
    repeat: int
    loop_bytes: int


def positive_integer(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text.strip(), 10)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def positive_number(text: str) -> float:
    """argparse type: a finite number > 0 (0.5 allowed)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


class OneLineArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one stderr line naming the argument, exit 2."""

    def error(self, message: str) -> NoReturn:
        # argparse says "argument --tasks: ..."; the contract's form is "--tasks: ...".
        message = re.sub(r"^argument (\S+?): ", r"\1: ", message)
        message = " ".join(message.split())
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(EXIT_USAGE)

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        # Usage goes to stderr: stdout carries the JSON document and nothing else, ever.
        super().print_help(file if file is not None else sys.stderr)

    def print_usage(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_usage(file if file is not None else sys.stderr)


def build_parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
        prog=PROG,
        allow_abbrev=False,
        description=(
            "concbench-poly Python runner: runs one workload with one concurrency model and prints "
            "one JSON result document (schema/result.schema.json) on stdout."
        ),
        epilog="io approaches: threading, asyncio, threadpool, uvloop (asyncio on uvloop's event loop, where "
        "uvloop is installed); cpu and cpu-loop approaches: threading, "
        "asyncio, multiprocessing; mixed approaches: threading, asyncio, threadpool, asyncio-processpool, "
        "asyncio-to-thread. Exit codes: 0 ok, 1 the run failed (JSON still printed), 2 usage error.",
    )
    parser.add_argument("--workload", choices=WORKLOADS, default="io", help="io (default), cpu, cpu-loop or mixed")
    parser.add_argument("--approach", choices=ALL_APPROACHES, required=True, help="concurrency model")
    parser.add_argument("--tasks", type=positive_integer, default=1000, help="number of tasks (1000)")
    parser.add_argument("--io-ms", type=positive_number, default=10.0, help="io, mixed: wait per task in ms (10)")
    parser.add_argument("--pool-size", type=positive_integer, default=50, help="threadpool: threads (50)")
    parser.add_argument("--workers", type=positive_integer, default=4, help="process pools: workers (4)")
    parser.add_argument("--payload-bytes", type=positive_integer, default=64, help="cpu: base payload (64)")
    parser.add_argument("--repeat", type=positive_integer, default=10000, help="cpu: repetitions (10000)")
    parser.add_argument(
        "--loop-bytes", type=positive_integer, default=16384, help="cpu-loop, mixed: bytes hashed per task (16384)"
    )
    return parser


def parse_arguments(argv: list[str] | None = None) -> BenchmarkConfig:
    """Parse and validate; exits 2 (one stderr line) on a usage error and 0 after --help."""
    parser = build_parser()
    namespace = parser.parse_args(argv)
    workload: str = namespace.workload
    approach: str = namespace.approach
    valid = APPROACHES_BY_WORKLOAD[workload]
    if approach not in valid:
        parser.error(
            f"--approach: {approach!r} is not an approach of the {workload} workload (choose from {', '.join(valid)})"
        )
    return BenchmarkConfig(
        workload=workload,
        approach=approach,
        tasks=namespace.tasks,
        io_ms=namespace.io_ms,
        pool_size=namespace.pool_size,
        workers=namespace.workers,
        payload_bytes=namespace.payload_bytes,
        repeat=namespace.repeat,
        loop_bytes=namespace.loop_bytes,
    )


def refuse_unavailable(config: BenchmarkConfig) -> None:
    """A usage error (one stderr line, exit 2) for an approach the contract lists but this interpreter
    cannot run: uvloop where it is not installed, or where the GIL is off. parse_arguments accepts
    every approach of the contract; this is the check against the interpreter itself."""
    if config.approach == "uvloop":
        from concbench_runner.event_loops import uvloop_unavailable

        reason = uvloop_unavailable()
        if reason is not None:
            build_parser().error(f"--approach: {reason}")
