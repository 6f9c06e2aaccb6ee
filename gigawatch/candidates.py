"""Organisation candidates: capitalised names the taxonomy does not know, named in deal sentences.

Found at tag time (:meth:`gigawatch.tagger.Tagger.tag`, relevant articles only) so that an
analyst sees a new entrant the week it appears: the ``tag_candidates`` table holds one row per
(article, name), the ``org_candidates`` view counts stories and outlets, and
``gigawatch taxonomy suggest`` prints the most cited as taxonomy entries.

How a name is found, in the body text (titles are often Title Case throughout). The tagger's
one automaton also holds the *deal words* ("invest*", "agreement", "billion", "GW"... per
language, case-insensitive) and the *name words* (company suffixes such as "Capital",
"Partners", "Energy", "Inc", "AG"; prefixes such as "Banco", "Fonds"; exact case) of
``defaults/candidates.toml``, so finding them costs no extra pass; then, for a relevant article:

1. from each name word not inside a span the tagger matched (an organisation, place or
   accelerator of the taxonomy), the name is grown over the capitalised words before a suffix
   (or after a prefix), through connectors ("Bank of X", "Caisse des Y"), stopping at a
   stopword ("The", "CEO", "Monday", "British"...), punctuation, a possessive or a matched
   span; a suffix takes up to two capitalised words after it ("Fenwick Grid Advisory"); a
   *descriptor* ("the fund", "le consortium", "el fondo"; EN/FR/ES) announces a name of any
   length after at most two lower-case adjectives ("el fondo estadounidense Halcón");
2. it is a name when it has an organisation's shape: two words or more with a suffix after the
   first, or a prefix first; names made only of suffix words ("Data Center", "Cloud
   Infrastructure") are not, nor people's names ("Sam Altman": no suffix), nor a known alias
   (any case); a sentence's first word is dropped when the article also writes it in lower
   case ("Energy prices...");
3. it counts when its sentence holds a deal word outside the name itself ("... Partners").

Cost: a few string operations per name word and one sentence lookup per name; irrelevant
articles cost nothing beyond the automaton's extra hits.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gigawatch.config import LANGUAGES, ORG_KINDS
from gigawatch.sentences import sentence_span

DEFAULT_CANDIDATES = Path(__file__).parent / "defaults" / "candidates.toml"
MAX_PER_ARTICLE = 20  # bounds the rows one article can add

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİĶĹĽŁŃŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_OPENERS = " \t\n\"'«“‘([¿¡-–—"
_CAMEL_RE = re.compile(rf"[a-z][{_UPPER}]")


class CandidateError(ValueError):
    """A malformed candidates file; the message names the file and the key."""


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    en: list[str] = Field(min_length=1)
    fr: list[str] = Field(min_length=1)
    de: list[str] = Field(min_length=1)
    es: list[str] = Field(min_length=1)


class _Names(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    suffixes: list[str] = Field(min_length=1)
    prefixes: list[str] = Field(default_factory=list)
    connectors: list[str] = Field(default_factory=list)
    firm_suffixes: list[str] = Field(default_factory=list)
    keep_initial: list[str] = Field(default_factory=list)
    stop_endings: list[str] = Field(default_factory=list)
    stopwords: list[str] = Field(default_factory=list)


class _Descriptors(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    en: list[str] = Field(default_factory=list)
    fr: list[str] = Field(default_factory=list)
    de: list[str] = Field(default_factory=list)
    es: list[str] = Field(default_factory=list)
    not_adjectives: list[str] = Field(default_factory=list)
    kinds: dict[str, str] = Field(default_factory=dict)

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        for word, kind in value.items():
            if kind not in ORG_KINDS:
                raise ValueError(
                    f"unknown organisation kind {kind!r} (key descriptors.kinds.{word})"
                )
        return value


class CandidatesFile(BaseModel):
    """``candidates.toml``: deal words per language, name rules, guessed kinds."""

    model_config = ConfigDict(extra="forbid", strict=True)
    deal_words: _Words
    names: _Names
    descriptors: _Descriptors = Field(default_factory=_Descriptors)
    kinds: dict[str, str | list[str]] = Field(default_factory=dict)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for key, words in value.items():
            kind = words if key == "default" else key
            if not isinstance(kind, str) or kind not in ORG_KINDS:
                raise ValueError(f"unknown organisation kind {kind!r} (key kinds.{key})")
            if key != "default" and not isinstance(words, list):
                raise ValueError(f"kinds.{key} must be a list of words")
        return value


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    kind: str  # guessed from the name's words (``[kinds]``)
    sentence: str  # the first deal sentence naming it, whitespace collapsed

    def __reduce__(self) -> tuple[type[Candidate], tuple[str, str, str]]:
        return (Candidate, (self.name, self.kind, self.sentence))  # as tagger.Mention's


DEAL = -2  # automaton group of a deal word (gigawatch/tagger.py keys them with the aliases)
NAME = -3  # ... of a name word: entry 0 a suffix ("Capital"), 1 a prefix ("Banco"), 2 a
#            descriptor ("the fund", "la start-up"), whose entry is 2 + its index in _described
_SUFFIX, _PREFIX, _DESCRIPTOR = 0, 1, 2
_PUNCT = ",.;:!?)]}»”\"'’"
_MAX_WORDS = 6
# after a descriptor: at most two lower-case words of 4 letters or more (adjectives), then a word
_AFTER_DESCRIPTOR_RE = re.compile(r"[ \u00a0]((?:[a-zß-öø-ÿ'’-]{4,}[ \u00a0]){0,2})(\S+)")


class CandidateFinder:
    """Finds :class:`Candidate` names in one article from the deal and name words the tagger's
    automaton found (``marks``); built once per tagger."""

    def __init__(self, rules: CandidatesFile, known_aliases: Iterable[str] = ()) -> None:
        self.rules = rules
        self.known = frozenset(a.strip("*").casefold() for a in known_aliases)
        names = rules.names
        self._suffixes = frozenset(names.suffixes)
        self._prefixes = frozenset(names.prefixes)
        self._firm = frozenset(names.firm_suffixes)
        self._keep_initial = frozenset(names.keep_initial)
        self._stop_endings = tuple(names.stop_endings)
        d = rules.descriptors
        self._described = sorted({w for lg in LANGUAGES for w in getattr(d, lg)})
        self._descriptor_kind = d.kinds
        self._skip_not = frozenset(d.not_adjectives)
        self._connectors = frozenset(names.connectors)
        self._stop = frozenset(names.stopwords)
        self._kinds: list[tuple[frozenset[str], str]] = []
        self._default_kind = "investor"
        for key, value in rules.kinds.items():
            if key == "default" and isinstance(value, str):
                self._default_kind = value
            elif isinstance(value, list):
                self._kinds.append((frozenset(value), key))

    def deal_words(self) -> dict[str, frozenset[str]]:
        """{deal word: its languages} for the automaton (case-insensitive, ``*`` a prefix); a
        word of several languages is one key ("Partner", "partner")."""
        out: dict[str, set[str]] = {}
        for lg in LANGUAGES:
            for word in getattr(self.rules.deal_words, lg):
                out.setdefault(word.lower(), set()).add(lg)
        return {w: frozenset(langs) for w, langs in out.items()}

    def name_words(self) -> list[tuple[int, str, frozenset[str] | None]]:
        """(entry, word, languages) for the automaton, exact case: suffixes (entry 0), prefixes
        (1) in every language, descriptors (2 + index) in their language."""
        n, d = self.rules.names, self.rules.descriptors
        out: list[tuple[int, str, frozenset[str] | None]] = [(_SUFFIX, w, None) for w in n.suffixes]
        out += [(_PREFIX, w, None) for w in n.prefixes]
        for lg in LANGUAGES:
            for w in getattr(d, lg):
                out.append((_DESCRIPTOR + self._described.index(w), w, frozenset((lg,))))
        return out

    # ------------------------------------------------------------------------------ finding

    def find(
        self,
        text: str,
        marks: Sequence[tuple[int, int, int, int]],
        taken: Sequence[tuple[int, int]] = (),
        triggers: Sequence[tuple[int, int]] = (),
    ) -> list[Candidate]:
        """Candidates in ``text``. ``marks``: (start, end, group, entry) of the deal (``DEAL``)
        and name (``NAME``) words found in it; ``taken``: spans the tagger matched;
        ``triggers``: the figures' triggers ("billion", "GW", "€"), deal words too."""
        deals = sorted([m[0] for m in marks if m[2] == DEAL] + [t[0] for t in triggers])
        if not deals:
            return []
        words = sorted((m[0], m[1], m[3]) for m in marks if m[2] == NAME)
        if not words:
            return []
        taken = _merged(taken)
        starts = [a for a, _b in taken]
        found: dict[str, Candidate] = {}
        for i, (a, b, entry) in enumerate(words):
            if _overlaps(taken, starts, a, b):
                continue
            if entry == _SUFFIX:
                nxt = words[i + 1] if i + 1 < len(words) else None
                if nxt is not None and nxt[2] == _SUFFIX and nxt[0] == b + 1:
                    continue  # "Acme Energy Partners": the next suffix takes the whole name
                lo, hi = (
                    self._back(text, a, taken, starts),
                    self._forward(text, b, taken, starts, 2),
                )
            elif entry == _PREFIX:
                lo, hi = a, self._forward(text, b, taken, starts)
            else:
                described = self._after_descriptor(text, b, taken, starts)
                if described is None:
                    continue
                lo, hi = described
                name = " ".join(text[lo:hi].split())
                if name in found or name.casefold() in self.known or len(name) < 3:
                    continue
                kind = self.guess_kind(name, self._descriptor_kind.get(self._described[entry - 2]))
                self._add(found, text, deals, lo, hi, name, kind)
                if len(found) >= MAX_PER_ARTICLE:
                    break
                continue
            if lo == a and hi == b:
                continue
            parts = text[lo:hi].split()
            if self._sentence_initial(text, lo) and self._common(text, parts[0]):
                parts = parts[1:]
            while parts and parts[0] in self._connectors:
                parts = parts[1:]
            accepted = self._accept(parts)
            if accepted is None or accepted in found:
                continue
            self._add(found, text, deals, lo, hi, accepted, self.guess_kind(accepted))
            if len(found) >= MAX_PER_ARTICLE:
                break
        return list(found.values())

    @staticmethod
    def _add(
        found: dict[str, Candidate],
        text: str,
        deals: list[int],
        lo: int,
        hi: int,
        name: str,
        kind: str,
    ) -> None:
        """Keep ``name`` when its sentence holds a deal word outside the name ("... Partners")."""
        s, e = sentence_span(text, lo, hi)
        j, k = bisect_left(deals, s), bisect_left(deals, e)
        if any(d < lo or d >= hi for d in deals[j:k]):
            found[name] = Candidate(name, kind, " ".join(text[s:e].split()))

    def _after_descriptor(
        self, text: str, b: int, taken: Sequence[tuple[int, int]], starts: list[int]
    ) -> tuple[int, int] | None:
        """The name a descriptor announces ("the fund Acme", "la start-up française Sipartech",
        "el fondo Zephyr Capital"): after at most two lower-case words, capitalised words."""
        m = _AFTER_DESCRIPTOR_RE.match(text, b)
        if m is None:
            return None
        if m.group(1) and any(w in self._skip_not for w in m.group(1).split()):
            return None  # "firm in Mountain View", "the company behind ChatGPT"
        tok = m.group(2)
        word = tok.rstrip(_PUNCT)
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        k = m.start(2)
        if (
            not word
            or word[0].isdigit()
            or not self._word_ok(word)
            or word in self._stop
            or _overlaps(taken, starts, k, k + len(word))
        ):
            return None
        hi = k + len(word)
        if word == tok:
            hi = self._forward(text, hi, taken, starts, 3)
        return k, hi

    def _word_ok(self, tok: str) -> bool:
        return bool(tok) and (tok[0].isupper() or tok[0].isdigit() or bool(_CAMEL_RE.search(tok)))

    def _back(self, text: str, a: int, taken: Sequence[tuple[int, int]], starts: list[int]) -> int:
        """Where the name ending with the suffix at ``a`` starts: capitalised words before it."""
        lo = pos = a
        for _ in range(_MAX_WORDS):
            j = pos - 1
            if j < 1 or text[j] not in " \u00a0":
                break
            k = max(text.rfind(" ", 0, j), text.rfind("\u00a0", 0, j), text.rfind("\n", 0, j)) + 1
            tok = text[k:j]
            if not tok or tok[-1] in _PUNCT or _overlaps(taken, starts, k, j):
                break
            if tok.endswith(("'s", "’s")):
                break  # "Macron's AI": a possessive ends the name before it
            if tok in self._connectors:
                pos = k
                continue
            if tok in self._stop or not self._word_ok(tok):
                break
            if self._stop_endings and tok.lower().endswith(self._stop_endings):
                break  # "der Rechenzentrumsentwickler Quality Technology Services"
            lo = pos = k
        return lo

    def _forward(
        self,
        text: str,
        b: int,
        taken: Sequence[tuple[int, int]],
        starts: list[int],
        most: int = _MAX_WORDS,
    ) -> int:
        """Where the name goes on after the word ending at ``b``: capitalised words after a
        prefix ("Banco Nuevo"), or a few after a suffix ("Fenwick Grid Advisory")."""
        hi = pos = b
        n = len(text)
        for _ in range(most):
            if pos >= n or text[pos] not in " \u00a0":
                break
            k = pos + 1
            j = k
            while j < n and not text[j].isspace():
                j += 1
            tok = text[k:j]
            end = j
            stripped = tok.rstrip(_PUNCT)
            if stripped.endswith(("'s", "’s")):
                stripped = stripped[:-2]
            if not stripped or _overlaps(taken, starts, k, k + len(stripped)):
                break
            if stripped in self._connectors:
                pos = end
                continue
            if stripped in self._stop or not self._word_ok(stripped):
                break
            hi = k + len(stripped)
            if stripped != tok:
                break  # punctuation ends the name
            pos = end
        return hi

    @staticmethod
    def _sentence_initial(text: str, lo: int) -> bool:
        j = lo - 1
        while j >= 0 and text[j] in _OPENERS:
            j -= 1
        return j < 0 or text[j] in ".!?\n"

    def _common(self, text: str, word: str) -> bool:
        """Whether a sentence-initial ``word`` is a common word: the text also writes it in
        lower case ("Energy prices rose... energy demand")."""
        if _CAMEL_RE.search(word) or word.isupper() or word in self._prefixes:
            return False
        if word in self._keep_initial:
            return False
        return re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text) is not None

    def _accept(self, parts: list[str]) -> str | None:
        """The name ``parts`` make, or None when it has no organisation's shape."""
        capitalised = [p for p in parts if p not in self._connectors]
        if len(capitalised) < 2:
            return None
        if not (
            capitalised[0] in self._prefixes or any(p in self._suffixes for p in capitalised[1:])
        ):
            return None
        if all(p in self._suffixes or p in self._prefixes for p in capitalised) and not (
            len(capitalised) >= 3 and capitalised[-1] in self._firm
        ):
            return None  # "AI Data Center", "Capital Partners"; not "Energy Capital Partners"
        name = " ".join(parts)
        if name.casefold() in self.known:
            return None
        return name

    def guess_kind(self, name: str, fallback: str | None = None) -> str:
        """The kind the words of ``name`` suggest (last word first), else ``fallback`` (the
        descriptor's kind), else the default."""
        for word in reversed(name.split()):
            for words, kind in self._kinds:
                if word in words:
                    return kind
        return fallback or self._default_kind


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans, overlapping ones merged (an organisation inside an accelerator's name)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _overlaps(taken: Sequence[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, non-overlapping ``taken`` spans."""
    i = bisect_right(starts, start) - 1
    if i >= 0 and taken[i][1] > start:
        return True
    return i + 1 < len(taken) and taken[i + 1][0] < end


@lru_cache(maxsize=8)
def load_candidates(path: str | None = None) -> CandidatesFile:
    """Load and validate a candidates file (default: ``gigawatch/defaults/candidates.toml``)."""
    p = Path(path) if path else DEFAULT_CANDIDATES
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CandidateError(f"{p.name}: {exc}") from exc
    try:
        return CandidatesFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{p.name}: key {'.'.join(str(x) for x in e['loc']) or '(top)'}: {e['msg']}"
            for e in exc.errors()
        ]
        raise CandidateError("\n".join(problems)) from None


# ---------------------------------------------------------------------------------- suggestions


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One row of the ``org_candidates`` view."""

    name: str
    kind: str
    stories: int
    outlets: int
    articles: int
    first_seen: str  # ISO dates
    last_seen: str
    example: str
    sources: tuple[str, ...] = ()


def _toml_string(value: str) -> str:
    # a JSON string is a valid TOML basic string (same escapes: \" \\ \n \t \uXXXX)
    import json

    return json.dumps(value, ensure_ascii=False)


def format_suggestions(rows: Sequence[Suggestion], example_chars: int = 200) -> str:
    """Ready-to-paste ``organisations`` entries, each after a comment with its counts, dates,
    outlets and example sentence."""
    out: list[str] = []
    for r in rows:
        example = " ".join(r.example.split())
        if len(example) > example_chars:
            example = example[: example_chars - 1].rstrip() + "…"
        outlets = ", ".join(r.sources)
        out.append(
            f"  # {r.stories} stories, {r.outlets} outlets ({outlets}), {r.articles} articles, "
            f"{r.first_seen} .. {r.last_seen}"
        )
        out.append(f"  #   {example}")
        out.append(f"  {{ name = {_toml_string(r.name)}, kind = {_toml_string(r.kind)} }},")
    return "\n".join(out) + ("\n" if out else "")
