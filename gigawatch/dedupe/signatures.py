"""Same text and near-duplicate text: normalised-text hashes, MinHash signatures, LSH bands.

Pure functions over text (words and ``text_hash`` in ``text.py``); storage and lookups are in
``warehouse/dedupe_store.py``.

Words are the text's ``\\w+`` runs after NFKC normalisation, case folding and accent
stripping, so "Données" and "donnees" are one word and punctuation, spacing and case never
make two copies differ:

- **exact duplicates** share ``text_hash``, the first 8 bytes of sha1 over the words;
- **near duplicates** (reposts with other boilerplate, lightly edited copies) have word
  ``shingle_words``-grams with a Jaccard similarity of at least ``near_dup_threshold``,
  estimated by MinHash and found through LSH bands.

The MinHash is datasketch's ``MinHash`` (scheme ``affine32``: MurmurHash3 finalizer, then
``a * h + b`` modulo 2**32 with the permutations datasketch draws from ``seed``), computed for
many documents at once with numpy instead of one ``update_batch`` call per document; the
shingle hashes fed to it are 32-bit mixes of 64-bit word hashes, themselves computed with
numpy over the UTF-8 bytes of many texts at once (a polynomial hash per word, see
``_word_hashes``). ``tests/test_dedupe_signatures.py`` checks the signatures are equal to
datasketch's own.
Texts shorter than ``min_words`` words get no signature and are never folded by text (page
stubs such as "subscribe to read" would otherwise all be one article).

LSH: the signature is cut into ``bands`` bands of ``rows = num_perm // bands`` values; two
articles sharing any band are candidates, verified on the whole signature. With the defaults
(128 permutations, 20 bands of 6 rows) a pair at Jaccard 0.8 becomes a candidate with
probability 0.998, a pair at 0.5 with 0.27 and at 0.2 with 0.001.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from gigawatch.dedupe.config import DedupeConfig
from gigawatch.dedupe.text import words

_SHINGLE_MUL = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio constant, odd
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64 finaliser
_MIX2 = np.uint64(0x94D049BB133111EB)
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35),
           np.uint32(16))  # fmt: skip
_PERM_BLOCK = 1 << 20  # (permutations x shingles) values computed at once: fits a cache

_POLY = 0x100000001B3  # odd, so invertible modulo 2**64
_POLY_INV = pow(_POLY, -1, 1 << 64)
_POWERS: dict[str, np.ndarray] = {}
_WORD_CHUNK = 1 << 21  # bytes of text whose word hashes are computed at once


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """POLY**i and POLY**-i modulo 2**64 for i < n (cached, grown by doubling)."""
    have = _POWERS.get("up")
    if have is None or len(have) < n:
        size = max(n, 2 * len(have) if have is not None else 1 << 16)
        with np.errstate(over="ignore"):
            up = np.cumprod(np.full(size, _POLY, dtype=np.uint64))
            down = np.cumprod(np.full(size, _POLY_INV, dtype=np.uint64))
        _POWERS["up"] = np.concatenate([[np.uint64(1)], up[:-1]])
        _POWERS["down"] = np.concatenate([[np.uint64(1)], down[:-1]])
    return _POWERS["up"], _POWERS["down"]


def _word_hashes(joined: str) -> np.ndarray:
    """64-bit hashes of the space-separated words of ``joined``, in order (vectorised).

    A word's hash is the splitmix of sum((byte + 1) * POLY**j) over its UTF-8 bytes, computed
    for all words at once from prefix positions (POLY**-start undoes the offset).
    """
    buf = np.frombuffer(joined.encode(), dtype=np.uint8)
    if not len(buf):
        return np.zeros(0, dtype=np.uint64)
    space = buf == 32
    starts = np.flatnonzero(~space & np.concatenate(([True], space[:-1])))
    up, down = _powers(len(buf))
    with np.errstate(over="ignore"):
        values = (buf.astype(np.uint64) + np.uint64(1)) * up[: len(buf)]
        values[space] = 0
        sums = np.add.reduceat(values, starts)
        return _splitmix(sums * down[starts])


def _splitmix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    out: np.ndarray = x ^ (x >> np.uint64(31))
    return out


def shingle_hashes(ws: Sequence[str], size: int) -> np.ndarray:
    """32-bit hashes of the word ``size``-grams of one text (one per position)."""
    flat = _word_hashes(" ".join(ws))
    return _shingles(flat, np.array([len(ws)], dtype=np.int64), size)[0]


def _shingles(flat: np.ndarray, lengths: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of many texts from their concatenated word hashes (``flat``) and word
    counts, concatenated, and the start offset of each text's shingles.

    A text with fewer words than ``size`` has one shingle (all its words); an empty text none.
    """
    total = int(lengths.sum())
    n_sh = np.where(lengths >= size, lengths - size + 1, np.minimum(lengths, 1))
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(n_sh[:-1], out=starts[1:])
    if total == 0:
        return np.zeros(0, dtype=np.uint32), starts
    # combine the words of each window over the flat array; windows that cross into the next
    # text are dropped, short texts get one window padded with zero hashes
    padded = np.concatenate([flat, np.zeros(size, dtype=np.uint64)])
    word_start = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=word_start[1:])
    with np.errstate(over="ignore"):
        acc = padded[:total].copy()
        for i in range(1, size):
            acc = acc * _SHINGLE_MUL + padded[i : total + i]
        mixed = _splitmix(acc)
        # a text shorter than a shingle: its one window, zero-padded, not reading the next text
        for d in np.flatnonzero((lengths < size) & (lengths > 0)).tolist():
            s, n = int(word_start[d]), int(lengths[d])
            window = np.concatenate([flat[s : s + n], np.zeros(size - n, dtype=np.uint64)])
            a = window[:1].copy()
            for i in range(1, size):
                a = a * _SHINGLE_MUL + window[i : i + 1]
            mixed[s] = _splitmix(a)[0]
    doc_of = np.repeat(np.arange(len(lengths)), n_sh)
    offset = np.arange(int(n_sh.sum()), dtype=np.int64) - np.repeat(starts, n_sh)
    positions = word_start[doc_of] + offset
    return (mixed[positions] >> np.uint64(32)).astype(np.uint32), starts


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for ``affine32``, drawn as datasketch's
    ``MinHash._init_permutations`` draws them (an odd ``a`` and a ``b`` below 2**32 from
    ``numpy.random.RandomState(seed)``), without importing datasketch, which pulls in scipy
    (0.6-0.8 s in a fresh process, paid by its first batch); tests/test_dedupe_signatures.py
    checks the signatures against datasketch's own."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    out: np.ndarray = h ^ (h >> s3)
    return out


def minhash_many(hashes: np.ndarray, starts: np.ndarray, config: DedupeConfig) -> np.ndarray:
    """MinHash signatures (n_texts x num_perm, uint32) of concatenated shingle hashes.

    Every text must have at least one shingle.
    """
    a, b = permutations(config.num_perm, config.seed)
    n = len(starts)
    out = np.empty((n, config.num_perm), dtype=np.uint32)
    if n == 0:
        return out
    ends = np.append(starts[1:], len(hashes))
    hv = _fmix32(hashes.astype(np.uint32, copy=False))
    # texts in groups whose (permutations x shingles) block stays under _PERM_BLOCK values
    lo = 0
    while lo < n:
        hi = lo + 1
        budget = max(_PERM_BLOCK // config.num_perm, 1)
        while hi < n and ends[hi] - starts[lo] <= budget:
            hi += 1
        block = np.multiply.outer(a, hv[starts[lo] : ends[hi - 1]])  # uint32: modulo 2**32
        block += b[:, None]
        out[lo:hi] = np.minimum.reduceat(block, starts[lo:hi] - starts[lo], axis=1).T
        lo = hi
    return out


def band_keys(sigs: np.ndarray, config: DedupeConfig) -> np.ndarray:
    """One unsigned 64-bit bucket key per LSH band (n_texts x bands); the band number is
    kept in its own column, so equal keys in different bands never meet."""
    rows = config.rows
    n = sigs.shape[0]
    part = sigs[:, : config.bands * rows].reshape(n, config.bands, rows).astype(np.uint64)
    with np.errstate(over="ignore"):
        acc = np.full((n, config.bands), 0x243F6A8885A308D3, dtype=np.uint64)
        for r in range(rows):
            acc = _splitmix(acc ^ part[:, :, r])
    return acc


def hex_keys(keys: np.ndarray) -> str:
    """Unsigned 64-bit keys as one string of 16 hex digits each (big-endian), which SQL cuts
    back into UBIGINTs: one value per article to hand to DuckDB instead of one per key."""
    return keys.astype(">u8").tobytes().hex()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


@dataclass
class Signatures:
    """Text hashes and signatures of a list of texts, row i for text i."""

    text_hash: NDArray[np.int64]
    n_words: NDArray[np.int64]
    eligible: NDArray[np.bool_]  # at least min_words words (signature and buckets are valid)
    minhash: NDArray[np.uint32]  # n x num_perm; rows of ineligible texts are meaningless
    buckets: NDArray[np.uint64]  # n x bands

    @classmethod
    def zeros(cls, n: int, config: DedupeConfig) -> Signatures:
        """``n`` rows to fill in."""
        return cls(
            np.zeros(n, dtype=np.int64),
            np.zeros(n, dtype=np.int64),
            np.zeros(n, dtype=bool),
            np.zeros((n, config.num_perm), dtype=np.uint32),
            np.zeros((n, config.bands), dtype=np.uint64),
        )

    @classmethod
    def concat(cls, parts: Sequence[Signatures]) -> Signatures:
        """The rows of ``parts``, one after the other."""
        return cls(
            np.concatenate([p.text_hash for p in parts]),
            np.concatenate([p.n_words for p in parts]),
            np.concatenate([p.eligible for p in parts]),
            np.concatenate([p.minhash for p in parts]),
            np.concatenate([p.buckets for p in parts]),
        )

    def take(self, idx: np.ndarray | slice) -> Signatures:
        """The rows ``idx``."""
        return Signatures(self.text_hash[idx], self.n_words[idx], self.eligible[idx],
                          self.minhash[idx], self.buckets[idx])  # fmt: skip

    def put(self, idx: np.ndarray, rows: Signatures) -> None:
        """Set the rows ``idx`` to ``rows``."""
        self.text_hash[idx] = rows.text_hash
        self.n_words[idx] = rows.n_words
        self.eligible[idx] = rows.eligible
        self.minhash[idx] = rows.minhash
        self.buckets[idx] = rows.buckets


def compute(texts: Sequence[str | None], config: DedupeConfig) -> Signatures:
    """Hashes, MinHash signatures and LSH bucket keys of ``texts`` (vectorised)."""
    n = len(texts)
    joined: list[str] = []
    n_words = np.zeros(n, dtype=np.int64)
    hashes = np.zeros(n, dtype=np.int64)
    for i, text in enumerate(texts):
        ws = words(text or "")
        line = " ".join(ws)
        joined.append(line)
        n_words[i] = len(ws)
        hashes[i] = int.from_bytes(hashlib.sha1(line.encode()).digest()[:8], "big", signed=True)
    eligible = n_words >= config.min_words
    sigs = np.full((n, config.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    idx = np.flatnonzero(eligible)
    lo = 0
    while lo < len(idx):  # groups of texts of about _WORD_CHUNK bytes
        hi, size = lo, 0
        while hi < len(idx) and (hi == lo or size < _WORD_CHUNK):
            size += len(joined[idx[hi]]) + 1
            hi += 1
        group = idx[lo:hi]
        flat = _word_hashes(" ".join(joined[i] for i in group))
        shingles, starts = _shingles(flat, n_words[group], config.shingle_words)
        sigs[group] = minhash_many(shingles, starts, config)
        lo = hi
    return Signatures(hashes, n_words, eligible, sigs, band_keys(sigs, config))


def signature(text: str, config: DedupeConfig) -> np.ndarray:
    """MinHash signature of one text (``num_perm`` uint32 values), whatever its length."""
    ws = words(text or "")
    if not ws:
        return np.full(config.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    shingles = shingle_hashes(ws, config.shingle_words)
    out: np.ndarray = minhash_many(shingles, np.zeros(1, dtype=np.int64), config)[0]
    return out


def compute_chunk(args: tuple[list[str | None], DedupeConfig]) -> Signatures:
    """``compute`` for a process pool (one picklable argument)."""
    texts, config = args
    return compute(texts, config)
