"""Reads of /proc that the memory, thread, swap and failure measurements need.

Every reader returns None where a file is missing, unreadable or malformed; none raises.
"""

from __future__ import annotations

from pathlib import Path

SELF_STATUS = Path("/proc/self/status")
SELF_MAPS = Path("/proc/self/maps")
CLEAR_REFS = Path("/proc/self/clear_refs")
VMSTAT = Path("/proc/vmstat")
PID_MAX = Path("/proc/sys/kernel/pid_max")
THREADS_MAX = Path("/proc/sys/kernel/threads-max")
MAX_MAP_COUNT = Path("/proc/sys/vm/max_map_count")
# Writing "5" to clear_refs resets the peak resident set size (VmHWM) to the current RSS.
RESET_PEAK_RSS = b"5"
# /proc/self/maps is read in chunks of this size: its lines are counted without holding the whole text,
# which at a thread-start failure can be ~65,000 lines.
READ_CHUNK_BYTES = 64 * 1024


def read_status(path: Path = SELF_STATUS) -> dict[str, str]:
    """Fields of a /proc/PID/status file as {name: value}; empty when it cannot be read."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except (OSError, MemoryError):
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


def peak_rss(hwm_after: int | None, baseline_rss: int | None, rss_after: int | None) -> int:
    """memory.peak_rss_bytes: VmHWM read after the window, never below the exact VmRSS readings (the
    baseline, and the VmRSS read with that VmHWM). None counts as unread.

    The kernel keeps VmHWM from its approximate (per-CPU batched) RSS counter while VmRSS is exact, so
    right after the clear_refs reset VmHWM can read a few dozen pages below the baseline VmRSS; the true
    peak is at least every exact reading (Go's peakRSS, Node's the same).
    """
    return max(hwm_after or 0, baseline_rss or 0, rss_after or 0)


def count_lines(path: Path = SELF_MAPS) -> int | None:
    """Lines of a file (for /proc/self/maps: the process's memory mappings), counted chunk by chunk."""
    lines = 0
    try:
        with path.open("rb", buffering=0) as handle:
            while chunk := handle.read(READ_CHUNK_BYTES):
                lines += chunk.count(b"\n")
    except (OSError, MemoryError):
        return None
    return lines


def read_integer_file(path: Path) -> int | None:
    """A file holding one non-negative integer (/proc/sys/kernel/pid_max...), or None."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except (OSError, MemoryError):
        return None
    return int(text) if text.isdigit() else None


def swap_pages(path: Path = VMSTAT) -> tuple[int | None, int | None]:
    """Pages swapped in and out on the whole machine so far (/proc/vmstat pswpin, pswpout)."""
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except (OSError, MemoryError):
        return None, None
    counters: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in ("pswpin", "pswpout") and value.strip().isdigit():
            counters[name] = int(value)
    return counters.get("pswpin"), counters.get("pswpout")
