"""Tag an article: language, mentions of organisations, accelerators, topics and places, facts
(power, energy, money, stakes, share counts) with their sentence and attribution, relevance.

One Aho–Corasick automaton holds every alias, keyword, exclude phrase and quantity trigger,
lowercased (plus an accent-free variant), and scans the lowercased title and text once. Each hit
is then checked for word boundaries and, for case-sensitive aliases, for its exact case;
overlapping hits are resolved leftmost-longest within three groups (organisations and places,
accelerators, topics), so "Nvidia H100" counts both Nvidia and the H100 while "Texas
Instruments" never counts Texas. Quantity regexes run only around trigger hits (a unit, a
currency, a scale word, a percent sign), see :mod:`gigawatch.quantities`.

Facts come from the body text (``span`` indexes ``text``); mentions and relevance use the title
too. A fact's ``orgs`` are the organisations named in its sentence, in order of appearance.
``repeated`` marks a fact equal (kind, value, unit, currency) to an earlier one in the same
article, so sums per article can skip restatements.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick

from gigawatch import __version__
from gigawatch import language as langmod
from gigawatch.candidates import DEAL, NAME, Candidate, CandidateFinder, load_candidates
from gigawatch.quantities import (
    TRIGGERS,
    TRIGGERS_CS,
    find_quantities,
    load_fx,
    sentence_span,
)
from gigawatch.relevance import score
from gigawatch.taxonomy import LANGUAGES, Taxonomy, load_taxonomy

KINDS = ("org", "chip", "topic", "place")
TAGGER = f"gigawatch {__version__}"  # stored with each article's tags (article_tags.tagger)
_GROUP = {"org": 0, "place": 0, "chip": 1, "topic": 2}
_TRIGGER = -1
# what may precede a short case-sensitive alias (the text is matched with a leading "\n")
# a hit: (start, end, group, entry id, ambiguous) — plain tuples, made once per match
_Hit = tuple[int, int, int, int, bool]


class _Cand(NamedTuple):
    """What one automaton key can be: an alias, exclude phrase or trigger, and its checks."""

    group: int
    entry_id: int
    exact: str | None  # the case-sensitive form to compare with, None when case-insensitive
    lb: bool  # needs a word boundary on the left
    rb: bool  # ... and on the right
    length: int
    is_exclude: bool
    ambiguous: bool
    langs: frozenset[str] | None  # the languages it counts in, None for every language


_BEFORE_SHORT = " \n\t\u00a0(\"'“‘«[/-–—"


@dataclass(slots=True)
class Mention:
    kind: str  # org | chip | topic | place
    name: str  # canonical name
    count: int

    def __reduce__(self) -> tuple[type[Mention], tuple[str, str, int]]:
        # as a tuple: a slots dataclass pickles its state field by field in Python, and a
        # batch's tags go between processes (pool, Dask workers): bench/bench_results.py
        return (Mention, (self.kind, self.name, self.count))


@dataclass(slots=True)
class Fact:
    kind: str  # power | energy | money | stake | shares
    value: float
    unit: str | None
    currency: str | None
    amount_usd: float | None
    qualifier: str | None  # up_to | more_than | about | range | None
    sentence: str
    span: tuple[int, int]  # character offsets in the article text
    orgs: list[str]
    low: float | None = None  # lower bound of a range
    repeated: bool = False

    def __reduce__(self) -> tuple[type[Fact], tuple[Any, ...]]:  # as Mention.__reduce__
        return (Fact, (self.kind, self.value, self.unit, self.currency, self.amount_usd,
                       self.qualifier, self.sentence, self.span, self.orgs, self.low,
                       self.repeated))  # fmt: skip


@dataclass
class ArticleTags:
    language: str
    mentions: list[Mention]
    facts: list[Fact]
    relevance: float
    relevant: bool = False
    taxonomy_version: str = ""
    taxonomy_digest: str = ""  # sha1 of the taxonomy file's bytes
    tagger: str = TAGGER
    # names the taxonomy does not know, in deal sentences of relevant articles (candidates.py)
    candidates: list[Candidate] = field(default_factory=list)

    def names(self, kind: str) -> dict[str, int]:
        """{canonical name: count} for one kind of mention."""
        return {m.name: m.count for m in self.mentions if m.kind == kind}


def _fold(s: str) -> str:
    """Strip accents without changing the length (é -> e; ß, ø unchanged)."""
    out = []
    for c in s:
        if ord(c) < 128:
            out.append(c)
            continue
        base = unicodedata.normalize("NFD", c)[0]
        out.append(base if len(base) == 1 else c)
    return "".join(out)


def _lower(s: str) -> str:
    low = s.lower()
    if len(low) == len(s):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


class Tagger:
    """Reusable tagger for one taxonomy; picklable (rebuilds its automaton on unpickling)."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        fx: dict[str, float] | None = None,
        relevance_threshold: float | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.fx = {k.upper(): float(v) for k, v in (fx if fx is not None else load_fx()).items()}
        self.threshold = (
            taxonomy.relevance.threshold if relevance_threshold is None else relevance_threshold
        )
        self._build()

    def __getstate__(self) -> dict[str, Any]:
        return {"taxonomy": self.taxonomy, "fx": self.fx, "threshold": self.threshold}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.taxonomy, self.fx, self.threshold = state["taxonomy"], state["fx"], state["threshold"]
        self._build()

    # ------------------------------------------------------------------------------ building

    def _build(self) -> None:
        tax = self.taxonomy
        rel = tax.relevance
        # entries[i] = (kind, name, relevance weight)
        self._entries: list[tuple[str, str, float]] = []
        # one automaton over the lowercased text; case-sensitive aliases are checked against the
        # original text after a hit (one automaton pass costs ~20 ns per character)
        keys: dict[str, list[_Cand]] = {}

        def add(entry_id: int, group: int, alias: str, exact: bool, is_exclude: bool,
                ambiguous: bool, langs: frozenset[str] | None, plural: bool) -> None:  # fmt: skip
            left_wild, right_wild = alias.startswith("*"), alias.endswith("*")
            core = alias.strip("*")
            if not core:
                return
            forms = [core]
            if plural and core[-1].isalnum():
                forms.append(core + "s")
            for form in forms:
                lb = not left_wild and form[0].isalnum() and (group != _TRIGGER or exact)
                rb = not right_wild and form[-1].isalnum()
                cand = _Cand(group, entry_id, form if exact else None, lb, rb, len(form),
                             is_exclude, ambiguous, langs)  # fmt: skip
                low = _lower(form)
                variants = {low} if exact else {low, _fold(low)}
                for v in list(variants):
                    if "'" in v:
                        variants.add(v.replace("'", "’"))
                    if "’" in v:
                        variants.add(v.replace("’", "'"))
                if exact and lb and len(form) <= 4:
                    # short case-sensitive keys ("US", "EU", "Rs") would hit inside every
                    # "plus" or "neue": key them with the character before them instead
                    variants = {p + v for v in variants for p in _BEFORE_SHORT}
                for v in variants:
                    bucket = keys.setdefault(v, [])
                    if cand not in bucket:
                        bucket.append(cand)

        def add_entry(kind: str, entry: Any, weight: float,
                      langs_of: Callable[[str], frozenset[str] | None] | None = None,
                      ) -> None:  # fmt: skip
            entry_id = len(self._entries)
            self._entries.append((kind, entry.name, weight))
            group = _GROUP[kind]
            cs, amb = set(entry.case_sensitive), set(entry.ambiguous)
            for alias in entry.aliases:
                langs = langs_of(alias) if langs_of else None
                add(entry_id, group, alias, alias in cs, False, alias in amb, langs,
                    kind == "chip")  # fmt: skip
            for phrase in entry.exclude:
                add(entry_id, group, phrase, False, True, False, None, False)

        for org in tax.organisations:
            add_entry("org", org, rel.org_kinds.get(org.kind, 0.0))
        for chip in tax.accelerators:
            add_entry("chip", chip, rel.chip)
        for topic in tax.topics:
            add_entry("topic", topic, topic.weight)
        for place in tax.places:
            everywhere = {
                place.name,
                *(a for a in place.aliases if not any(a in place.names[lg] for lg in LANGUAGES)),
            }

            def langs_of(
                alias: str, place: Any = place, everywhere: set[str] = everywhere
            ) -> frozenset[str] | None:
                if alias in everywhere:
                    return None
                return frozenset(lg for lg in LANGUAGES if alias in place.names[lg])

            add_entry("place", place, rel.place, langs_of)
        for t in TRIGGERS:
            add(-1, _TRIGGER, t, False, False, False, None, False)
        for t in TRIGGERS_CS:
            add(-1, _TRIGGER, t, True, False, False, None, False)
        # deal and name words of the organisation candidates (gigawatch/candidates.py)
        finder = CandidateFinder(
            load_candidates(), (a for o in tax.organisations for a in o.aliases)
        )
        for w, deal_langs in finder.deal_words().items():
            add(0, DEAL, w, False, False, False, deal_langs, False)
        for entry, w, name_langs in finder.name_words():
            add(entry, NAME, w, True, False, False, name_langs, False)
        self._candidates = finder

        automaton = ahocorasick.Automaton()
        for key, cands in keys.items():
            # plain tuples in the automaton: unpacking a tuple subclass (the NamedTuple) in the
            # hot loop of tag() takes Python's slow path, about twice the cost
            automaton.add_word(key, tuple(tuple(c) for c in cands))
        automaton.make_automaton()
        self._automaton = automaton
        self._fact_weights = rel.facts

    # ------------------------------------------------------------------------------ tagging

    def tag(self, title: str, text: str, language: str | None = None) -> ArticleTags:
        title = title or ""
        text = text or ""
        lang = langmod.normalise(language) or langmod.detect(title, text)
        match_lang = lang if lang in LANGUAGES else None
        full = f"\n{title}\n{text}"  # every alias is preceded by a character
        offset = len(full) - len(text)
        low = _lower(full)
        n = len(full)

        hits: list[_Hit] = []
        triggers: list[tuple[int, int]] = []
        excludes: dict[int, list[tuple[int, int]]] = {}
        marks: list[tuple[int, int, int, int]] = []  # deal and name words, for candidates
        for end, cands in self._automaton.iter(low):
            for group, entry_id, exact, lb, rb, length, is_exclude, ambiguous, langs in cands:
                start = end - length + 1
                if lb and start and full[start - 1].isalnum():
                    continue
                if rb and end + 1 < n and full[end + 1].isalnum():
                    continue
                if exact is not None and full[start : end + 1] != exact:
                    continue
                if group == _TRIGGER:
                    if start >= offset:
                        triggers.append((start - offset, end + 1 - offset))
                    continue
                if langs is not None and match_lang is not None and match_lang not in langs:
                    continue
                if group < _TRIGGER:
                    if start >= offset:
                        marks.append((start - offset, end + 1 - offset, group, entry_id))
                    continue
                if is_exclude:
                    excludes.setdefault(entry_id, []).append((start, end + 1))
                else:
                    hits.append((start, end + 1, group, entry_id, ambiguous))

        kept = self._resolve(hits, excludes)
        entries = self._entries
        counts: dict[int, list[int]] = {}
        org_positions: list[tuple[int, str]] = []
        for start, _end, _group, entry_id, _amb in kept:
            c = counts.setdefault(entry_id, [0, 0])
            if start >= offset:
                c[0] += 1
                kind, name, _w = entries[entry_id]
                if kind == "org":
                    org_positions.append((start - offset, name))
            else:
                c[1] += 1

        mentions = [Mention(entries[i][0], entries[i][1], c[0] + c[1]) for i, c in counts.items()]
        mentions.sort(key=lambda m: (KINDS.index(m.kind), -m.count, m.name))

        facts = self._facts(text, lang, triggers, org_positions) if triggers else []
        fact_counts: dict[str, int] = {}
        for f in facts:
            if not f.repeated:
                fact_counts[f.kind] = fact_counts.get(f.kind, 0) + 1
        relevance = score(
            ((entries[i][2], c[0], c[1]) for i, c in counts.items()),
            fact_counts,
            self.taxonomy.relevance,
        )
        relevant = relevance >= self.threshold
        candidates = []
        if relevant and marks:  # spans the taxonomy matched (orgs, places, chips) are no names
            taken = [(h[0] - offset, h[1] - offset) for h in kept if h[2] < 2 and h[0] >= offset]
            candidates = self._candidates.find(text, marks, taken, triggers)
        return ArticleTags(
            language=lang,
            mentions=mentions,
            facts=facts,
            relevance=relevance,
            relevant=relevant,
            taxonomy_version=self.taxonomy.version,
            taxonomy_digest=self.taxonomy.digest,
            candidates=candidates,
        )

    def _resolve(self, hits: list[_Hit], excludes: dict[int, list[tuple[int, int]]]) -> list[_Hit]:
        """Drop excluded hits, keep the leftmost-longest per group, then drop ambiguous hits
        when nothing else in the article is named unambiguously."""
        if excludes:
            hits = [
                h for h in hits
                if not any(s < h[1] and h[0] < e for s, e in excludes.get(h[3], ()))
            ]  # fmt: skip
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        kept: list[_Hit] = []
        last_end = [-1, -1, -1]
        for h in hits:
            g = h[2]
            if h[0] >= last_end[g]:
                kept.append(h)
                last_end[g] = h[1]
        if any(h[4] for h in kept):
            entries = self._entries
            if not any(not h[4] and entries[h[3]][0] != "place" for h in kept):
                kept = [h for h in kept if not h[4]]
        return kept

    def _facts(self, text: str, lang: str | None, triggers: list[tuple[int, int]],
               org_positions: list[tuple[int, str]]) -> list[Fact]:  # fmt: skip
        quantities = find_quantities(text, lang, triggers)
        if not quantities:
            return []
        org_starts = [pos for pos, _name in org_positions]
        facts: list[Fact] = []
        seen: set[tuple[str, float, str | None, str | None]] = set()
        for q in quantities:
            s, e = sentence_span(text, q.start, q.end)
            sentence = " ".join(text[s:e].split())
            lo, hi = bisect_left(org_starts, s), bisect_left(org_starts, e)
            orgs = list(dict.fromkeys(name for _pos, name in org_positions[lo:hi]))
            amount_usd = None
            if q.kind == "money" and q.currency in self.fx:
                amount_usd = float(f"{q.value * self.fx[q.currency]:.12g}")
            key = (q.kind, q.value, q.unit, q.currency)
            facts.append(
                Fact(
                    kind=q.kind,
                    value=q.value,
                    unit=q.unit,
                    currency=q.currency,
                    amount_usd=amount_usd,
                    qualifier=q.qualifier,
                    sentence=sentence,
                    span=(q.start, q.end),
                    orgs=orgs,
                    low=q.low,
                    repeated=key in seen,
                )
            )
            seen.add(key)
        return facts


# ---------------------------------------------------------------------------------- workers

_worker: Tagger | None = None
_worker_config: dict[str, Any] = {}


def configure_worker(
    taxonomy_path: str | Path | None = None,
    fx_path: str | Path | None = None,
    relevance_threshold: float | None = None,
) -> None:
    """ProcessPoolExecutor initializer: which taxonomy the worker's tagger uses."""
    global _worker, _worker_config
    _worker = None
    _worker_config = {
        "taxonomy_path": taxonomy_path,
        "fx_path": fx_path,
        "relevance_threshold": relevance_threshold,
    }


def worker_taggers_taxonomy() -> str | None:
    """The taxonomy file this process's tagger is configured with (None: the bundled one)."""
    path = _worker_config.get("taxonomy_path")
    return str(path) if path else None


def worker_tagger() -> Tagger:
    """The process-wide tagger, built on first use."""
    global _worker
    if _worker is None:
        cfg = _worker_config
        fx = load_fx(cfg["fx_path"]) if cfg.get("fx_path") else None
        _worker = Tagger(
            load_taxonomy(cfg.get("taxonomy_path")),
            fx=fx,
            relevance_threshold=cfg.get("relevance_threshold"),
        )
    return _worker


def tag_batch(items: list[tuple[int, str, str, str | None]]) -> list[tuple[int, ArticleTags]]:
    """Tag (article_id, title, text, language) tuples with the process-wide tagger."""
    tagger = worker_tagger()
    return [(article_id, tagger.tag(title, text, lang)) for article_id, title, text, lang in items]
