"""Which articles tell the same event: keys to find candidates, and a score to decide.

Pure functions over an article's tags. Keys (used to look candidates up in the story index):
pairs of its main organisations, its accelerators, and its figures rounded (gigawatts to a
tenth, dollars to two significant digits) — so "OpenAI + AMD + 6 GW" meets its French, German
and English tellings whatever the words.

The score weighs the evidence between two articles:

    1.0  per shared principal organisation (the two most mentioned in each article)
  + 0.25 per other shared main organisation (the four most mentioned)
  + 1.5  per shared lead figure (the first power and the first money figure of each article,
         where a report states the event's own numbers) — at most 2
  + 0.5  per other shared figure — at most 2
  + 0.25 per shared accelerator — at most 2
  + 2.0  x the Jaccard similarity of the titles' words

It is 0 unless the two share a principal organisation, or two main organisations and a figure:
an article that shares only a company name with another is not the same story, and neither is
one whose lead power figure differs (two deals by the same companies). Articles join the story
of their best-scoring earlier article within the window when the score reaches the threshold
(``gigawatch/defaults/dedupe.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from gigawatch.dedupe import words

MAIN_ORGS = 4  # organisations most mentioned in an article that define it
PRINCIPAL_ORGS = 2
MIN_TITLE_WORD = 4  # shorter title words (articles, prepositions) are ignored


@dataclass(frozen=True)
class StoryFeatures:
    article_id: int
    seen_at: datetime
    orgs: tuple[str, ...]  # main organisations, most mentioned first
    chips: frozenset[str]
    figures: frozenset[str]  # "p:6.0" (GW), "m:1e+11" (USD)
    lead: frozenset[str]  # the first power and first money figure
    title_words: frozenset[str]
    principal: frozenset[str]  # the two most mentioned organisations
    lead_power: str | None  # the first power figure


def _power(v: float) -> str:
    return f"p:{round(v, 1)}"


def _money(v: float) -> str:
    return f"m:{float(f'{v:.2g}'):g}"


def features(
    article_id: int,
    title: str | None,
    seen_at: datetime,
    orgs: list[str] | None,
    chips: list[str] | None,
    power: list[float] | None,
    money: list[float] | None,
) -> StoryFeatures:
    """Features of an article from its tags; ``power`` and ``money`` in text order."""
    power = [v for v in power or [] if v and v > 0]
    money = [v for v in money or [] if v and v > 0]
    figures = {_power(v) for v in power} | {_money(v) for v in money}
    lead = ({_power(power[0])} if power else set()) | ({_money(money[0])} if money else set())
    title_words = {w for w in words(title or "") if len(w) >= MIN_TITLE_WORD}
    return StoryFeatures(
        article_id=article_id,
        seen_at=seen_at,
        orgs=tuple((orgs or [])[:MAIN_ORGS]),
        chips=frozenset(chips or []),
        figures=frozenset(figures),
        lead=frozenset(lead),
        title_words=frozenset(title_words),
        principal=frozenset((orgs or [])[:PRINCIPAL_ORGS]),
        lead_power=_power(power[0]) if power else None,
    )


def keys(f: StoryFeatures) -> list[str]:
    """Index keys: organisation pairs, accelerators and figures."""
    out = [f"o:{a}|{b}" for a, b in combinations(sorted(f.orgs), 2)]
    out += [f"c:{c}" for c in sorted(f.chips)]
    out += sorted(f.figures)
    if len(f.orgs) == 1:
        out.append(f"o:{f.orgs[0]}")
    return out


def score(a: StoryFeatures, b: StoryFeatures) -> float:
    """Evidence that ``a`` and ``b`` tell the same event (0 when they do not)."""
    principal = len(a.principal & b.principal)
    main = len(set(a.orgs) & set(b.orgs))
    lead = len(a.lead & b.lead)
    figures = len(a.figures & b.figures) - lead
    if not (principal or (main >= 2 and (lead or figures))):
        return 0.0
    if a.lead_power and b.lead_power and a.lead_power != b.lead_power:
        return 0.0
    chips = len(a.chips & b.chips)
    union = a.title_words | b.title_words
    title = len(a.title_words & b.title_words) / len(union) if union else 0.0
    return (
        1.0 * principal
        + 0.25 * (main - principal)
        + 1.5 * min(lead, 2)
        + 0.5 * min(figures, 2)
        + 0.25 * min(chips, 2)
        + 2.0 * title
    )
