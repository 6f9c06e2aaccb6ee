"""Duplicates and stories, as pure code: no database, no I/O but reading ``dedupe.toml``.

- ``config``: :class:`DedupeConfig`, :class:`StoryWeights`, :func:`load_config`;
- ``text``: :func:`words`, :func:`text_hash` (exact duplicates);
- ``signatures``: MinHash signatures and LSH bucket keys (near duplicates);
- ``stories``: an article's story features, index keys and the score of two articles;
- ``grouping``: the decisions: which article of a batch is a copy of which original (and how
  a backfilled original takes over its group), and which story each article joins.

Storage (temporary tables, candidate and history queries, appends) is in
``warehouse/dedupe_store.py``, which calls ``grouping``. The public names are re-exported here.
"""

from gigawatch.dedupe.config import DEFAULT_CONFIG, DedupeConfig, StoryWeights, load_config
from gigawatch.dedupe.signatures import (
    Signatures,
    band_keys,
    compute,
    compute_chunk,
    hex_keys,
    minhash_many,
    permutations,
    shingle_hashes,
    signature,
    similarity,
)
from gigawatch.dedupe.text import text_hash, words

__all__ = [
    "DEFAULT_CONFIG",
    "DedupeConfig",
    "Signatures",
    "StoryWeights",
    "band_keys",
    "compute",
    "compute_chunk",
    "hex_keys",
    "load_config",
    "minhash_many",
    "permutations",
    "shingle_hashes",
    "signature",
    "similarity",
    "text_hash",
    "words",
]
