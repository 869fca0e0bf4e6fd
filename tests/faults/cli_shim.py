"""The real CLI with the one adjustment a fault test needs, for the tests that run it as a subprocess.

    python -m tests.faults.cli_shim [--lock-dir DIR] [--slow-removal MARK] [--no-plots] -- ARGS...

--lock-dir DIR      the local executor's core locks live in DIR instead of the machine-wide directory,
                    so a test neither waits for nor blocks a benchmark someone else runs here.
--slow-removal MARK removing a run container first creates MARK, then takes a minute: a cleanup slow
                    enough that a test can send a second signal while it runs.
--no-plots          the report is written without its plots (matplotlib takes seconds a fault test
                    has no use for).

Everything else is `concbench-poly ARGS...` unchanged.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any


def replace(module: ModuleType, name: str, value: object) -> None:
    """What `module.name` refers to from now on (the module looks its globals up when it calls them)."""
    assert hasattr(module, name), f"{module.__name__} has no {name}"
    vars(module)[name] = value


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.faults.cli_shim")
    parser.add_argument("--lock-dir", type=Path)
    parser.add_argument("--slow-removal", type=Path)
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    args = options.args[1:] if options.args[:1] == ["--"] else options.args

    if options.lock_dir is not None:
        from concbench_poly.execution import core_locks, local_executor

        lock = functools.partial(core_locks.local_core_lock, lock_dir=options.lock_dir, poll_s=0.2)
        replace(local_executor, "local_core_lock", lock)
    if options.slow_removal is not None:
        from concbench_poly.execution import docker_engine

        remove = docker_engine.remove_quietly
        mark: Path = options.slow_removal

        def slow_removal(container: Any) -> None:
            mark.touch()
            time.sleep(60)
            remove(container)

        replace(docker_engine, "remove_quietly", slow_removal)

    if options.no_plots:
        from concbench_poly import service
        from concbench_poly.report.writer import write_report

        replace(service, "write_report", functools.partial(write_report, plots=False))
    from concbench_poly.cli import main as cli_main

    sys.argv = ["concbench-poly", *args]
    cli_main()


if __name__ == "__main__":
    main(sys.argv[1:])
