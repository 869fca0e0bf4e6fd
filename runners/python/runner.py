#!/usr/bin/env python3
"""concbench-poly Python runner: one measured run of one concurrency model, one JSON document on stdout.

Usage: python3 runner.py --workload io --approach asyncio --tasks 1000 --io-ms 10
The contract (arguments, exit codes, measurement rules) is runners/README.md.
"""

import os
import sys

# The container's root filesystem is read-only: never try to write bytecode caches.
sys.dont_write_bytecode = True
# Works from any working directory and under `python3 -I` (which leaves the script's folder off sys.path).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from concbench_runner.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
