"""Numbers written as words right before a unit, scale or percent word (see the package docstring).

:func:`number_before` reads the few words before position ``ws`` (where a unit or scale word
starts) backwards: "ten" of "ten gigawatts", "vingt-trois" of "vingt-trois gigawatts",
"ocho mil" of "ocho mil millones", "two to three" (a range), "a dozen", "half a", "zweieinhalb".
Cardinals are parsed by text2num (a compiled parser: a call costs well under a microsecond, and
every word's reading is cached); the forms it does not cover are data in
:mod:`gigawatch.quantities.lexicon`. Only called for the unit and scale words the tagger's
automaton found, never over the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import text2num

from gigawatch.quantities.lexicon import (
    ADDITIONAL_WORDS,
    APPROXIMATE_NUMBER_WORDS,
    ARTICLE_ONE_WORDS,
    BETWEEN_WORDS,
    CONNECTOR_WORDS,
    DECIMAL_POINT_WORDS,
    DOZEN_WORDS,
    FRACTION_WORDS,
    HALF_SUFFIX,
    HALF_WORDS,
    NOT_NUMBER_WORDS,
    ONE_WORDS,
    RANGE_WORDS,
    SCALES,
    VAGUE_WORDS,
    WORD_NUMBER_FORMS,
    WORD_NUMBER_LANGS,
)


@dataclass(slots=True)
class WordNumber:
    value: float
    start: int  # where the number words start (the lower bound's, or "between", for a range)
    article: str | None = None  # the number is a bare "a"/"un"/"ein": maybe generic
    approximate: bool = False  # "une centaine de": about 100
    low: float | None = None  # a range's lower bound, unscaled


_WINDOW = 90  # characters before the unit word that may hold the number words
_MAX_TOKENS = 10
# In the reversed text: one word (hyphens inside: "vingt-trois"), not glued to a digit or
# another hyphen on its left ("12-billion" is the digits' business); "d'un" gives "un".
_TOKEN_REV_RE = re.compile(r"([^\W\d_]+(?:[-‑][^\W\d_]+)*)(?![\w\-‑])")
_SPACE_REV_RE = re.compile(r"[ \t\u00a0\u202f\u2009]+")
_SEPARATORS = " \u00a0\u202f\u2009-‑"
_SENTENCE_START = frozenset(".!?:;\n\"'“”«»„(—–•")
_BIG_SCALES = frozenset(w for w, v in SCALES.items() if v >= 1e6 and " " not in w)


@lru_cache(maxsize=8192)
def cardinal(words: str, lang: str) -> float | None:
    """``words`` (lowercase, spaces between words) read as one cardinal by text2num, or None."""
    words = " ".join(WORD_NUMBER_FORMS.get(w, w) for w in words.split())
    try:
        return float(text2num(words, lang))
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def _is_number_word(word: str, lang: str) -> bool:
    """Could ``word`` (lowercase) be part of a cardinal before a unit? Big scale words
    ("billion", "Milliarden") are not: they belong to what follows the number. The words of
    ``NOT_NUMBER_WORDS`` are, but not alone ("deux cents", not "cents")."""
    if word in CONNECTOR_WORDS:
        return True
    if word in _BIG_SCALES:
        return False
    return cardinal(word, lang) is not None


def _tokens(text: str, end: int) -> list[tuple[str, int]]:
    """Up to ``_MAX_TOKENS`` words before ``end`` separated by spaces only, nearest first, as
    (word, start)."""
    rev = text[max(0, end - _WINDOW) : end][::-1]
    out: list[tuple[str, int]] = []
    pos = 0
    while len(out) < _MAX_TOKENS:
        m = _TOKEN_REV_RE.match(rev, pos)
        if m is None:
            break
        out.append((m.group(1)[::-1], end - m.end()))
        s = _SPACE_REV_RE.match(rev, m.end())
        if s is None:
            break
        pos = s.end()
    return out


def number_before(text: str, ws: int, lang: str | None) -> WordNumber | None:
    """The number written as words that ends right before ``ws`` (one space or hyphen
    between), or None."""
    if ws < 2 or text[ws - 1] not in _SEPARATORS or not text[ws - 2].isalpha():
        return None  # the common case: a digit, punctuation or a glued word before the unit
    lg = lang if lang in WORD_NUMBER_LANGS else "en"
    first_end = ws - 1
    toks = _tokens(text, first_end)
    if not toks:
        return None
    low = [t.lower() for t, _s in toks]
    # "two additional gigawatts", "une douzaine de gigawatts"
    dozen_of = low[0] in ("de", "of") and len(low) > 1 and low[1] in DOZEN_WORDS
    k = 1 if dozen_of or (low[0] in ADDITIONAL_WORDS and len(low) > 1) else 0
    if low[0] == "de" and len(low) > 2 and low[1] in APPROXIMATE_NUMBER_WORDS:
        if low[2] not in ONE_WORDS:
            return None  # "deux centaines de mégawatts": rare, and easily misread
        return WordNumber(APPROXIMATE_NUMBER_WORDS[low[1]], toks[2][1], approximate=True)
    parsed = _number_at(toks, low, k, lg)
    if parsed is None:
        return None
    value, j, article = parsed
    start = toks[j - 1][1]
    first = toks[j - 1][0]
    if first[:1].isupper() and not _sentence_start(text, start):
        return None  # "the Two Sigma fund", "Grupo Mil": a name, not a number
    if j < len(low) and low[j] in VAGUE_WORDS:
        return None  # "mehrerer zehn Milliarden Dollar", "several ten-gigawatt campuses"
    out = WordNumber(value, start, article)
    if article is None and j < len(low):
        _range(toks, low, j, lg, out)
    return out


def _number_at(
    toks: list[tuple[str, int]], low: list[str], k: int, lg: str
) -> tuple[float, int, str | None] | None:
    """The number whose last word is ``toks[k]``: (value, index after its first word, the
    article when it is a bare "a"/"un"/"ein")."""
    n = len(low)
    t = low[k]
    nxt = low[k + 1] if k + 1 < n else ""
    if t in ("a", "an") and nxt == "half":  # "half a gigawatt", "half a billion dollars"
        return 0.5, k + 2, None
    if t in HALF_WORDS:  # "un demi-gigawatt", "ein halbes Gigawatt", "medio gigavatio"
        return 0.5, k + 2 if nxt in ONE_WORDS else k + 1, None
    if t == "half" and nxt == "a" and k + 2 < n and low[k + 2] == "and":  # "two and a half"
        whole = _cardinal_run(low, k + 3, lg)
        return (whole[0] + 0.5, whole[1], None) if whole else None
    if t in DOZEN_WORDS:  # "a dozen", "une douzaine de", "ein Dutzend", "two dozen"
        if nxt in ONE_WORDS:
            return 12.0, k + 2, None
        times = _cardinal_run(low, k + 1, lg)
        return (times[0] * 12, times[1], None) if times else None
    if t in FRACTION_WORDS:
        return FRACTION_WORDS[t], k + 1, None
    if lg == "de" and t.endswith(HALF_SUFFIX) and len(t) > len(HALF_SUFFIX):
        whole_value = cardinal(t[: -len(HALF_SUFFIX)], lg)  # "zweieinhalb" = 2.5
        return (whole_value + 0.5, k + 1, None) if whole_value is not None else None
    point = _decimal(low, k, lg)
    if point is not None:
        return point
    run = _cardinal_run(low, k, lg)
    if run is not None:
        value, j = run
        if j == k + 1 and t in ARTICLE_ONE_WORDS:
            return value, j, t  # "un", "ein", "una": an article as often as a number
        return value, j, None
    if t in ARTICLE_ONE_WORDS:  # "a", "an", "eine", "einen": not numbers to text2num
        return 1.0, k + 1, t
    return None


def _decimal(low: list[str], k: int, lg: str) -> tuple[float, int, None] | None:
    """ "nineteen point four", "zwei Komma fünf", "dos coma cinco": digits after a decimal
    point word, a cardinal before it."""
    i = k
    while i < len(low) and i - k < 4 and (d := cardinal(low[i], lg)) is not None and d < 10:
        i += 1
    if i == k or i >= len(low) or low[i] not in DECIMAL_POINT_WORDS:
        return None
    whole = _cardinal_run(low, i + 1, lg)
    if whole is None:
        return None
    digits = "".join(str(int(cardinal(w, lg) or 0)) for w in reversed(low[k:i]))
    return float(f"{int(whole[0])}.{digits}"), whole[1], None


def _cardinal_run(low: list[str], k: int, lg: str) -> tuple[float, int] | None:
    """The longest run of number words ending at ``low[k]`` that text2num reads as one
    cardinal: (value, index after its first word)."""
    j = k
    while j < len(low) and _is_number_word(low[j], lg):
        j += 1
    while j > k:
        while j > k and low[j - 1] in CONNECTOR_WORDS:
            j -= 1  # a run never starts with "and"
        if j == k:
            return None
        if j == k + 1 and low[k] in NOT_NUMBER_WORDS:
            return None
        value = cardinal(" ".join(reversed(low[k:j])), lg)
        if value is not None:
            return (value, j) if value > 0 else None
        j -= 1  # "a hundred": drop the farthest word and try again
    return None


def _range(toks: list[tuple[str, int]], low: list[str], j: int, lg: str, out: WordNumber) -> None:
    """ "two to three", "entre deux et trois", "zwischen zwei und drei", "de dos a tres"."""
    conn = low[j]
    between = conn in CONNECTOR_WORDS
    if not (between or conn in RANGE_WORDS or (conn == "a" and lg == "es")):
        return
    lo = _cardinal_run(low, j + 1, lg)
    if lo is None or lo[0] >= out.value:
        return
    value, i = lo
    if between:
        if i >= len(low) or low[i] not in BETWEEN_WORDS:
            return
        out.start = toks[i][1]
    else:
        out.start = toks[i - 1][1]
    out.low = value


def _sentence_start(text: str, start: int) -> bool:
    i = start
    while i > 0 and text[i - 1] in " \t\u00a0":
        i -= 1
    return i == 0 or text[i - 1] in _SENTENCE_START
