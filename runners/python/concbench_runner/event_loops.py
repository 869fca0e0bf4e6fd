"""uvloop: the one module from outside the standard library the runner may use (the uvloop approach).

It is installed in the images of the GIL runtimes only (runners/README.md, "Python runtimes"): uvloop
declares no support for running without the GIL, so importing it into a free-threaded interpreter
would turn the GIL back on. The approach is refused with a usage error where it cannot run, before
anything is measured; no other approach ever imports it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import asyncio

UVLOOP = "uvloop"


def gil_disabled() -> bool:
    """True on a free-threaded interpreter running without the GIL (sys._is_gil_enabled, 3.13+)."""
    is_gil_enabled: Callable[[], bool] | None = getattr(sys, "_is_gil_enabled", None)
    return is_gil_enabled is not None and not is_gil_enabled()


def uvloop_unavailable() -> str | None:
    """Why the uvloop approach cannot run in this interpreter, or None when it can (uvloop is then imported)."""
    if gil_disabled():
        return "uvloop needs the GIL, and this free-threaded Python runs without it (importing uvloop would enable it)"
    try:
        importlib.import_module(UVLOOP)
    except ImportError as exc:
        return f"uvloop is not installed in this Python {sys.version.split()[0]} ({type(exc).__name__}: {exc})"
    return None


def uvloop_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop.new_event_loop, for asyncio.Runner(loop_factory=...)."""
    module = importlib.import_module(UVLOOP)
    return cast("Callable[[], asyncio.AbstractEventLoop]", module.new_event_loop)


def uvloop_version() -> str | None:
    """uvloop.__version__ once it is imported; None otherwise."""
    module = sys.modules.get(UVLOOP)
    version = getattr(module, "__version__", None)
    return version if isinstance(version, str) else None
