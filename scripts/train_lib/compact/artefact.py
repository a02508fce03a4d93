"""models/gem-compact.bin: the compact model as the C++ core reads it (core/src/compact.cpp). Little-endian.

  offset  size
       0     4  magic "GEMC"
       4     4  u32 format version (1)
       8     4  u32 vocab_size: SentencePiece pieces; piece features are 0 .. vocab_size-1
      12     4  u32 pair_buckets: hashed pair features are vocab_size .. vocab_size+pair_buckets-1
      16     4  u32 hash_seed
      20     4  u32 index of the product question in the intent labels
      24    16  u32 label count per head (intent, product, aspect, lang; label order of gem-nlu.json)
      40    16  f32 "sure" threshold per head (highest probability at or above it)
      56    32  sha256 fingerprint of the inputs (scripts/train-compact --check)
      88        per head: f32 bias[labels], f32 scale[labels], i8 weight[features][labels]
"""

import struct

import numpy as np

MAGIC = b"GEMC"
FORMAT = 1
HEADER = struct.Struct("<4sIIIII4I4f32s")


def write(qheads, hyper, product_question, thresholds, fingerprint_hex):
    counts = [len(b) for _, _, b in qheads]
    out = [HEADER.pack(MAGIC, FORMAT, hyper["vocab_size"], hyper["pair_buckets"], hyper["hash_seed"],
                       product_question, *counts, *thresholds, bytes.fromhex(fingerprint_hex))]
    for q, scale, b in qheads:
        out += [b.astype("<f4").tobytes(), scale.astype("<f4").tobytes(), np.ascontiguousarray(q, np.int8).tobytes()]
    return b"".join(out)


def read_header(blob):
    """The header fields as a dict, or None if `blob` is not a compact model of this format."""
    if len(blob) < HEADER.size:
        return None
    f = HEADER.unpack_from(blob)
    if f[0] != MAGIC or f[1] != FORMAT:
        return None
    return {"vocab_size": f[2], "pair_buckets": f[3], "hash_seed": f[4], "product_question": f[5],
            "labels": list(f[6:10]), "thresholds": list(f[10:14]), "fingerprint": f[14].hex()}
