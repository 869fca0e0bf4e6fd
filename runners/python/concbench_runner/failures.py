"""How a run that could not complete is classified and described (error.kind / error.message)."""

from __future__ import annotations

import errno
import sys
from typing import Any, Literal, get_args

# Every error.kind this runner can produce. A Literal, so that mypy --strict refuses any other string
# from classify() or error_document(); tests/test_python_runner_contract.py checks each one against
# the runner kinds of schema/runner_contract.json.
ErrorKind = Literal["resource_exhausted", "out_of_memory", "internal"]
ERROR_KINDS: tuple[ErrorKind, ...] = get_args(ErrorKind)

THREAD_START_FAILURE = "can't start new thread"
RESOURCE_ERRNOS = frozenset({errno.EAGAIN, errno.EMFILE, errno.ENFILE, errno.ENOSPC, errno.EMLINK})


class SubmissionStopped(Exception):
    """Submitting tasks failed part-way; the tasks already started have been waited for.

    at_failure: error.at_failure, read where the submission stopped, before those tasks were waited for.
    """

    def __init__(
        self, cause: BaseException, started: int, while_doing: str = "", at_failure: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{describe(cause)} (after {started} tasks)")
        self.cause = cause
        self.started = started
        self.while_doing = while_doing
        self.at_failure = at_failure


class TaskFailed(Exception):
    """A task raised instead of completing (at_failure: error.at_failure, when read where it was seen)."""

    def __init__(self, index: int, cause: BaseException, at_failure: dict[str, Any] | None = None) -> None:
        super().__init__(f"task {index} failed: {describe(cause)}")
        self.index = index
        self.cause = cause
        self.at_failure = at_failure


def _is_broken_process_pool(exc: BaseException) -> bool:
    """isinstance(exc, BrokenProcessPool), without importing multiprocessing into runs that never use it."""
    module = sys.modules.get("concurrent.futures.process")
    broken: type[BaseException] | None = getattr(module, "BrokenProcessPool", None)
    return broken is not None and isinstance(exc, broken)


def classify(exc: BaseException) -> ErrorKind:
    """error.kind for an exception: resource_exhausted, out_of_memory or internal."""
    if isinstance(exc, (SubmissionStopped, TaskFailed)):
        return classify(exc.cause)
    if isinstance(exc, MemoryError):
        return "out_of_memory"
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOMEM:
            return "out_of_memory"
        if exc.errno in RESOURCE_ERRNOS:
            return "resource_exhausted"
        return "internal"
    if isinstance(exc, RuntimeError) and THREAD_START_FAILURE in str(exc):
        return "resource_exhausted"
    if _is_broken_process_pool(exc):
        # A worker was killed (most often by the OOM killer); the parent only sees it vanish.
        return "resource_exhausted"
    return "internal"


def describe(exc: BaseException) -> str:
    """One-line human-readable text of an exception, never empty."""
    text = " ".join(str(exc).split())
    if isinstance(exc, (SubmissionStopped, TaskFailed)) or (
        isinstance(exc, RuntimeError) and THREAD_START_FAILURE in text
    ):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def stopped_message(stop: SubmissionStopped, tasks: int) -> str:
    """E.g. "can't start new thread (after 9873 of 100000 tasks)"."""
    context = f" while {stop.while_doing}" if stop.while_doing else ""
    return f"{describe(stop.cause)}{context} (after {stop.started} of {tasks} tasks)"


def report_on_stderr(text: str) -> None:
    """Diagnostics for stderr; losing them (no memory, closed stream) must not lose the document."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (MemoryError, OSError, ValueError):
        pass
