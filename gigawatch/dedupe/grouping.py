"""The decisions: which article is a copy of which original, and which story each one joins.

Plain records in, plain records out; ``warehouse/dedupe_store.py`` reads the records from the
warehouse, calls these functions and writes their verdicts back.

Duplicates (:func:`group_duplicates`): the articles of a batch, in first-seen order
(published_at, else fetched_at, then article_id), are compared with their candidates (same
text hash or a shared LSH bucket, in the history or earlier in the batch). An article is a
copy of the first-seen article of the group of its best match (exact text first, then the
highest similarity, then the earliest group), or an original. An article published before
the first-seen article of a group it matches (a backfill) takes that place: the group then
points to it (``Grouping.absorbed``), or, when that article is a copy itself, the group joins
its group.

Stories (:func:`assign_stories`): copies join their original's story; originals are scored
against the earlier originals sharing a story key within the window (``stories.score``) and
join the best story above the threshold (the earliest on a tie), or begin one. A story's id
is the article_id of its first article: it is re-labelled when an earlier article joins it
(``Assignment.relabel``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from gigawatch.dedupe.config import DedupeConfig
from gigawatch.dedupe.signatures import Signatures, similarity
from gigawatch.dedupe.stories import StoryFeatures, score

Order = tuple[datetime, int]  # (first seen, article_id): the first-seen order


@dataclass(frozen=True)
class Batch:
    """Articles to fold, in first-seen order, with their signatures (row i: article i)."""

    ids: list[int]
    seen: list[datetime]
    titles: list[str | None]
    sig: Signatures
    heads: list[str | None] | None = None  # the start of each text (its lead), when known

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Known:
    """A folded article of the history."""

    seen_at: datetime
    text_hash: int
    minhash: NDArray[np.uint32] | None  # None: too short to have a signature
    duplicate_of: int | None
    story_id: int


@dataclass(frozen=True)
class Grouping:
    """Duplicate verdicts of a batch."""

    duplicate_of: dict[int, int]  # copy -> first-seen article of its group
    method: dict[int, str]  # copy -> "exact" | "near" (relative to that article)
    similarity: dict[int, float]  # copy -> estimated Jaccard similarity to it
    # batch article -> the first-seen articles of the history groups it takes over (a
    # backfill), best match first
    absorbed: dict[int, list[int]] = field(default_factory=dict)

    def root(self, article_id: int) -> int:
        """First-seen article of the group of a batch article (itself if an original)."""
        return self.duplicate_of.get(article_id, article_id)


@dataclass(frozen=True)
class StoryHistory:
    """What the story index holds near a batch."""

    # batch original -> earlier history articles sharing a story key within the window
    candidates: dict[int, set[int]] = field(default_factory=dict)
    features: dict[int, StoryFeatures] = field(default_factory=dict)  # of those articles
    story_of: dict[int, int] = field(default_factory=dict)  # their current story


@dataclass(frozen=True)
class Assignment:
    """Story of each article of a batch."""

    story_of: dict[int, int]  # batch article -> story id (after re-labelling)
    score: dict[int, float]  # original that joined a story -> its score
    relabel: dict[int, int]  # story id -> its new id (an earlier article joined it)
    started: int  # stories begun by the batch

    @property
    def joined(self) -> int:
        """Originals that joined an existing story."""
        return len(self.score)

    def current(self, story: int) -> int:
        """The id a story of the history has now."""
        return self.relabel.get(story, story)


@dataclass(frozen=True)
class Regroup:
    """A history group taken over by the group of ``new``, published before it."""

    old: int  # the group's first-seen article until now
    new: int  # its new first-seen article
    new_hash: int
    new_minhash: NDArray[np.uint32] | None
    story: int  # the story the group now belongs to


class _Pool:
    """The batch and the history as one set of articles."""

    def __init__(self, batch: Batch, known: Mapping[int, Known]) -> None:
        self.batch = batch
        self.known = known
        self.pos = {aid: i for i, aid in enumerate(batch.ids)}
        self.order = {aid: (batch.seen[i], aid) for i, aid in enumerate(batch.ids)}

    def order_of(self, aid: int) -> Order:
        return self.order[aid] if aid in self.order else (self.known[aid].seen_at, aid)

    def hash_of(self, aid: int) -> int:
        if aid in self.pos:
            return int(self.batch.sig.text_hash[self.pos[aid]])
        return self.known[aid].text_hash

    def minhash_of(self, aid: int) -> NDArray[np.uint32] | None:
        if aid in self.pos:
            row: NDArray[np.uint32] = self.batch.sig.minhash[self.pos[aid]]
            return row
        return self.known[aid].minhash


def verdict(
    root_hash: int,
    root_minhash: NDArray[np.uint32] | None,
    text_hash: int,
    minhash: NDArray[np.uint32] | None,
) -> tuple[str, float] | None:
    """How a copy relates to the first-seen article of its group: ("exact", 1.0) for the same
    normalised text, else ("near", similarity); None when either has no signature."""
    if text_hash == root_hash:
        return "exact", 1.0
    if root_minhash is None or minhash is None:
        return None
    return "near", round(similarity(root_minhash, minhash), 4)


def group_duplicates(
    batch: Batch,
    candidates: Mapping[int, set[int]],
    known: Mapping[int, Known],
    config: DedupeConfig,
) -> Grouping:
    """Duplicate verdicts of ``batch`` (first-seen order).

    ``candidates``: batch article -> articles that may be copies of it or it of them (same
    text hash or a shared LSH bucket), in the history or the batch; ``known``: the history's
    candidates and the first-seen articles of their groups.
    """
    pool = _Pool(batch, known)
    ids = batch.ids
    eligible = batch.sig.eligible.tolist()
    moved: dict[int, int] = {}  # absorbed history group first-seen -> its group's new one
    root: dict[int, int] = {}  # batch article -> first-seen of its group (itself if original)

    def root_of(aid: int) -> int:
        r = root[aid] if aid in root else (known[aid].duplicate_of or aid)
        while r in moved:
            r = moved[r]
        return r

    def near(a: int, b: int) -> float:
        ma, mb = pool.minhash_of(a), pool.minhash_of(b)
        assert ma is not None and mb is not None  # matched by a bucket: both have one
        return similarity(ma, mb)

    # history groups whose first-seen article is later than a batch article matching them:
    # published before them (a backfill), it becomes their first-seen, or, when it is a copy
    # itself, they join its group; best match first
    absorbed: dict[int, list[int]] = {}
    for i, aid in enumerate(ids):
        root[aid] = aid
        if not eligible[i]:
            continue
        matched: dict[int, float] = {}  # group first-seen -> best similarity
        for other in candidates.get(aid, ()):
            if other in pool.pos and pool.order[other] >= pool.order[aid]:
                continue  # a later article of this batch: it will compare with this one
            if other not in pool.pos and other not in known:
                continue  # bucket rows without a verdict: cannot happen, tolerated
            if pool.hash_of(other) == pool.hash_of(aid):
                s = 1.0
            else:
                s = near(aid, other)
                if s < config.near_dup_threshold:
                    continue
            r = root_of(other)
            matched[r] = max(s, matched.get(r, 0.0))
        if not matched:
            continue
        ranked = sorted(matched, key=lambda r: (-matched[r], pool.order_of(r)))
        earlier = [r for r in ranked if pool.order_of(r) < pool.order[aid]]
        final = earlier[0] if earlier else aid
        root[aid] = final
        later = [r for r in ranked if pool.order_of(r) > pool.order[aid]]
        for r in later:
            moved[r] = final
        if later:
            absorbed[aid] = later
    duplicate_of = {aid: root_of(aid) for aid in ids if root_of(aid) != aid}

    # verdicts relative to the group's first-seen article
    method: dict[int, str] = {}
    sims: dict[int, float] = {}
    for aid, r in duplicate_of.items():
        if pool.hash_of(aid) == pool.hash_of(r):
            method[aid], sims[aid] = "exact", 1.0
        else:
            method[aid], sims[aid] = "near", round(near(aid, r), 4)
    return Grouping(duplicate_of, method, sims, absorbed)


def stories_to_date(
    grouping: Grouping, known: Mapping[int, Known], history: StoryHistory
) -> set[int]:
    """The history stories whose first article :func:`assign_stories` needs the date of."""
    needed = set(history.story_of.values())
    needed |= {known[groups[0]].story_id for groups in grouping.absorbed.values()}
    needed |= {known[r].story_id for r in grouping.duplicate_of.values() if r in known}
    return needed


def assign_stories(
    batch: Batch,
    grouping: Grouping,
    known: Mapping[int, Known],
    features: Mapping[int, StoryFeatures],
    keys: Mapping[int, Sequence[str]],
    history: StoryHistory,
    story_start: Mapping[int, Order],
    config: DedupeConfig,
) -> Assignment:
    """Story of each article of ``batch`` (first-seen order).

    ``features`` and ``keys``: of the batch's originals (``stories.features``,
    ``stories.keys``); ``known``: the history articles of ``grouping``; ``story_start``: the
    (first seen, article_id) of the first article of each story of
    :func:`stories_to_date`.
    """
    ids = batch.ids
    duplicate_of, absorbed = grouping.duplicate_of, grouping.absorbed
    window = timedelta(days=config.story_window_days)
    span = timedelta(days=config.story_max_span_days)
    pos = {aid: i for i, aid in enumerate(ids)}
    story_of = dict(history.story_of)
    start = dict(story_start)
    relabel: dict[int, int] = {}

    def current(story: int) -> int:
        while story in relabel:
            story = relabel[story]
        return story

    def join(aid: int, story: int) -> int:
        story = current(story)
        mine = (batch.seen[pos[aid]], aid)
        if story in start and mine < start[story]:
            relabel[story] = aid
            start[aid] = mine
            return aid
        return story

    by_key: dict[str, list[int]] = {}  # story keys of the batch's originals so far
    scores: dict[int, float] = {}
    started = 0
    for aid in ids:
        if aid in duplicate_of:
            r = duplicate_of[aid]
            base = story_of[r] if r in pos else known[r].story_id
            story_of[aid] = join(aid, base)
            continue
        if aid in absorbed:  # a backfilled first-seen article takes over its group's story
            story_of[aid] = join(aid, known[absorbed[aid][0]].story_id)
            continue
        f = features[aid]
        best: tuple[tuple[float, Order], int, float] | None = None
        others = set(history.candidates.get(aid, ()))
        for key in keys.get(aid, ()):
            others.update(by_key.get(key, ()))
        for other in others:
            of = history.features.get(other) or features.get(other)
            if of is None or abs(of.seen_at - f.seen_at) > window:
                continue
            story = current(story_of[other])
            first = start.get(story)
            if first is not None and abs(f.seen_at - first[0]) > span:
                continue
            s = score(f, of, config)
            if s < config.story_threshold:
                continue
            rank = (-s, first or (of.seen_at, story))  # best score, then the earliest story
            if best is None or rank < best[0]:
                best = (rank, story, s)
        if best is None:
            story_of[aid] = aid
            start[aid] = (f.seen_at, aid)
            started += 1
        else:
            story_of[aid] = join(aid, best[1])
            scores[aid] = best[2]
        for key in keys.get(aid, ()):
            by_key.setdefault(key, []).append(aid)
    return Assignment(
        story_of={aid: current(story_of[aid]) for aid in ids},
        score=scores,
        relabel={old: current(old) for old in relabel},
        started=started,
    )


def regroups(
    batch: Batch, grouping: Grouping, known: Mapping[int, Known], assignment: Assignment
) -> list[Regroup]:
    """The history groups the batch's backfilled articles take over, in order."""
    pool = _Pool(batch, known)
    out = []
    for aid, groups in grouping.absorbed.items():
        final = grouping.root(aid)
        if final in pool.pos:
            story = assignment.story_of[final]
        else:
            story = assignment.current(known[final].story_id)
        for old in groups:
            out.append(Regroup(old, final, pool.hash_of(final), pool.minhash_of(final), story))
    return out
