"""Kafka's murmur2 and the default partitioner, checked against Kafka's own vectors."""

from __future__ import annotations

import pytest

from streams.web.partitioning import murmur2, partition_for

# The expected values of org.apache.kafka.common.utils.UtilsTest#testMurmur2.
KAFKA_VECTORS = [
    (b"21", -973932308),
    (b"foobar", -790332482),
    (b"a-little-bit-long-string", -985981536),
    (b"a-little-bit-longer-string", -1486304829),
    (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
    (b"abc", 479470107),
]


@pytest.mark.parametrize(("data", "expected"), KAFKA_VECTORS)
def test_murmur2_matches_the_java_client(data: bytes, expected: int) -> None:
    assert murmur2(data) == expected


def test_every_tail_length_and_the_empty_key_hash() -> None:
    hashes = {murmur2(b"x" * n) for n in range(9)}
    assert len(hashes) == 9  # 0..3 tail bytes over two block counts, all distinct
    assert all(-(2**31) <= h < 2**31 for h in hashes)


def test_partition_drops_the_sign_bit_like_to_positive() -> None:
    # murmur2("21") is negative: Kafka masks with 0x7fffffff instead of abs().
    assert partition_for(b"21", 6) == (-973932308 & 0x7FFFFFFF) % 6
    assert all(0 <= partition_for(str(i).encode(), 7) < 7 for i in range(200))


def test_a_topic_without_partitions_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one partition"):
        partition_for(b"k", 0)
