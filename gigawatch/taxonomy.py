"""The taxonomy: organisations, accelerators, topics and places, kept as a plain TOML file.

The default file is ``gigawatch/defaults/taxonomy.toml``; users copy and edit it. Loading
validates every entry and raises :class:`TaxonomyError` naming the file, the entry and the key.

Matching rules (applied by :mod:`gigawatch.tagger`):

* Aliases match on word boundaries (the characters either side are not letters or digits).
* Matching is case-insensitive, except for aliases listed in an entry's ``case_sensitive`` (or
  every alias when ``case_sensitive = true``), and automatically for short aliases: an alias of
  at most 4 characters, or an all-capitals alias of at most 6 (``AMD``, ``Arm``, ``Meta``,
  ``NVDA``, ``GOOGL``). Places are case-sensitive by default (``Chile``, ``Turkey``, ``Niger``).
* A trailing ``*`` makes an alias a prefix (``data center*`` matches "data centers"), a leading
  ``*`` a suffix (``*rechenzentr*`` matches "KI-Großrechenzentren").
* Case-insensitive aliases also match without accents ("donnees" for "données").
* ``exclude`` phrases veto a match they overlap ("Big Apple", "AWS Lambda", "am Arm").
* ``ambiguous`` aliases count only when the article also names some organisation, accelerator
  or topic through a non-ambiguous alias ("Meta" in a Spanish sports article, "la meta").
* When matches overlap, the longest wins ("Google Cloud" over "Google", "Texas Instruments"
  over "Texas").
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from gigawatch.config import (
    FACT_KINDS,
    LANGUAGES,
    ORG_KINDS,
    PLACE_KINDS,
    TaxonomyFile,
    format_errors,
    is_short_alias,
)

__all__ = [
    "DEFAULT_TAXONOMY",
    "FACT_KINDS",
    "LANGUAGES",
    "ORG_KINDS",
    "PLACE_KINDS",
    "Accelerator",
    "Organisation",
    "Place",
    "RelevanceConfig",
    "Taxonomy",
    "TaxonomyError",
    "Topic",
    "is_short_alias",
    "load_taxonomy",
]

DEFAULT_TAXONOMY = Path(__file__).parent / "defaults" / "taxonomy.toml"


class TaxonomyError(ValueError):
    """A malformed taxonomy file; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    case_sensitive: tuple[str, ...] = ()  # resolved: the aliases matched with their exact case
    ambiguous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Accelerator:
    name: str
    vendor: str  # the canonical name of an organisation
    family: str | None = None
    aliases: tuple[str, ...] = ()
    case_sensitive: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    name: str
    weight: float
    keywords: dict[str, tuple[str, ...]]  # language -> keywords
    aliases: tuple[str, ...] = ()  # the keywords of every language, deduplicated
    case_sensitive: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    iso: str | None
    names: dict[str, tuple[str, ...]]  # language -> names
    aliases: tuple[str, ...] = ()  # names in every language plus extra aliases, deduplicated
    case_sensitive: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelevanceConfig:
    """Parameters of :func:`gigawatch.relevance.score`; see its docstring."""

    threshold: float = 0.5
    scale: float = 4.0
    cap: int = 3
    title_boost: float = 2.0
    chip: float = 1.5
    place: float = 0.0
    facts: dict[str, float] = field(default_factory=dict)
    org_kinds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Taxonomy:
    version: str
    organisations: tuple[Organisation, ...]
    accelerators: tuple[Accelerator, ...]
    topics: tuple[Topic, ...]
    places: tuple[Place, ...]
    relevance: RelevanceConfig
    path: str = ""
    digest: str = ""  # sha1 of the file's bytes: tells edits apart even without a version bump

    def organisation(self, name: str) -> Organisation:
        for org in self.organisations:
            if org.name == name:
                return org
        raise KeyError(name)


def _build(parsed: TaxonomyFile, path: str = "", digest: str = "") -> Taxonomy:
    """The validated file as the records the tagger reads (aliases and case resolved)."""
    rel = parsed.relevance
    return Taxonomy(
        version=parsed.version,
        organisations=tuple(
            Organisation(
                name=o.name,
                kind=o.kind,
                aliases=o.all_aliases(),
                case_sensitive=o.resolved_case_sensitive(),
                ambiguous=o.ambiguous,
                exclude=o.exclude,
            )
            for o in parsed.organisations
        ),
        accelerators=tuple(
            Accelerator(
                name=c.name,
                vendor=c.vendor,
                family=c.family,
                aliases=c.all_aliases(),
                case_sensitive=c.resolved_case_sensitive(),
                ambiguous=c.ambiguous,
                exclude=c.exclude,
            )
            for c in parsed.accelerators
        ),
        topics=tuple(
            Topic(
                name=t.name,
                weight=t.weight,
                keywords=t.keywords(),
                aliases=t.all_aliases(),
                case_sensitive=t.resolved_case_sensitive(),
                exclude=t.exclude,
            )
            for t in parsed.topics
        ),
        places=tuple(
            Place(
                name=p.name,
                kind=p.kind,
                iso=p.iso,
                names=p.names(),
                aliases=p.all_aliases(),
                case_sensitive=p.resolved_case_sensitive(),
                ambiguous=p.ambiguous,
                exclude=p.exclude,
            )
            for p in parsed.places
        ),
        relevance=RelevanceConfig(
            threshold=rel.threshold,
            scale=rel.scale,
            cap=int(rel.cap),
            title_boost=rel.title_boost,
            chip=rel.chip,
            place=rel.place,
            facts=rel.facts,
            org_kinds=rel.org_kinds,
        ),
        path=path,
        digest=digest,
    )


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (default: ``gigawatch/defaults/taxonomy.toml``)."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read taxonomy file: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{file}: invalid TOML: {exc}") from exc
    try:
        parsed = TaxonomyFile.model_validate(data)
    except ValidationError as exc:
        raise TaxonomyError("\n".join(format_errors(file, exc, data))) from None
    return _build(parsed, str(path), hashlib.sha1(raw).hexdigest())
