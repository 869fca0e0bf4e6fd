"""Exceptions raised below the CLI. Each message names what failed: runner, approach, container, path."""

from __future__ import annotations


class ConcbenchError(Exception):
    """Base class; the CLI turns these into one clear line and a nonzero exit code."""


class UsageError(ConcbenchError):
    """Bad input from the user (an unknown language, approach, size or path); exit code 2."""


class SchemaError(ConcbenchError):
    """A document does not follow schema/result.schema.json (or has an unknown schema_version)."""


class EngineUnavailableError(ConcbenchError):
    """No Docker engine answers."""


class ImageBuildError(ConcbenchError):
    """Building a runner image (or the offline base image) failed."""


class RunnerFailedError(ConcbenchError):
    """A runner could not be started at all (missing toolchain, unreadable binary)."""


class ResultsDirError(ConcbenchError):
    """A results directory is missing, empty or holds unreadable documents."""
