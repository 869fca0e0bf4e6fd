"""The runner directory works on its own, as in its image: copied alone, writing nothing, non-root."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from python_runner_harness import RUNNER_DIR, run_runner, schema_errors

NOBODY = 65534
SYSTEM_PYTHONS = ("/usr/bin/python3", "/usr/local/bin/python3")


def others_can_run(executable: str) -> bool:
    """True when a user other than the owner can reach and execute the interpreter."""
    path = Path(executable).resolve()
    folders_open = all(folder.stat().st_mode & stat.S_IXOTH for folder in path.parents)
    return folders_open and bool(path.stat().st_mode & stat.S_IXOTH)


def unprivileged_interpreter() -> str | None:
    """An interpreter >= 3.11 that an unprivileged user may run: this one or the system's."""
    for candidate in (sys.executable, *SYSTEM_PYTHONS):
        if not Path(candidate).exists() or not others_can_run(candidate):
            continue
        version = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info >= (3, 11))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if version.stdout.strip() == "True":
            return candidate
    return None


def snapshot(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


@pytest.fixture
def app_dir() -> Iterator[Path]:
    """runners/python copied alone (without tests and caches), world-readable, like /app."""
    base = Path(tempfile.mkdtemp(prefix="concbench-app-"))
    app = base / "app"
    shutil.copytree(RUNNER_DIR, app, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.pyc"))
    for path in [base, *base.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | (0o111 if path.is_dir() else 0))
    yield app
    shutil.rmtree(base)


@pytest.mark.parametrize(
    "args",
    [
        ["--workload", "io", "--approach", "asyncio", "--tasks", "20"],
        ["--workload", "cpu", "--approach", "multiprocessing", "--tasks", "8", "--repeat", "100"],
        ["--workload", "mixed", "--approach", "asyncio-processpool", "--tasks", "8", "--loop-bytes", "64"],
    ],
    ids=["io-asyncio", "cpu-multiprocessing", "mixed-asyncio-processpool"],
)
def test_copied_alone_writes_nothing(app_dir: Path, args: list[str]) -> None:
    before = snapshot(app_dir)
    # -I: isolated mode, no script folder on sys.path, no PYTHON* variables (no PYTHONDONTWRITEBYTECODE).
    result = run_runner(args, runner=app_dir / "runner.py", python_flags=["-I"], cwd=Path("/"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert schema_errors(result.document()) == []
    assert snapshot(app_dir) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to an unprivileged user")
@pytest.mark.parametrize(
    "args",
    [
        ["--workload", "io", "--approach", "threading", "--tasks", "20"],
        ["--workload", "cpu", "--approach", "multiprocessing", "--tasks", "8", "--repeat", "100"],
    ],
    ids=["io-threading", "cpu-multiprocessing"],
)
def test_runs_as_unprivileged_user(app_dir: Path, args: list[str]) -> None:
    interpreter = unprivileged_interpreter()
    if interpreter is None:
        pytest.skip("no Python >= 3.11 that an unprivileged user can run")

    def become_nobody() -> None:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    result = run_runner(
        args,
        runner=app_dir / "runner.py",
        interpreter=interpreter,
        python_flags=["-I"],
        cwd=Path("/"),
        preexec_fn=become_nobody,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    document = result.document()
    assert schema_errors(document) == []
    assert document["memory"]["hwm_reset"] is True  # a process may reset its own peak mark
