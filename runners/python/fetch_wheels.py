#!/usr/bin/env python3
"""Fetch the uvloop wheels that the official Python images install (the contract's `prepare` of the
runtimes 3.11 and 3.13, run in runners/python on the driving machine before the image is built).

The official python images' interpreter is not Debian's, so Debian's python3-uvloop does not fit it,
and the image build may not reach PyPI: `pip download` fetches the manylinux wheels here, into
wheels/, for both runtimes and both architectures at once (so that the build context, and with it
every image's tag, changes once, not per runtime), and the Dockerfile installs the one that fits.
Wheels already in wheels/ are not fetched again: once they are there, nothing needs PyPI.

A wheel that cannot be fetched (no PyPI, no pip) is a warning on stderr and exit 0, unless --strict:
the prepare also runs before the offline (Debian) builds, which need no wheel, and an official build
without its wheel fails on its own, saying to run this script.

Usage: python3 fetch_wheels.py [--strict]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# The version of trixie's python3-uvloop, which the offline 3.13 image installs: online and offline
# 3.13 run the same uvloop (bookworm's python3-uvloop, in the offline 3.11 image, is 0.17.0).
UVLOOP_VERSION = "0.21.0"
PYTHONS = ("3.11", "3.13")
PLATFORMS = {
    "x86_64": ("manylinux_2_17_x86_64", "manylinux2014_x86_64"),
    "aarch64": ("manylinux_2_17_aarch64", "manylinux2014_aarch64"),
}
WHEELS = Path(__file__).resolve().parent / "wheels"


def present(python: str, machine: str) -> bool:
    tag = "cp" + python.replace(".", "")
    return any(WHEELS.glob(f"uvloop-{UVLOOP_VERSION}-{tag}-{tag}-*{machine}*.whl"))


def download_command(python: str, machine: str) -> list[str]:
    tag = "cp" + python.replace(".", "")
    platforms = [word for platform in PLATFORMS[machine] for word in ("--platform", platform)]
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        python,
        "--abi",
        tag,
        *platforms,
        "--dest",
        str(WHEELS),
        f"uvloop=={UVLOOP_VERSION}",
    ]


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    WHEELS.mkdir(exist_ok=True)
    for python in PYTHONS:
        for machine in PLATFORMS:
            if present(python, machine):
                continue
            command = download_command(python, machine)
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
                sys.stderr.write(
                    f"fetch_wheels: {'error' if strict else 'warning'}: uvloop {UVLOOP_VERSION} for Python {python} "
                    f"on {machine}: `pip download` failed (exit {result.returncode}): {' | '.join(tail) or 'no output'}"
                    f"{'' if strict else ' (only the official images need it)'}\n"
                )
                if strict:
                    return 1
                continue
            print(f"fetch_wheels: uvloop {UVLOOP_VERSION} for Python {python} on {machine} is in {WHEELS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
