"""Stdlib-only benchmark runner for concbench-poly's Python concurrency models."""
