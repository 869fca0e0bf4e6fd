"""Each runner's own test suite (go test, node --test, the Java and Rust suites), so the README's one test
command runs them all. The Python runner's suite is collected by pytest directly (runners/python/tests)."""

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


# runners/java/test.sh exits 77 when no JDK >= 21 is found (jdk.sh looks at JAVA_HOME, PATH, /usr/lib/jvm).
NO_JDK = 77


def test_java_runner_suite() -> None:
    result = _run(["sh", "test.sh"], "runners/java")
    if result.returncode == NO_JDK:
        pytest.skip(f"no JDK >= 21 here: {result.stderr.strip()[-300:]}")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _rust_vendored() -> None:
    """The crates the offline build reads (runners/rust/vendor), fetched as the contract's prepare step does."""
    vendor = _run(["cargo", "vendor", "--locked", "vendor"], "runners/rust")
    assert vendor.returncode == 0, vendor.stderr[-2000:]


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not on PATH")
def test_rust_runner_suite() -> None:
    _rust_vendored()
    result = _run(["cargo", "test", "--offline", "--locked"], "runners/rust")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not on PATH")
def test_rust_runner_is_clippy_and_fmt_clean() -> None:
    _rust_vendored()
    clippy = _run(["cargo", "clippy", "--offline", "--locked", "--all-targets", "--", "-D", "warnings"], "runners/rust")
    assert clippy.returncode == 0, clippy.stderr[-3000:]
    fmt = _run(["cargo", "fmt", "--check"], "runners/rust")
    assert fmt.returncode == 0, fmt.stdout[-2000:]
