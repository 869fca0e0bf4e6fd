"""Each runner's own test suite (go test, node --test), so the README's one test command runs them all."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT


def _run(command: list[str], cwd: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=REPO_ROOT / cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not on PATH")
def test_go_runner_suite() -> None:
    result = _run(["go", "test", "-count=1", "./..."], "runners/go", {"GOTOOLCHAIN": "local"})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not on PATH")
def test_go_runner_is_vet_and_gofmt_clean() -> None:
    vet = _run(["go", "vet", "./..."], "runners/go", {"GOTOOLCHAIN": "local"})
    assert vet.returncode == 0, vet.stderr
    fmt = _run(["gofmt", "-l", "."], "runners/go")
    assert fmt.stdout.strip() == "", f"not gofmt-clean: {fmt.stdout}"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")
def test_node_runner_suite() -> None:
    result = _run(["node", "--test", "test/"], "runners/node")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
