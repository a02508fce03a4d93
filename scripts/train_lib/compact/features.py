"""Features of the compact model: SentencePiece ids and hashed pairs of neighbouring ids.

The C++ core computes exactly the same (core/src/compact.cpp, `pair_bucket`): keep both in step. A pair is
(previous, current) over the ids with a start mark (vocab_size) before the first and an end mark
(vocab_size + 1) after the last; its bucket is murmur3's 32-bit finaliser of (previous * 0x9E3779B1) ^ current
^ seed, modulo the bucket count. Feature f < vocab_size is a piece, vocab_size + b is pair bucket b; a feature
counts as often as it occurs.
"""

M32 = 0xFFFFFFFF


def fmix32(x):
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & M32
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & M32
    x ^= x >> 16
    return x


def pair_bucket(prev, cur, seed, buckets):
    return fmix32((((prev * 0x9E3779B1) & M32) ^ cur ^ seed) & M32) % buckets


def features(ids, vocab_size, buckets, seed):
    """Feature indices of one message (with repeats), in [0, vocab_size + buckets)."""
    marked = [vocab_size] + list(ids) + [vocab_size + 1]
    return list(ids) + [vocab_size + pair_bucket(a, b, seed, buckets) for a, b in zip(marked, marked[1:])]
