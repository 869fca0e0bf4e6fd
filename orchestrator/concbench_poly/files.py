"""The one way files are written: atomically, so an interrupted run never leaves half a file, and
never a temporary one either, even when the disk is full or read-only."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

# What a storage fault is called in the one line the user gets.
STORAGE_ERRNOS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EIO: "input/output error",
}


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write via a temporary file in the same directory, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename in (None, str(tmp)):
            # Name the file that was being written (a failed write() names none), never the temporary one: it is gone.
            exc.filename = str(path)
        raise


def storage_fault(exc: OSError, under: Path) -> str:
    """'no space left on the device (ENOSPC) at results/x/raw/a.json' for an OSError of a write."""
    what = STORAGE_ERRNOS.get(exc.errno or 0, exc.strerror or str(exc))
    code = errno.errorcode.get(exc.errno or 0, "")
    where = exc.filename or under
    return f"{what}{f' ({code})' if code else ''} at {where}"
