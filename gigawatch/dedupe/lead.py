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

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

LEAD_MIN = 80  # characters of text in a lead at least (a dateline alone is not one) ...
LEAD_MAX = 500  # ... and at most
WORD = r"[^\W_]"
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


@lru_cache(maxsize=50_000)
def _pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    exact = [re.escape(f) for f in forms if _short(f)]
    folded = [re.escape(f) for f in forms if not _short(f)]
    parts = []
    if exact:
        parts.append("|".join(sorted(exact, key=len, reverse=True)))
    if folded:
        parts.append("(?i:" + "|".join(sorted(folded, key=len, reverse=True)) + ")")
    return re.compile(rf"(?<!{WORD})(?:{'|'.join(parts)})(?!{WORD})")


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

    def forms(self, name: str) -> tuple[str, ...]:
        extra = (a.strip("*") for a in self.aliases.get(name, ()))
        return tuple(sorted({name, *(a for a in extra if len(a) >= 2)}))

    def named(self, lead: str, names: Iterable[str]) -> set[str]:
        """The ``names`` that ``lead`` names."""
        return {n for n in names if _pattern(self.forms(n)).search(lead)}
