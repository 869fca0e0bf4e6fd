"""Task inputs and the cpu-loop hash: payload_i, and 32-bit FNV-1a in plain Python.

payload_i is `size` bytes with byte j = (i + j) % 256: the cpu workload repeats and sha256-hashes it,
the cpu-loop and mixed workloads hash it with FNV-1a (schema/fnv1a_vectors.json has the algorithm, its
known answers and per-task vectors). Nothing beyond the builtins and array: a mixed or cpu-loop run
has no use for hashlib.
"""

from __future__ import annotations

from array import array

BYTE_VALUES = bytes(range(256))
FNV1A32_OFFSET = 0x811C9DC5
FNV1A32_PRIME = 0x01000193
UINT32_MASK = 0xFFFFFFFF
# Unsigned, at least 32 bits (4 bytes with CPython on Linux): one slot per cpu-loop or mixed task's hash.
HASH_TYPECODE = "I"


def base_payload(index: int, size: int) -> bytes:
    """payload_i: `size` bytes, byte j = (index + j) % 256."""
    rotation = index % 256
    cycle = BYTE_VALUES[rotation:] + BYTE_VALUES[:rotation]
    return (cycle * (size // 256 + 1))[:size]


def fnv1a32(data: bytes) -> int:
    """32-bit FNV-1a: h = offset; for each byte b: h = ((h XOR b) * prime) mod 2^32.

    A plain for loop over the bytes, in the interpreter: the point of the cpu-loop workload is work
    that runs in the language's own code and holds the GIL (sha256 runs in C and releases it).
    """
    h = FNV1A32_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV1A32_PRIME) & UINT32_MASK
    return h


def loop_task_hash(index: int, loop_bytes: int) -> int:
    """The work of cpu-loop task i (and of mixed task i after its wait): build payload_i, FNV-1a it."""
    return fnv1a32(base_payload(index, loop_bytes))


def zeroed_hashes(tasks: int) -> array[int]:
    """N zeroed hash slots in one allocation (no object per task), allocated before the window: every
    task keeps its hash, as the Go and Node runners do."""
    return array(HASH_TYPECODE, [0]) * tasks


def hex32(value: int) -> str:
    """A 32-bit hash as 8 lowercase hex digits: the `checksum` of cpu-loop and mixed documents."""
    return f"{value:08x}"
