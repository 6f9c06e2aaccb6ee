"""Authors from visible bylines, for pages whose markup names none.

trafilatura reads authors from metadata (``<meta name="author">``, JSON-LD, ``rel=author``)
and from elements whose class says "author". Many outlets only print a byline: "Par Claire
Martin", "Von Anna Schmidt · 12. März", "Por Lucía Gómez". :func:`find_byline` looks for such a
line in the short elements whose class or itemprop marks them as a byline, signature or meta
line, in the four languages gigawatch reads; it is only asked when trafilatura found nothing.
"""

from __future__ import annotations

import re

import lxml.html

# "By" in English, French, German and Spanish (and the Spanish "De" is too ambiguous: not kept)
BYLINE_WORDS = ("by", "par", "von", "por")
# class or itemprop fragments of the elements that hold a byline
MARKERS = ("byline", "author", "autor", "auteur", "signature", "meta", "credit")
MAX_CHARS = 120  # a longer element is a paragraph, not a byline
NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_BYLINE = re.compile(
    rf"^\s*(?:{'|'.join(BYLINE_WORDS)})\s+"
    rf"(?P<name>{NAME_WORD}(?:\s+(?:(?:de|del|van|von|der|da|la|le)\s+)?{NAME_WORD}){{0,3}})"
    r"\s*(?:$|[|·•,–—]|\s-\s|\bet\b|\band\b|\bund\b|\by\b)",
    re.IGNORECASE,
)
_XPATH = " or ".join(
    f"contains(translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), "
    f"'{m}') or contains(@itemprop, '{m}')"
    for m in MARKERS
)


def parse_byline(line: str) -> str | None:
    """The name in a byline such as "Von Anna Schmidt · 12. März 2025", else None."""
    m = _BYLINE.match(" ".join(line.split()))
    if m is None:
        return None
    name = m.group("name").strip(" .")
    # the name words must be capitalised (IGNORECASE applies to the whole pattern)
    words = [w for w in name.split() if w.lower() not in {"de", "del", "van", "von", "der", "da",
                                                           "la", "le"}]  # fmt: skip
    if len(words) < 2 or not all(w[0].isupper() for w in words):
        return None
    return name


def find_byline(html: str) -> str | None:
    """The author named by the first byline of the page, else None. Never raises."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for el in tree.xpath(f"//body//*[{_XPATH}]"):
        text = el.text_content()
        if not text or len(text) > MAX_CHARS:
            continue
        name = parse_byline(text)
        if name:
            return name
    return None
