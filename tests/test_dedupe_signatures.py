"""Text hashes, MinHash signatures (equal to datasketch's), LSH buckets and configuration."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import MinHash

from gigawatch.dedupe import (
    DedupeConfig,
    band_keys,
    compute,
    load_config,
    shingle_hashes,
    signature,
    similarity,
    text_hash,
    words,
)

CONFIG = DedupeConfig()
VOCAB = [f"w{i}" for i in range(5000)]


def _text(rng: random.Random, n: int = 400) -> str:
    return " ".join(rng.choices(VOCAB, k=n))


def _jaccard(a: str, b: str, k: int = 3) -> float:
    sa = {tuple(words(a)[i : i + k]) for i in range(len(words(a)) - k + 1)}
    sb = {tuple(words(b)[i : i + k]) for i in range(len(words(b)) - k + 1)}
    return len(sa & sb) / len(sa | sb)


def test_words_fold_case_accents_punctuation_and_width():
    assert words("Données: l'ÉTÉ, 6 GW!") == ["donnees", "l", "ete", "6", "gw"]
    assert words("Ｆｕｌｌ width") == ["full", "width"]
    assert text_hash("Hello,  World!") == text_hash("hello world")
    assert text_hash("hello world") != text_hash("world hello")


def test_signatures_are_datasketch_minhash():
    rng = random.Random(1)
    for text in (_text(rng), "a b", "one", _text(rng, 31)):
        ws = words(text)
        m = MinHash(num_perm=CONFIG.num_perm, seed=CONFIG.seed, hashfunc=int)
        m.update_batch(shingle_hashes(ws, CONFIG.shingle_words).tolist())
        assert np.array_equal(signature(text, CONFIG), m.hashvalues)


def test_batch_signatures_equal_one_by_one():
    rng = random.Random(2)
    texts = [_text(rng, rng.randint(30, 700)) for _ in range(50)] + ["", "too short"]
    sig = compute(texts, CONFIG)
    for i, text in enumerate(texts[:50]):
        assert np.array_equal(sig.minhash[i], signature(text, CONFIG))
    assert sig.eligible.tolist() == [True] * 50 + [False, False]
    assert sig.buckets.shape == (52, CONFIG.bands)
    assert np.array_equal(band_keys(sig.minhash[:1], CONFIG), sig.buckets[:1])


def test_similarity_estimates_jaccard():
    rng = random.Random(3)
    base = _text(rng, 500)
    ws = base.split()
    for n_edits in (5, 15, 40, 120):
        edited = list(ws)
        for i in rng.sample(range(len(ws)), n_edits):
            edited[i] = "edit"
        other = " ".join(edited)
        est = similarity(signature(base, CONFIG), signature(other, CONFIG))
        assert abs(est - _jaccard(base, other)) < 0.12, n_edits
    assert similarity(signature(base, CONFIG), signature(_text(rng, 500), CONFIG)) < 0.05


def test_copies_share_a_bucket_and_unrelated_texts_do_not():
    rng = random.Random(4)
    base = _text(rng, 400)
    repost = "Republished with permission. " + base + " Subscribe to our newsletter."
    other = _text(rng, 400)
    sig = compute([base, repost, other], CONFIG)
    assert np.any(sig.buckets[0] == sig.buckets[1])
    assert not np.any(sig.buckets[0] == sig.buckets[2])


def test_the_bundled_config_is_the_default():
    assert load_config() == DedupeConfig()
    assert CONFIG.rows * CONFIG.bands <= CONFIG.num_perm


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[near_duplicates]\nthreshhold = 0.8\n", "unknown key 'threshhold'"),
        ("[near_dupes]\nthreshold = 0.8\n", r"unknown table \[near_dupes\]"),
        ("[stories.weights]\norgs = 1\n", "unknown key 'orgs'"),
        ("[near_duplicates]\nthreshold = 1.5\n", "threshold must be in"),
        ("[near_duplicates]\nbands = 0\n", "bands must be in"),
    ],
)
def test_bad_config_names_the_key(tmp_path, toml, message):
    path = tmp_path / "dedupe.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_config(path)


def test_config_values_are_read(tmp_path):
    path = tmp_path / "dedupe.toml"
    path.write_text(
        "[near_duplicates]\nthreshold = 0.9\nnum_perm = 64\nbands = 16\n"
        "[stories]\nwindow_days = 3\nmax_span_days = 5\n[stories.weights]\ntitle = 0\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.near_dup_threshold, config.num_perm, config.bands, config.rows) == (
        0.9,
        64,
        16,
        4,
    )
    assert config.story_window_days == 3.0 and config.story_weights.title == 0.0
    assert config.signature_fingerprint() != DedupeConfig().signature_fingerprint()


def test_permutations_are_drawn_as_datasketch_draws_them():
    from gigawatch.dedupe.signatures import permutations

    for num_perm, seed in ((128, 1), (64, 7), (256, 123)):
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        mine = permutations(num_perm, seed)
        assert np.array_equal(np.asarray(a, dtype=np.uint32), mine[0])
        assert np.array_equal(np.asarray(b, dtype=np.uint32), mine[1])
