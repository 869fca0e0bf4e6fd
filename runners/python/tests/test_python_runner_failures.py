"""error.kind and error.message of failed runs."""

from __future__ import annotations

import errno

import pytest

from concbench_runner.failures import SubmissionStopped, TaskFailed, classify, describe, stopped_message


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (RuntimeError("can't start new thread"), "resource_exhausted"),
        (BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable"), "resource_exhausted"),
        (OSError(errno.EMFILE, "Too many open files"), "resource_exhausted"),
        (OSError(errno.ENOMEM, "Cannot allocate memory"), "out_of_memory"),
        (MemoryError(), "out_of_memory"),
        (RuntimeError("something else"), "internal"),
        (ValueError("bad"), "internal"),
        (OSError(errno.EACCES, "Permission denied"), "internal"),
        (TaskFailed(3, MemoryError()), "out_of_memory"),
    ],
)
def test_classify(exc: BaseException, kind: str) -> None:
    assert classify(exc) == kind
    assert classify(SubmissionStopped(exc, 1)) == kind


def test_thread_start_message_names_the_progress() -> None:
    stop = SubmissionStopped(RuntimeError("can't start new thread"), 9873)
    assert stopped_message(stop, 100000) == "can't start new thread (after 9873 of 100000 tasks)"


def test_pool_start_message_says_what_failed() -> None:
    stop = SubmissionStopped(BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable"), 0, "starting Pool(4)")
    assert stopped_message(stop, 10) == (
        "BlockingIOError: [Errno 11] Resource temporarily unavailable while starting Pool(4) (after 0 of 10 tasks)"
    )


def test_describe_is_one_non_empty_line() -> None:
    assert describe(MemoryError()) == "MemoryError"
    assert describe(ValueError("two\nlines")) == "ValueError: two lines"
    assert describe(TaskFailed(7, ZeroDivisionError("division by zero"))) == (
        "task 7 failed: ZeroDivisionError: division by zero"
    )
