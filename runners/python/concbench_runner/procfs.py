"""Reads of /proc/self (and of a child's /proc/PID) that the memory and thread measurements need."""

from __future__ import annotations

from pathlib import Path

SELF_STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")
# Writing "5" to clear_refs resets the peak resident set size (VmHWM) to the current RSS.
RESET_PEAK_RSS = b"5"


def read_status(path: Path = SELF_STATUS) -> dict[str, str]:
    """Fields of a /proc/PID/status file as {name: value}; empty when it cannot be read."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, separator, value = line.partition(":")
        if separator:
            fields[name] = value.strip()
    return fields


def field_bytes(fields: dict[str, str], name: str) -> int | None:
    """A "1234 kB" field in bytes, or None when it is absent or malformed."""
    parts = fields.get(name, "").split()
    if not parts or not parts[0].isdigit():
        return None
    scale = 1024 if len(parts) > 1 and parts[1].lower() == "kb" else 1
    return int(parts[0]) * scale


def field_int(fields: dict[str, str], name: str) -> int | None:
    """A plain integer field (e.g. Threads), or None."""
    value = fields.get(name, "")
    return int(value) if value.isdigit() else None


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM; True when the kernel accepted it."""
    try:
        with CLEAR_REFS.open("wb", buffering=0) as handle:
            handle.write(RESET_PEAK_RSS)
    except OSError:
        return False
    return True


def thread_count() -> int | None:
    """OS threads of this process (Threads: in /proc/self/status)."""
    return field_int(read_status(), "Threads")


def peak_rss_bytes(path: Path = SELF_STATUS) -> int | None:
    """VmHWM of a process: its peak resident set size since start or since the last reset."""
    return field_bytes(read_status(path), "VmHWM")
