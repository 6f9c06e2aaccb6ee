"""Sentences around a position: where the sentence holding a quantity starts and ends.

Found locally (a few hundred characters either side), so that a few facts in a long text do
not cost a pass over the whole text. Used by the tagger to keep the sentence of each fact.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "st", "inc", "corp", "co", "ltd", "jr", "sr", "vs", "etc",
    "no", "nr", "mrd", "mio", "bio", "tsd", "ca", "bzw", "z.b", "u.a", "mme", "md", "mds", "sa",
    "s.a", "av", "approx", "dept", "gov", "sen", "rep", "fig", "art", "e.g", "i.e", "u.s", "e.u",
    "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "janv", "févr", "déc", "hr", "hrs", "mm", "m", "mn", "bn", "ggf", "evtl", "vgl", "usw", "sra",
    "dña", "núm", "pág", "p", "pp", "vol",
))  # fmt: skip

_OPENERS = "\"'«“‘([¿¡-–—"


_END_AT_RE = re.compile(
    r"\n|[.!?…;][\"'»”’)\]]*(?:[^\S\n]*\n|[^\S\n]+(?:\Z|(?=[\"'«“‘(\[¿¡\-–—]?[^\W_a-zß-ÿ])))"
)


def _next_start(text: str, i: int) -> int | None:
    """If ``text[i]`` ends a sentence, where the next one starts; else None.

    A sentence ends at a newline, or at . ! ? … ; followed (after closing quotes) by spaces and
    a capital, a digit or an opening quote; a dot after an abbreviation ("Mrd.", "U.S.", "Dr.")
    or an initial ("J. Smith") does not end a sentence."""
    m = _END_AT_RE.match(text, i)
    if m is None:
        return None
    if text[i] == "." and text[m.end() - 1] != "\n":
        w = max(text.rfind(" ", max(0, i - 12), i), text.rfind("\n", max(0, i - 12), i))
        word = text[w + 1 : i].lstrip(_OPENERS).lower()
        if len(word) == 1 or word in _ABBREVIATIONS:
            return None
    return m.end()


_ENDER_RE = re.compile(r"[.!?…;\n]")


def sentence_span(text: str, start: int, end: int, reach: int = 1000) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, found locally (at most ``reach`` characters
    either side), so that a few quantities do not cost a pass over the whole text."""
    s = max(0, start - reach)
    if s:
        s = text.find(" ", s, start) + 1 or s  # do not start inside a word
    hi = start
    for back in (200, reach):
        lo = max(0, start - back)
        found = None
        for i in reversed([m.start() for m in _ENDER_RE.finditer(text, lo, hi)]):
            nxt = _next_start(text, i)
            if nxt is not None and nxt <= start:
                found = nxt
                break
        if found is not None:
            s = found
            break
        if lo == 0:
            s = 0
            break
        hi = lo + 1
    e = min(len(text), end + reach)
    for m in _ENDER_RE.finditer(text, end, e):
        if _next_start(text, m.start()) is not None:
            e = m.start() + 1
            break
    return s, e
