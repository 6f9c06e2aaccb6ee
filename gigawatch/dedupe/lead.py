"""An article's lead: its title and first paragraph, and which of its tags it names there.

Retellings of one event lead with different angles (a share price, a local site, a quote) but
name the event's companies, chips and figures in their title or first paragraph, while the
related events they recall in passing come later. ``stories.features`` gives what the lead
names the full salience; this module finds it, without tagging again:

- the lead's text is the title and the text's first paragraph (at least ``LEAD_MIN`` and at
  most ``LEAD_MAX`` characters: a dateline alone is not a lead, a text without paragraph breaks
  is cut), see :func:`lead_text`;
- figures: the tagger's facts whose span starts inside it (``tag_facts.span_start``);
- organisations, accelerators and places: the article's own mentions whose canonical name or
  one of its aliases (the taxonomy's, :func:`taxonomy_aliases`, handed in by the caller)
  occurs in it on word boundaries, with the taxonomy's case rule for short aliases
  (:class:`LeadMatcher`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

LEAD_MIN = 80  # characters of text in a lead at least (a dateline alone is not one) ...
LEAD_MAX = 500  # ... and at most
LANGUAGE_KEYS = ("en", "fr", "de", "es")  # a place's names in each language
DEFAULT_TAXONOMY = Path(__file__).resolve().parents[1] / "defaults" / "taxonomy.toml"


def lead_end(text: str | None) -> int:
    """Offset in ``text`` where its lead ends: the end of the paragraph that reaches
    ``LEAD_MIN`` characters, at most ``LEAD_MAX``."""
    if not text:
        return 0
    end = text.find("\n")
    while 0 <= end < LEAD_MIN:
        end = text.find("\n", end + 1)
    if end < 0:
        end = len(text)
    return min(end, LEAD_MAX)


def lead_text(title: str | None, text: str | None) -> str:
    """The title and the first paragraph(s) of ``text``, as one string."""
    body = (text or "")[: lead_end(text)]
    return f"{title or ''}\n{body}"


def _short(alias: str) -> bool:  # the taxonomy's rule (gigawatch.config.is_short_alias)
    return len(alias) <= 4 or (len(alias) <= 6 and alias.upper() == alias)


def _occurs(text: str, form: str) -> bool:
    """Whether ``form`` occurs in ``text`` with no letter or digit either side."""
    n = len(form)
    i = text.find(form)
    while i >= 0:
        before = text[i - 1] if i else " "
        after = text[i + n] if i + n < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        i = text.find(form, i + 1)
    return False


def taxonomy_aliases(data: Mapping[str, object]) -> dict[str, list[str]]:
    """Canonical name -> its other forms, from a taxonomy file's parsed TOML (organisations,
    accelerators and places: ``aliases`` and the places' names in each language; prefix and
    suffix patterns left out). Read without validation: the tagger validates the file."""
    out: dict[str, list[str]] = {}
    for table in ("organisations", "accelerators", "places"):
        entries = data.get(table)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            forms = out.setdefault(entry["name"], [])
            for key in ("aliases", *LANGUAGE_KEYS):
                values = entry.get(key)
                if isinstance(values, list):
                    forms.extend(v for v in values if isinstance(v, str) and "*" not in v)
    return out


class LeadMatcher:
    """Which canonical names a lead names, through the names and their aliases.

    ``aliases``: canonical name -> its other forms (e.g. from the taxonomy); a name without
    an entry matches only itself.
    """

    def __init__(self, aliases: Mapping[str, Sequence[str]] | None = None) -> None:
        self.aliases = aliases or {}
        self._forms: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def forms(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(forms matched with their case, forms matched case-folded) of a name."""
        got = self._forms.get(name)
        if got is None:
            extra = (a.strip("*") for a in self.aliases.get(name, ()))
            every = sorted({name, *(a for a in extra if len(a) >= 2)})
            got = (tuple(f for f in every if _short(f)),
                   tuple(f.casefold() for f in every if not _short(f)))  # fmt: skip
            self._forms[name] = got
        return got

    def named(self, lead: str, names: Iterable[str]) -> set[str]:
        """The ``names`` that ``lead`` names."""
        folded = lead.casefold()
        out = set()
        for name in names:
            exact, loose = self.forms(name)
            if any(_occurs(lead, f) for f in exact) or any(_occurs(folded, f) for f in loose):
                out.add(name)
        return out
