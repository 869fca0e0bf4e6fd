"""Executors run one runner invocation and return what they saw (RawRun); they never interpret it."""

from concbench_poly.execution.base import Executor, RawRun, RunRequest

__all__ = ["Executor", "RawRun", "RunRequest"]
