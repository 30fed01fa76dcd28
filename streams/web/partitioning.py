"""Which partition a key lives on: Kafka's murmur2 partitioner, in Python.

Every casebridge producer (``streams.kafka.producer``, the DLQ replayer)
uses librdkafka's ``murmur2_random`` partitioner, which for a non-null key is
the Java client's default: ``(murmur2(key) & 0x7fffffff) % partitions``;
Faust's aiokafka producer does the same. Knowing that function lets the
audit reader fetch one case's records from a single partition per topic
instead of scanning them all. confluent-kafka exposes no murmur2 of its own,
so it is implemented here from the algorithm's definition (MurmurHash2,
32-bit, seed ``0x9747b28c``, as in ``org.apache.kafka.common.utils.Utils``).
"""

from __future__ import annotations

__all__ = ["murmur2", "partition_for"]

_SEED = 0x9747B28C
_M = 0x5BD1E995
_R = 24
_MASK32 = 0xFFFFFFFF


def _signed32(value: int) -> int:
    value &= _MASK32
    return value - (1 << 32) if value & 0x80000000 else value


def murmur2(data: bytes) -> int:
    """Kafka's 32-bit murmur2 hash of ``data``, as a signed int like Java's ``Utils.murmur2``.

    Java does this arithmetic in wrapping 32-bit ints; Python ints are
    unbounded, so every product is masked back to 32 bits, and the logical
    right shifts (``>>>``) operate on the unsigned value.
    """
    length = len(data)
    h = (_SEED ^ length) & _MASK32
    full = length - length % 4
    for i in range(0, full, 4):
        k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
        k = (k * _M) & _MASK32
        k ^= k >> _R
        k = (k * _M) & _MASK32
        h = (h * _M) & _MASK32
        h ^= k
    tail = length % 4
    # The Java switch falls through from case 3 to case 1.
    if tail == 3:
        h ^= data[full + 2] << 16
    if tail >= 2:
        h ^= data[full + 1] << 8
    if tail >= 1:
        h ^= data[full]
        h = (h * _M) & _MASK32
    h ^= h >> 13
    h = (h * _M) & _MASK32
    h ^= h >> 15
    return _signed32(h)


def partition_for(key: bytes, partitions: int) -> int:
    """The partition the default (murmur2) partitioner gives ``key`` among ``partitions``."""
    if partitions <= 0:
        raise ValueError(f"a topic has at least one partition, got {partitions}")
    # Kafka's Utils.toPositive: drop the sign bit rather than take abs().
    return (murmur2(key) & 0x7FFFFFFF) % partitions
