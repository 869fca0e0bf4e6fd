"""mypy --strict and ruff over everything Python in the repository, so CI holds the code to them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["mypy"],  # files and strictness: pyproject.toml's [tool.mypy]
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
    ],
    ids=["mypy", "ruff-check", "ruff-format"],
)
def test_clean(command: list[str]) -> None:
    tool = BIN / command[0]
    if not tool.is_file():
        pytest.fail(f"{tool} is missing: install the test extras (pip install -e '.[test]')")
    result = subprocess.run([str(tool), *command[1:]], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
