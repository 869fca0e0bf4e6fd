import pytest

from concbench_poly.config import MIB, Limits, parse_cpuset, parse_memory, parse_task_counts
from concbench_poly.contract import contract
from concbench_poly.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512m", 512 * MIB),
        ("4g", 4096 * MIB),
        ("1.5GiB", 1536 * MIB),
        ("67108864", 67108864),
        ("64M", 64 * MIB),
    ],
)
def test_parse_memory_accepts_docker_style_sizes(text: str, expected: int) -> None:
    assert parse_memory(text) == expected


@pytest.mark.parametrize("text", ["abc", "", "-5m", "1x", "1m"])
def test_parse_memory_rejects_bad_or_tiny_sizes_naming_the_option(text: str) -> None:
    with pytest.raises(UsageError, match="--memory"):
        parse_memory(text)


@pytest.mark.parametrize(("text", "expected"), [("0", [0]), ("0-1", [0, 1]), ("3,0-1", [0, 1, 3])])
def test_parse_cpuset(text: str, expected: list[int]) -> None:
    assert parse_cpuset(text) == expected


@pytest.mark.parametrize("text", ["", "a", "2-1", "-1", "0,,1"])
def test_parse_cpuset_rejects_bad_lists(text: str) -> None:
    with pytest.raises(UsageError, match="--cpuset"):
        parse_cpuset(text)


def test_parse_task_counts_accepts_scientific_notation() -> None:
    assert parse_task_counts("1000, 1e4,100000") == [1000, 10000, 100000]


@pytest.mark.parametrize("text", ["0", "10,abc", "1.5", "-3"])
def test_parse_task_counts_rejects_non_counts(text: str) -> None:
    with pytest.raises(UsageError, match="--tasks"):
        parse_task_counts(text)


def test_limits_nano_cpus_is_quota_in_billionths() -> None:
    assert Limits(cpus=1.5).nano_cpus == 1_500_000_000


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (("python",), "expected LANG=VERSION"),
        (("python=",), "expected LANG=VERSION"),
        (("cobol=1",), "cobol"),
        (("python=2.7",), "python=2.7 is not a runtime"),
        (("node=20",), "does not run"),
    ],
)
def test_bad_runtimes_are_refused_naming_them(texts: tuple[str, ...], message: str) -> None:
    from concbench_poly.config import parse_runtimes

    with pytest.raises(UsageError, match=message):
        parse_runtimes(texts, ("python",))


def test_runtimes_keep_their_order_once() -> None:
    from concbench_poly.config import parse_runtimes

    default = contract().runner("python").default_runtime
    assert parse_runtimes((f"python={default}", f"python={default}"), ("python",)) == (("python", default),)
