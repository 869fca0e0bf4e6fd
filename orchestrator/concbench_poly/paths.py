"""Where the repository (schema, runner sources, claims) lives, and where results go by default."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path


def repo_root() -> Path:
    """The checkout that holds schema/ and runners/; CONCBENCH_HOME overrides for installed copies."""
    override = os.environ.get("CONCBENCH_HOME")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2]


def default_results_dir(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return Path("results") / stamp


def cache_dir() -> Path:
    """Host-side build products of the local executor (the Go binary)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "concbench-poly"
