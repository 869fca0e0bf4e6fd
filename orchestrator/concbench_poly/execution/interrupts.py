"""SIGINT, SIGTERM and SIGHUP: the first stops the invocation cleanly, a second forces it out.

The first signal raises KeyboardInterrupt wherever the main thread is, as Ctrl-C does, so every
cleanup path (remove the container, kill the process group, remove the cgroups, finalise run.json)
runs for all three. A second signal while that cleanup runs does not wait for it: it calls the
registered force hooks (SIGKILL the runner, write run.json) and exits at once, so a runner never
outlives the tool. The CLI installs the handlers; executors and the suite register their hooks.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_hooks: list[Callable[[], None]] = []
_received: list[int] = []


def interruption(which: int = 0) -> str:
    """How the invocation was stopped, for messages: 'Ctrl-C', 'SIGTERM' (which=-1: the latest signal)."""
    if not _received or _received[which] == signal.SIGINT:
        return "Ctrl-C"
    return signal.Signals(_received[which]).name


def exit_code() -> int:
    """128 + the first signal, as a shell reports a process a signal ended (130 for Ctrl-C)."""
    return 128 + (_received[0] if _received else signal.SIGINT)


@contextmanager
def on_force(hook: Callable[[], None]) -> Iterator[None]:
    """Run `hook` if a second signal forces the invocation out while this block runs."""
    _hooks.append(hook)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            _hooks.remove(hook)


def _handle(number: int, _frame: FrameType | None) -> None:
    _received.append(number)
    if len(_received) == 1:
        raise KeyboardInterrupt
    for hook in reversed(_hooks):
        with contextlib.suppress(Exception):
            hook()
    os._exit(exit_code())


@contextmanager
def handling() -> Iterator[None]:
    """Install the handlers for the duration of a command (main thread only), then restore them."""
    _received.clear()
    previous = {number: signal.signal(number, _handle) for number in HANDLED}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
