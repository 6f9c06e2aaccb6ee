"""Language of an article, offline, with py3langid.

The identifier is loaded once per process (about 0.5 s) and sees at most ``MAX_CHARS``
characters (title and the start of the text): py3langid walks its automaton in Python, byte
by byte, and 400 characters are plenty to tell English, French, German and Spanish apart.
"""

from __future__ import annotations

from functools import lru_cache

MAX_CHARS = 400
SUPPORTED = ("en", "fr", "de", "es")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def normalise(code: str | None) -> str | None:
    """Normalise a language tag: "fr-FR", "FR", "fr_fr" -> "fr"; empty or odd values -> None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if 2 <= len(base) <= 3 and base.isalpha() else None


def detect(title: str, text: str) -> str:
    """ISO 639-1 code of the article's language ("und" when there is no text)."""
    sample = f"{title}\n{text[:MAX_CHARS]}" if title else text[:MAX_CHARS]
    if not sample.strip():
        return "und"
    lang, _score = _identifier().classify(sample)
    return lang
