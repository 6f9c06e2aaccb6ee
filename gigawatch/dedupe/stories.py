"""Which articles tell the same event, in any language: features, index keys and a score.

Pure functions over an article's tags (``tag_mentions``, ``tag_facts``), title and lead (what
its title and first paragraph name, ``lead.py``); which story an article joins is decided in
``grouping.py``, storage and lookups are in ``warehouse/dedupe_store.py``.

Features, each with a salience in (0, 1]:

- ``o:<organisation>``, ``c:<accelerator>``, ``p:<place>``: 1 when the lead names it, else
  mentions over the most mentioned of the same kind in the article (at least 2), so the
  companies an article is about weigh more than those it names in passing; the organisation
  and accelerator named most count as named by the lead;
- ``f:<kind>:<value>``: figures (not repeated), the value in GW, USD (``amount_usd``), % or
  shares, rounded to two significant digits, so "6 GW", "six gigawatts" and "sechs Gigawatt"
  are one feature; salience 1 in the lead, ``BACKGROUND_FIGURE`` after it (a report states the
  event's own numbers first and the related deals it recalls later); without a known lead,
  ``1 / (1 + rank)`` in order of appearance;
- title words (4 letters or more, or numbers): same-language tellings share them.

Score of two articles (weights in ``gigawatch/defaults/dedupe.toml``, ``[stories.weights]``)::

    sum over shared features of  weight(kind) x min(salience in a, salience in b)
  + title x Jaccard(title words)
  - conflict                       if both state figures and share none
  then x (1 - time_decay x days apart / window_days)

and 0 unless

- the two share at least ``min_shared`` strong features (organisations and accelerators of
  salience >= 0.2 in both, figures): an article that shares only a company name with another
  is not the same story, however prominent the company;
- their leads agree (:func:`lead_agreement`): both leads name ``lead_shared`` of the same
  features (a figure counts twice, places only beside something else), or, when a lead names
  fewer (a local angle that opens on a town, a quote), all of them, and each article names at
  least ``lead_coverage`` of the other's lead (:func:`coverage`); leads one feature short of
  that agree when each article names ``lead_short_coverage`` of the other's lead (a local
  angle naming the venture but not its partners up front). Retellings that open with
  another angle still name the event's companies and figures up front; three deals of one
  buyer that recall each other's gigawatts, or a summit and a plan announced at it, share a
  buyer and figures but not what their leads are about.

Two deals by the same two companies are told apart by their figures (the conflict term) and,
a month apart, by the window.

Index keys: stable 64-bit hashes of the pairs of an article's top strong features (three
organisations, two accelerators, the first two figures: those of the lead first); two
articles that share two strong features among their top ones share a key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import combinations

from gigawatch.dedupe.config import DedupeConfig, StoryWeights
from gigawatch.dedupe.text import words
from gigawatch.kinds import FACT_KINDS

MIN_TITLE_WORD = 4
STRONG = 0.2  # salience in both articles for an organisation or accelerator to count as strong
TOP = {"o": 3, "c": 2, "f": 2}  # strong features of each kind used in index keys
TOP_MIN = {"o": STRONG, "c": STRONG, "f": 0.0}  # and their minimum salience
BACKGROUND_FIGURE = 0.5  # salience of a figure outside the lead (when the lead is known)


@dataclass(frozen=True)
class Lead:
    """What an article's title and first paragraph name (``gigawatch/dedupe/lead.py``)."""

    mentions: frozenset[str] = frozenset()  # feature names: o:<org>, c:<chip>, p:<place>
    figures: int = 0  # how many of its first figures (repeats left out) are in the lead


@dataclass(frozen=True)
class StoryFeatures:
    article_id: int
    seen_at: datetime
    weights: dict[str, float]  # feature -> salience
    title_words: frozenset[str]
    lead: frozenset[str] | None = None  # features named in the lead; None: not known

    def encode(self) -> tuple[str, str, str | None]:
        """(features as JSON, title words separated by spaces, lead features as a JSON
        list or NULL), as stored."""
        lead = None if self.lead is None else json.dumps(sorted(self.lead), ensure_ascii=False)
        return (
            json.dumps(self.weights, sort_keys=True, ensure_ascii=False),
            " ".join(sorted(self.title_words)),
            lead,
        )

    @classmethod
    def decode(
        cls, article_id: int, seen_at: datetime, weights: str, title: str, lead: str | None
    ) -> StoryFeatures:
        return cls(article_id, seen_at, json.loads(weights), frozenset(title.split()),
                   None if lead is None else frozenset(json.loads(lead)))  # fmt: skip


def figure(kind: str, value: float | None, amount_usd: float | None = None) -> str | None:
    """Canonical figure feature, e.g. ``f:power:6``, ``f:money:3.8e+10``."""
    v = amount_usd if kind == "money" else value
    if v is None or v <= 0 or kind not in FACT_KINDS:
        return None
    return f"f:{kind}:{float(f'{v:.2g}'):g}"


def _salience(counts: dict[str, int], prefix: str) -> dict[str, float]:
    if not counts:
        return {}
    top = max(max(counts.values()), 2)
    return {f"{prefix}:{name}": min(count / top, 1.0) for name, count in counts.items()}


def features(
    article_id: int,
    seen_at: datetime,
    title: str | None,
    mentions: Iterable[tuple[str, str, int]] = (),
    facts: Iterable[tuple[str, float | None, float | None]] = (),
    lead: Lead | None = None,
) -> StoryFeatures:
    """Features of one article.

    ``mentions``: (kind, name, count) with kind org | chip | place (others are ignored);
    ``facts``: (kind, value, amount_usd) in order of appearance, repeated ones left out;
    ``lead``: what its title and first paragraph name, when known: those features get the
    full salience, and figures outside it ``BACKGROUND_FIGURE`` (else figures are ranked by
    order of appearance).
    """
    by_kind: dict[str, dict[str, int]] = {"org": {}, "chip": {}, "place": {}}
    for kind, name, count in mentions:
        if kind in by_kind and count > 0:
            by_kind[kind][name] = by_kind[kind].get(name, 0) + count
    weights = _salience(by_kind["org"], "o")
    weights |= _salience(by_kind["chip"], "c")
    weights |= _salience(by_kind["place"], "p")
    in_lead: set[str] = set()
    if lead is not None:
        # what the lead names, and the organisation and accelerator named most (the subject
        # of an article whose first paragraph opens on a town or a quote)
        in_lead = {name for name in lead.mentions if name in weights}
        in_lead |= {name for name, w in weights.items() if w >= 1.0 and name[0] in "oc"}
        for name in in_lead:
            weights[name] = 1.0
    rank = 0
    for i, (kind, value, usd) in enumerate(facts):
        key = figure(kind, value, usd)
        if not key:
            continue
        if lead is not None and i < lead.figures:
            in_lead.add(key)
            weights[key] = 1.0
        elif key not in weights:
            weights[key] = BACKGROUND_FIGURE if lead is not None else 1.0 / (1 + rank)
            rank += 1
    title_words = {w for w in words(title or "") if len(w) >= MIN_TITLE_WORD or w.isdigit()}
    return StoryFeatures(article_id, seen_at, weights, frozenset(title_words),
                         None if lead is None else frozenset(in_lead))  # fmt: skip


@lru_cache(maxsize=200_000)
def _key(pair: str) -> str:
    return hashlib.blake2b(pair.encode(), digest_size=8).hexdigest()


def top_features(f: StoryFeatures) -> list[str]:
    """The features used in index keys: the most salient strong ones of each kind; figures
    of equal salience in order of appearance (``features`` adds them in that order), so the
    figures after the lead give the article's first ones, not the most common values."""
    ranked = sorted(
        (name[0], -w, f"{i:06d}" if name[0] == "f" else name, name)
        for i, (name, w) in enumerate(f.weights.items())
        if name[0] in TOP and w >= TOP_MIN[name[0]]
    )
    out: list[str] = []
    taken = dict.fromkeys(TOP, 0)
    for prefix, _w, _order, name in ranked:
        if taken[prefix] < TOP[prefix]:
            taken[prefix] += 1
            out.append(name)
    return out


def keys(f: StoryFeatures) -> list[str]:
    """Index keys of an article: hashes (16 hex digits, an unsigned 64-bit integer in SQL)
    of the pairs of its top features."""
    top = sorted(top_features(f))
    return sorted({_key(f"{a}|{b}") for a, b in combinations(top, 2)})


def _strong(name: str, wa: float, wb: float) -> bool:
    return name[0] == "f" or (name[0] in "oc" and min(wa, wb) >= STRONG)


def score(
    a: StoryFeatures,
    b: StoryFeatures,
    config: DedupeConfig | None = None,
) -> float:
    """Evidence that ``a`` and ``b`` tell the same event (0 when too little is shared)."""
    config = config or DedupeConfig()
    w: StoryWeights = config.story_weights
    kind_weight = {"o": w.org, "c": w.chip, "f": w.figure, "p": w.place}
    total = 0.0
    strong = 0
    shared_figures = 0
    # in sorted order: a float sum over a set's order would depend on PYTHONHASHSEED
    for name in sorted(a.weights.keys() & b.weights.keys()):
        wa, wb = a.weights[name], b.weights[name]
        total += kind_weight[name[0]] * min(wa, wb)
        strong += _strong(name, wa, wb)
        shared_figures += name[0] == "f"
    if strong < config.story_min_shared:
        return 0.0
    if a.lead is not None and b.lead is not None:
        want = config.story_lead_shared
        need, got = lead_agreement(a.lead, b.lead, want)
        if got >= need:
            floor = config.story_lead_coverage if need < want else 0.0
        elif got == need - 1 and got > 0:
            floor = config.story_lead_short_coverage
        else:
            return 0.0
        if floor and min(coverage(a, b.lead), coverage(b, a.lead)) < floor:
            return 0.0
    has_a = any(n[0] == "f" for n in a.weights)
    has_b = any(n[0] == "f" for n in b.weights)
    if has_a and has_b and not shared_figures:
        total -= w.conflict
    union = a.title_words | b.title_words
    if union:
        total += w.title * len(a.title_words & b.title_words) / len(union)
    days = abs((a.seen_at - b.seen_at).total_seconds()) / 86400
    decay = 1 - config.story_time_decay * min(days / config.story_window_days, 1.0)
    return round(max(total, 0.0) * decay, 4)


def coverage(f: StoryFeatures, lead: frozenset[str]) -> float:
    """How much of a lead's organisations, accelerators and figures ``f`` names (the mean of
    their saliences in ``f``; 1 for a lead without any)."""
    named = [n for n in lead if n[0] in "ocf"]
    if not named:
        return 1.0
    return sum(min(f.weights.get(n, 0.0), 1.0) for n in sorted(named)) / len(named)


def lead_agreement(a: frozenset[str], b: frozenset[str], want: int = 2) -> tuple[int, int]:
    """(features both leads must share, what they share): ``want`` (``lead_shared``), or
    fewer when a lead names fewer; a figure counts twice (the same 6 GW or €200 billion in
    both leads is strong evidence), places only beside an organisation, accelerator or
    figure."""
    need = min(want, len(a), len(b))
    shared = a & b
    if not any(n[0] != "p" for n in shared):
        return need, 0
    return need, sum(2 if n[0] == "f" else 1 for n in shared)
