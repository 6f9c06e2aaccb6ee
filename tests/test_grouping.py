"""Duplicate and story decisions on plain records (gigawatch/dedupe/grouping.py): no
warehouse, each test runs in milliseconds. The same decisions through DuckDB, and rebuild
equal to incremental folding, are in tests/test_dedupe_fixtures.py."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from gigawatch.dedupe import DedupeConfig, compute, stories
from gigawatch.dedupe.grouping import (
    Assignment,
    Batch,
    Grouping,
    Known,
    StoryHistory,
    assign_stories,
    group_duplicates,
    regroups,
    stories_to_date,
)

CONFIG = DedupeConfig()
DAY = datetime(2025, 10, 6, 12, tzinfo=UTC)
_rng = random.Random(11)
VOCAB = [f"word{i}" for i in range(3000)]


def text(n: int = 300) -> str:
    return " ".join(_rng.choice(VOCAB) for _ in range(n))


def edited(original: str, every: int = 80) -> str:
    """A light rewrite: one word in ``every`` replaced."""
    ws = original.split()
    return " ".join("edited" if i % every == 0 else w for i, w in enumerate(ws))


def batch(*articles: tuple[int, datetime, str]) -> Batch:
    """A batch of (article_id, seen, text), given in first-seen order."""
    return Batch(
        ids=[a[0] for a in articles],
        seen=[a[1] for a in articles],
        titles=[None] * len(articles),
        sig=compute([a[2] for a in articles], CONFIG),
    )


def known(seen: datetime, body: str, duplicate_of: int | None, story: int) -> Known:
    sig = compute([body], CONFIG)
    return Known(seen, int(sig.text_hash[0]), sig.minhash[0], duplicate_of, story)


def everyone(b: Batch, history: dict[int, Known] | None = None) -> dict[int, set[int]]:
    """Every other article as a candidate (the warehouse narrows them by hash and bucket)."""
    ids = set(b.ids) | set(history or {})
    return {aid: ids - {aid} for aid in b.ids}


def no_stories(b: Batch, grouping: Grouping, history: dict[int, Known]) -> Assignment:
    """Stories of a batch whose articles have no tags (copies join their original's)."""
    originals = [a for a in b.ids if a not in grouping.duplicate_of]
    feats = {a: stories.features(a, b.seen[b.ids.index(a)], None) for a in originals}
    start = {k.story_id: (k.seen_at, k.story_id) for k in history.values()}
    return assign_stories(b, grouping, history, feats, {}, StoryHistory(), start, CONFIG)


def test_an_exact_copy_points_to_the_first_seen_article():
    body = text()
    b = batch((1, DAY, body), (2, DAY + timedelta(hours=3), body.upper().replace(" ", ", ")))
    g = group_duplicates(b, everyone(b), {}, CONFIG)
    assert g.duplicate_of == {2: 1}
    assert (g.method, g.similarity, g.absorbed) == ({2: "exact"}, {2: 1.0}, {})
    assert no_stories(b, g, {}).story_of == {1: 1, 2: 1}


def test_a_near_copy_is_folded_and_a_copy_of_a_copy_points_to_the_first():
    body = text()
    b = batch(
        (1, DAY, body),
        (2, DAY + timedelta(hours=1), edited(body)),
        (3, DAY + timedelta(hours=2), edited(edited(body), 97)),
    )
    g = group_duplicates(b, everyone(b), {}, CONFIG)
    assert g.duplicate_of == {2: 1, 3: 1}
    assert g.method == {2: "near", 3: "near"}
    assert all(CONFIG.near_dup_threshold <= s < 1 for s in g.similarity.values())


def test_different_texts_and_stubs_stay_apart():
    stub = "Subscribe to read the full article."
    b = batch((1, DAY, text()), (2, DAY, text()), (3, DAY, stub), (4, DAY, stub))
    g = group_duplicates(b, everyone(b), {}, CONFIG)
    assert g.duplicate_of == {}  # stubs are too short to be folded, even when equal


def test_a_backfilled_original_absorbs_its_group():
    # history: 10 (day 2) is the first-seen article of a group with its copy 11 (day 3),
    # story 10; the backfill brings 5, published on day 1 with the same text
    body = text()
    history = {
        10: known(DAY + timedelta(days=2), body, None, 10),
        11: known(DAY + timedelta(days=3), edited(body), 10, 10),
    }
    b = batch((5, DAY + timedelta(days=1), body))
    g = group_duplicates(b, everyone(b, history), history, CONFIG)
    assert g.duplicate_of == {}  # the backfill is the original now
    assert g.absorbed == {5: [10]}
    assert stories_to_date(g, history, StoryHistory()) == {10}
    a = no_stories(b, g, history)
    assert a.story_of == {5: 5}  # the group's story is re-labelled after its first article
    assert a.relabel == {10: 5} and a.current(10) == 5
    moves = regroups(b, g, history, a)
    assert [(m.old, m.new, m.story) for m in moves] == [(10, 5, 5)]
    assert moves[0].new_hash == int(b.sig.text_hash[0])


def test_a_backfilled_copy_brings_a_later_group_into_its_own():
    # 1 (day 0) and 10 (day 5) told the same text in two groups the history never linked;
    # 5 (day 2), a copy matching both, joins 1's group and takes 10's group with it
    body = text()
    history = {
        1: known(DAY, body, None, 1),
        10: known(DAY + timedelta(days=5), edited(body), None, 10),
    }
    b = batch((5, DAY + timedelta(days=2), edited(body, 97)))
    g = group_duplicates(b, {5: {1, 10}}, history, CONFIG)
    assert g.duplicate_of == {5: 1}
    assert g.absorbed == {5: [10]}
    a = no_stories(b, g, history)
    assert [(m.old, m.new, m.story) for m in regroups(b, g, history, a)] == [(10, 1, 1)]


def _deal(aid: int, seen: datetime, facts: list[tuple[str, float, float | None]]):
    mentions = [("org", "Microsoft", 5), ("org", "OpenAI", 4), ("place", "Texas", 1)]
    return stories.features(aid, seen, "Microsoft and OpenAI agree a deal", mentions, facts)


def test_a_story_is_relabelled_when_an_earlier_article_joins_it():
    # story 20 began on day 5; article 7 of the batch tells the same event on day 4
    later = _deal(20, DAY + timedelta(days=5), [("power", 1.0, None)])
    earlier = _deal(7, DAY + timedelta(days=4), [("power", 1.0, None)])
    b = batch((7, earlier.seen_at, text()))
    g = group_duplicates(b, {}, {}, CONFIG)
    history = StoryHistory(candidates={7: {20}}, features={20: later}, story_of={20: 20})
    assert stories_to_date(g, {}, history) == {20}
    a = assign_stories(b, g, {}, {7: earlier}, {7: stories.keys(earlier)}, history,
                       {20: (later.seen_at, 20)}, CONFIG)  # fmt: skip
    assert a.story_of == {7: 7}
    assert a.relabel == {20: 7}
    assert a.score[7] >= CONFIG.story_threshold
    assert (a.started, a.joined) == (0, 1)


def test_the_same_companies_in_another_deal_weeks_later_are_another_story():
    first = _deal(1, DAY, [("power", 1.0, None)])
    again = _deal(2, DAY + timedelta(days=1), [("power", 1.0, None)])
    other = _deal(3, DAY + timedelta(days=21), [("money", 1.0e10, 1.0e10)])
    b = batch((1, first.seen_at, text()), (2, again.seen_at, text()), (3, other.seen_at, text()))
    g = group_duplicates(b, everyone(b), {}, CONFIG)
    assert g.duplicate_of == {}  # three different texts
    feats = {1: first, 2: again, 3: other}
    keys = {aid: stories.keys(f) for aid, f in feats.items()}
    assert set(keys[1]) & set(keys[3])  # the same top organisations: the index offers the pair
    a = assign_stories(b, g, {}, feats, keys, StoryHistory(), {}, CONFIG)
    assert a.story_of == {1: 1, 2: 1, 3: 3}
    assert (a.started, a.joined) == (2, 1)


def test_copies_join_the_story_of_their_original_and_inputs_are_left_alone():
    body = text()
    history = {1: known(DAY, body, None, 1)}
    b = batch((2, DAY + timedelta(hours=5), body))
    g = group_duplicates(b, everyone(b, history), history, CONFIG)
    assert g.duplicate_of == {2: 1}
    start = {1: (DAY, 1)}
    a = assign_stories(b, g, history, {}, {}, StoryHistory(), start, CONFIG)
    assert a.story_of == {2: 1} and a.relabel == {}
    assert start == {1: (DAY, 1)}
