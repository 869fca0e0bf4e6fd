"""The interpreter as the document records it (runtime.gil_enabled, runtime.build_flags), and the uvloop
approach: asyncio's io tasks on uvloop's event loop, refused with a usage error where it cannot run.

uvloop is installed in the images of the GIL runtimes only (3.11 and 3.13): where this interpreter has no
uvloop, the runs that need it skip and the refusal is tested for real; both are tested by simulation
everywhere (a uvloop that cannot be imported, an interpreter whose GIL is off).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import platform
import subprocess
import sys
import sysconfig
from functools import cache
from typing import Any

import pytest
from python_runner_harness import ARTICLE_IO_MS, ARTICLE_TASKS, RUNNER_DIR, run_ok, run_runner

from concbench_runner.arguments import parse_arguments
from concbench_runner.result_document import error_document, runtime_document

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
needs_uvloop = pytest.mark.skipif(
    not HAS_UVLOOP,
    reason=f"uvloop is not installed in this Python {sys.version.split()[0]} (the 3.11/3.13 images have it)",
)
UVLOOP_ARGS = ["--workload", "io", "--approach", "uvloop"]


def expected_gil_enabled() -> bool | None:
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return bool(is_gil_enabled()) if callable(is_gil_enabled) else None


def run_main_with(setup: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """cli.main(args) in a fresh interpreter after `setup`; stderr's last line lists the loaded uvloop modules."""
    code = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(RUNNER_DIR)!r})\n"
        f"{setup}\n"
        "from concbench_runner.cli import main\n"
        "try:\n"
        f"    code = main({args!r})\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "loaded = [name for name in sys.modules if name == 'uvloop' or name.startswith('uvloop.')]\n"
        "sys.stderr.write(json.dumps(loaded) + '\\n')\n"
        "sys.exit(code)\n"
    )
    return subprocess.run([sys.executable, "-B", "-c", code], capture_output=True, text=True, timeout=60, check=False)


def assert_uvloop_refused(result: subprocess.CompletedProcess[str], reason: str) -> list[str]:
    """A usage error: exit 2, no stdout, one `runner: error: --approach: ...` line naming uvloop."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr  # the refusal, then the test's own list of loaded modules
    assert lines[0].startswith("runner: error: --approach: uvloop "), lines[0]
    assert reason in lines[0]
    loaded: list[str] = json.loads(lines[1])
    return loaded


def test_runtime_records_the_gil_and_the_build_flags() -> None:
    document = run_ok(["--workload", "io", "--approach", "asyncio", "--tasks", "5", "--io-ms", "1"])
    runtime = document["runtime"]
    assert runtime["name"] == sys.implementation.name
    assert runtime["version"] == platform.python_version()
    assert runtime["gil_enabled"] is expected_gil_enabled()
    assert runtime["build_flags"] == sysconfig.get_config_var("CONFIG_ARGS")


def test_error_document_records_the_runtime_too() -> None:
    config = parse_arguments(["--workload", "io", "--approach", "threading"])
    document = error_document(config, "internal", "a bug", "2024-01-01T00:00:00.000000Z", None)
    assert document["runtime"] == runtime_document()
    assert set(document["runtime"]) == {"name", "version", "gil_enabled", "build_flags"}


def test_gil_enabled_is_null_before_3_13(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "_is_gil_enabled", raising=False)
    assert runtime_document()["gil_enabled"] is None


def test_gil_enabled_is_what_the_interpreter_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: False, raising=False)
    assert runtime_document()["gil_enabled"] is False
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: True, raising=False)
    assert runtime_document()["gil_enabled"] is True


def test_build_flags_are_null_where_the_build_does_not_say(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sysconfig, "get_config_var", lambda name: None)
    assert runtime_document()["build_flags"] is None


def test_uvloop_is_refused_where_it_cannot_be_imported() -> None:
    # sys.modules[name] = None makes `import name` raise ImportError, as a missing module does.
    result = run_main_with("sys.modules['uvloop'] = None", [*UVLOOP_ARGS, "--tasks", "3"])
    assert_uvloop_refused(result, "is not installed in this Python")


def test_uvloop_is_refused_without_importing_it_where_the_gil_is_off() -> None:
    # Importing uvloop into a free-threaded interpreter would turn the GIL back on: never tried.
    result = run_main_with("sys._is_gil_enabled = lambda: False", [*UVLOOP_ARGS, "--tasks", "3"])
    assert assert_uvloop_refused(result, "needs the GIL") == []


@pytest.mark.skipif(HAS_UVLOOP, reason="uvloop is installed here: the refusal is only simulated (tests above)")
def test_uvloop_is_refused_by_this_interpreter() -> None:
    result = run_runner([*UVLOOP_ARGS, "--tasks", "3"], timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("runner: error: --approach: uvloop is not installed")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("approach", ["threading", "asyncio", "threadpool"])
def test_other_io_approaches_never_import_uvloop(approach: str) -> None:
    result = run_main_with("", ["--workload", "io", "--approach", approach, "--tasks", "3", "--io-ms", "1"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["status"] == "ok"
    assert json.loads(result.stderr.splitlines()[-1]) == []


@cache
def uvloop_document() -> dict[str, Any]:
    return run_ok([*UVLOOP_ARGS, "--tasks", str(ARTICLE_TASKS), "--io-ms", str(ARTICLE_IO_MS)])


@needs_uvloop
def test_uvloop_document() -> None:
    document = uvloop_document()
    assert document["approach"] == "uvloop"
    assert document["workload"]["pool_size"] is None
    assert document["workload"]["workers"] is None
    assert document["checksum"] is None
    assert document["memory"]["runtime"]["uvloop_version"] == importlib.import_module("uvloop").__version__
    # Every task waited its D, less what libuv's loop clock (whole milliseconds) can cut short: as
    # Node's setTimeout, uvloop's timers may fire up to 1 ms early. The runner does not correct them;
    # wakeup_ms counts the early ones.
    assert document["latency_ms"]["cdf"]["service"][0] > ARTICLE_IO_MS - 1
    wakeup = document["wakeup_ms"]
    assert wakeup["earliest"] > -1
    assert (wakeup["early_tasks"] > 0) == (wakeup["earliest"] < 0)


@needs_uvloop
def test_uvloop_runs_every_task_at_once() -> None:
    # As on asyncio's own loop: all N tasks are created before the loop runs any, and all start in one
    # iteration before any timer can fire.
    concurrency = uvloop_document()["concurrency"]
    assert (concurrency["peak_running"], concurrency["peak_in_flight"]) == (ARTICLE_TASKS, ARTICLE_TASKS)
    assert uvloop_document()["total_ms"] < ARTICLE_TASKS * ARTICLE_IO_MS / 10


@needs_uvloop
def test_uvloop_run_loads_uvloop() -> None:
    result = run_main_with("", [*UVLOOP_ARGS, "--tasks", "3", "--io-ms", "1"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "uvloop" in json.loads(result.stderr.splitlines()[-1])
