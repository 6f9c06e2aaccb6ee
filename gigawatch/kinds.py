"""The kinds of figures the tagger reads from a text (``facts.kind``): one list, shared by the
taxonomy's relevance weights, the story features and the docs."""

from __future__ import annotations

FACT_KINDS = ("power", "energy", "money", "stake", "shares")
