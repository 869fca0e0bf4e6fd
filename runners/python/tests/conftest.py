"""Puts the runner's package (runners/python/concbench_runner) on sys.path for the unit tests."""

from __future__ import annotations

import sys
from pathlib import Path

# The runner directory is copied into images as-is: importing its package from the tests must not
# leave __pycache__ folders behind in it.
sys.dont_write_bytecode = True

RUNNER_DIR = Path(__file__).resolve().parents[1]
if str(RUNNER_DIR) not in sys.path:
    sys.path.insert(0, str(RUNNER_DIR))
