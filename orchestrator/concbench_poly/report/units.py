"""How figures are written for people: one rule for significant digits, one memory unit (MiB).

Shared by the decision guide and the exporters so the same median never reads "12.9" in one place
and "12.94" in another.
"""

from __future__ import annotations

from concbench_poly.config import MIB

KIB = 1024
DASH = "\N{EN DASH}"


def decimals(value: float) -> int:
    """Digits after the point for about three significant figures: 212, 12.9, 1.23, 0.123."""
    magnitude = abs(value)
    if magnitude >= 100 or magnitude == 0:
        return 0
    if magnitude >= 10:
        return 1
    if magnitude >= 1:
        return 2
    if magnitude >= 0.1:
        return 3
    if magnitude >= 0.01:
        return 4
    return 5


def number(value: float, places: int | None = None) -> str:
    text = f"{value:.{decimals(value) if places is None else places}f}"
    # "-0" would read as a measured negative value.
    return "0" if text.strip("-0.") == "" else text


def span(median: float, lo: float, hi: float, places: int | None = None) -> str:
    """'15.1 (14.8-16.1)' with an en dash; the extremes get the median's precision so the three line up.

    Just the median when min and max print the same.
    """
    places = decimals(median) if places is None else places
    texts = number(median, places), number(lo, places), number(hi, places)
    if texts[1] == texts[2]:
        # No visible spread: repeating the median twice would only add noise.
        return texts[0]
    return f"{texts[0]} ({texts[1]}{DASH}{texts[2]})"


def ms(value: float) -> str:
    return f"{number(value)} ms"


def seconds(value: float) -> str:
    return f"{number(value)} s"


def mib(value_bytes: float) -> str:
    return f"{number(value_bytes / MIB)} MiB"


def size(value_bytes: float) -> str:
    """Bytes, KiB or MiB, whichever keeps the number readable (per-task figures span all three)."""
    magnitude = abs(value_bytes)
    if magnitude >= MIB:
        return mib(value_bytes)
    if magnitude >= KIB:
        return f"{number(value_bytes / KIB)} KiB"
    return f"{number(value_bytes)} B"
