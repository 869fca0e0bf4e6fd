"""concbench-poly: measure which concurrency model fits a workload, per language, on pinned hardware."""

__version__ = "0.1.0"
