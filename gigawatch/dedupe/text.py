"""Words and the exact-duplicate hash.

Words are the text's ``\\w+`` runs after NFKC normalisation, case folding and accent
stripping, so "Données" and "donnees" are one word and punctuation, spacing and case never
make two copies differ; exact duplicates share ``text_hash``, the first 8 bytes of sha1 over
the words.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

WORD_RE = re.compile(r"\w+")
COMBINING_RE = re.compile("[\u0300-\u036f]")


def words(text: str) -> list[str]:
    """Case-folded, accent-stripped words: the unit of comparison."""
    if text.isascii():  # the common case, 3x faster; the same words as the general one
        return text.lower().translate(_ASCII_NON_WORD).split()
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = COMBINING_RE.sub("", unicodedata.normalize("NFKD", folded))
    if folded.isascii():
        return folded.translate(_ASCII_NON_WORD).split()
    return WORD_RE.findall(folded)


# ASCII characters outside \w, mapped to spaces
_ASCII_NON_WORD = str.maketrans(
    {chr(i): " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")}
)


def text_hash(text: str | None = None, ws: Sequence[str] | None = None) -> int:
    """Hash of the normalised text (words only), as a signed 64-bit int: exact duplicates."""
    ws = words(text or "") if ws is None else ws
    digest = hashlib.sha1(" ".join(ws).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
