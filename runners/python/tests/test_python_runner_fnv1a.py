"""cpu-loop's hash reproduces schema/fnv1a_vectors.json exactly, through the runner's own payload and hash code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from python_runner_harness import SCHEMA_DIR

from concbench_runner.payload import HASH_TYPECODE, base_payload, fnv1a32, hex32, loop_task_hash, zeroed_hashes

VECTOR_FILE: dict[str, Any] = json.loads((SCHEMA_DIR / "fnv1a_vectors.json").read_text())
KNOWN_ANSWERS: list[dict[str, str]] = VECTOR_FILE["known_answers"]
VECTORS: list[dict[str, Any]] = VECTOR_FILE["vectors"]


def vector_id(case: dict[str, Any]) -> str:
    return f"i{case['index']}-L{case['loop_bytes']}"


def test_vectors_are_present() -> None:
    assert len(KNOWN_ANSWERS) >= 3
    assert len(VECTORS) >= 5


@pytest.mark.parametrize("case", KNOWN_ANSWERS, ids=[repr(case["ascii"]) for case in KNOWN_ANSWERS])
def test_known_answers(case: dict[str, str]) -> None:
    assert hex32(fnv1a32(case["ascii"].encode("ascii"))) == case["hex"]


@pytest.mark.parametrize("case", VECTORS, ids=[vector_id(case) for case in VECTORS])
def test_task_vectors(case: dict[str, Any]) -> None:
    """The path a cpu-loop or mixed task takes: payload_i of loop_bytes, hashed, as 8 hex digits."""
    assert hex32(loop_task_hash(case["index"], case["loop_bytes"])) == case["hex"]


@pytest.mark.parametrize(("index", "size"), [(0, 1), (1, 256), (255, 1000), (123456, 4097), (7, 0)])
def test_payload_bytes_are_index_plus_position_mod_256(index: int, size: int) -> None:
    assert base_payload(index, size) == bytes((index + j) % 256 for j in range(size))


def test_hash_is_32_bit() -> None:
    assert 0 <= fnv1a32(bytes(range(256)) * 8) <= 0xFFFFFFFF
    assert hex32(0) == "00000000"
    assert hex32(0xABCDEF) == "00abcdef"


def test_hash_slots_hold_any_32_bit_hash() -> None:
    hashes = zeroed_hashes(3)
    assert hashes.typecode == HASH_TYPECODE
    assert hashes.itemsize >= 4
    assert list(hashes) == [0, 0, 0]
    hashes[2] = 0xFFFFFFFF
    assert hashes[2] == 0xFFFFFFFF
