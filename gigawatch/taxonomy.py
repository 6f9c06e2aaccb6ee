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
from typing import Any

DEFAULT_TAXONOMY = Path(__file__).parent / "defaults" / "taxonomy.toml"
LANGUAGES = ("en", "fr", "de", "es")

ORG_KINDS = (
    "ai_lab",
    "big_tech",
    "hyperscaler",
    "cloud",
    "neocloud",
    "datacenter",
    "chip_designer",
    "foundry",
    "memory",
    "network",
    "hardware",
    "equipment",
    "utility",
    "energy",
    "nuclear",
    "investor",
    "sovereign_fund",
    "public_programme",
    "telecom",
)
PLACE_KINDS = ("country", "region", "state")
FACT_KINDS = ("power", "energy", "money", "stake", "shares")


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


# --------------------------------------------------------------------------- validation helpers

_ORG_KEYS = ("name", "kind", "aliases", "case_sensitive", "ambiguous", "exclude")
_CHIP_KEYS = ("name", "vendor", "family", "aliases", "case_sensitive", "ambiguous", "exclude")
_TOPIC_KEYS = ("name", "weight", *LANGUAGES, "case_sensitive", "exclude")
_PLACE_KEYS = ("name", "kind", "iso", *LANGUAGES, "aliases", "case_sensitive", "ambiguous",
               "exclude")  # fmt: skip
_RELEVANCE_KEYS = ("threshold", "scale", "cap", "title_boost", "chip", "place", "facts",
                   "org_kinds")  # fmt: skip
_TOP_KEYS = ("version", "organisations", "accelerators", "topics", "places", "relevance")


class _Entry:
    """Reads the keys of one table and raises errors that name it."""

    def __init__(self, file: str, where: str, table: Any, allowed: tuple[str, ...]):
        self.file, self.where = file, where
        if not isinstance(table, dict):
            raise TaxonomyError(f"{file}: {where}: expected a table, got {type(table).__name__}")
        self.table = table
        name = table.get("name")
        self.label = f"{where} {name!r}" if isinstance(name, str) else where
        for key in table:
            if key not in allowed:
                raise self.error(key, f"unknown key {key!r} (expected: {', '.join(allowed)})")

    def error(self, key: str, message: str) -> TaxonomyError:
        return TaxonomyError(f"{self.file}: {self.label}: {message}")

    def has(self, key: str) -> bool:
        return key in self.table

    def string(self, key: str, required: bool = True) -> str | None:
        if key not in self.table:
            if required:
                raise self.error(key, f"missing key {key!r}")
            return None
        value = self.table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"key {key!r} must be a non-empty string, got {value!r}")
        return value.strip()

    def number(self, key: str, default: float, minimum: float = 0.0) -> float:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.error(key, f"key {key!r} must be a number >= {minimum:g}, got {value!r}")
        return float(value)

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        if key not in self.table:
            if required:
                raise self.error(key, f"missing key {key!r}")
            return ()
        value = self.table[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, f"key {key!r} must be a list of non-empty strings, got {value!r}")
        if required and not value:
            raise self.error(key, f"key {key!r} must not be empty")
        return tuple(dict.fromkeys(v.strip() for v in value))

    def weights(self, key: str) -> dict[str, float]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.error(key, f"key {key!r} must be a table of numbers")
        out = {}
        for k, v in value.items():
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                raise self.error(key, f"key {key}.{k} must be a number >= 0, got {v!r}")
            out[k] = float(v)
        return out

    def case_sensitive(self, aliases: tuple[str, ...], default: bool = False) -> tuple[str, ...]:
        """Resolve ``case_sensitive`` (bool or list of aliases) plus the short-alias rule."""
        value = self.table.get("case_sensitive", default)
        if isinstance(value, bool):
            chosen = set(aliases) if value else set()
        else:
            listed = self.strings("case_sensitive")
            unknown = [a for a in listed if a not in aliases]
            if unknown:
                raise self.error(
                    "case_sensitive",
                    f"key 'case_sensitive' lists {unknown[0]!r}, which is not one of its aliases",
                )
            chosen = set(listed)
        chosen |= {a for a in aliases if is_short_alias(a)}
        return tuple(a for a in aliases if a in chosen)

    def subset(self, key: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
        listed = self.strings(key)
        unknown = [a for a in listed if a not in aliases]
        if unknown:
            raise self.error(
                key, f"key {key!r} lists {unknown[0]!r}, which is not one of its aliases"
            )
        return listed


def is_short_alias(alias: str) -> bool:
    """Short aliases are matched case-sensitively: <= 4 characters, or all capitals <= 6."""
    core = alias.strip("*")
    return len(core) <= 4 or (
        len(core) <= 6 and core.upper() == core and any(c.isalpha() for c in core)
    )


def _table_list(file: str, data: dict, key: str, required: bool = True) -> list:
    value = data.get(key)
    if value is None:
        if required:
            raise TaxonomyError(f"{file}: missing top-level key {key!r}")
        return []
    if not isinstance(value, list):
        raise TaxonomyError(f"{file}: {key!r} must be an array of tables")
    return value


def _parse(file: str, data: dict[str, Any]) -> Taxonomy:
    for key in data:
        if key not in _TOP_KEYS:
            raise TaxonomyError(
                f"{file}: unknown top-level key {key!r} (expected: {', '.join(_TOP_KEYS)})"
            )
    version = data.get("version")
    if not isinstance(version, str | int | float) or isinstance(version, bool) or not str(version):
        raise TaxonomyError(f"{file}: missing or invalid top-level key 'version'")

    orgs: list[Organisation] = []
    for i, table in enumerate(_table_list(file, data, "organisations")):
        e = _Entry(file, f"organisations[{i}]", table, _ORG_KEYS)
        name = e.string("name")
        kind = e.string("kind")
        if kind not in ORG_KINDS:
            raise e.error(
                "kind", f"unknown kind {kind!r} (expected one of: {', '.join(ORG_KINDS)})"
            )
        aliases = tuple(dict.fromkeys((name, *e.strings("aliases"))))
        orgs.append(
            Organisation(
                name=name,
                kind=kind,
                aliases=aliases,
                case_sensitive=e.case_sensitive(aliases),
                ambiguous=e.subset("ambiguous", aliases),
                exclude=e.strings("exclude"),
            )
        )
    org_names = {o.name for o in orgs}

    chips: list[Accelerator] = []
    for i, table in enumerate(_table_list(file, data, "accelerators")):
        e = _Entry(file, f"accelerators[{i}]", table, _CHIP_KEYS)
        name = e.string("name")
        vendor = e.string("vendor")
        if vendor not in org_names:
            raise e.error("vendor", f"vendor {vendor!r} is not the name of an organisation")
        aliases = tuple(dict.fromkeys((name, *e.strings("aliases"))))
        chips.append(
            Accelerator(
                name=name,
                vendor=vendor,
                family=e.string("family", required=False),
                aliases=aliases,
                case_sensitive=e.case_sensitive(aliases),
                ambiguous=e.subset("ambiguous", aliases),
                exclude=e.strings("exclude"),
            )
        )

    topics: list[Topic] = []
    for i, table in enumerate(_table_list(file, data, "topics")):
        e = _Entry(file, f"topics[{i}]", table, _TOPIC_KEYS)
        name = e.string("name")
        keywords = {lang: e.strings(lang, required=True) for lang in LANGUAGES}
        allkw = tuple(dict.fromkeys(k for lang in LANGUAGES for k in keywords[lang]))
        topics.append(
            Topic(
                name=name,
                weight=e.number("weight", 1.0),
                keywords=keywords,
                aliases=allkw,
                case_sensitive=e.case_sensitive(allkw),
                exclude=e.strings("exclude"),
            )
        )

    places: list[Place] = []
    for i, table in enumerate(_table_list(file, data, "places")):
        e = _Entry(file, f"places[{i}]", table, _PLACE_KEYS)
        name = e.string("name")
        kind = e.string("kind")
        if kind not in PLACE_KINDS:
            raise e.error(
                "kind", f"unknown kind {kind!r} (expected one of: {', '.join(PLACE_KINDS)})"
            )
        names = {lang: e.strings(lang, required=True) for lang in LANGUAGES}
        aliases = tuple(
            dict.fromkeys((name, *(n for lang in LANGUAGES for n in names[lang]),
                           *e.strings("aliases")))
        )  # fmt: skip
        places.append(
            Place(
                name=name,
                kind=kind,
                iso=e.string("iso", required=False),
                names=names,
                aliases=aliases,
                case_sensitive=e.case_sensitive(aliases, default=True),
                ambiguous=e.subset("ambiguous", aliases),
                exclude=e.strings("exclude"),
            )
        )

    rel_table = data.get("relevance", {})
    e = _Entry(file, "relevance", rel_table, _RELEVANCE_KEYS)
    org_kinds = e.weights("org_kinds")
    for k in org_kinds:
        if k not in ORG_KINDS:
            raise e.error("org_kinds", f"key org_kinds.{k}: unknown organisation kind")
    facts = e.weights("facts")
    for k in facts:
        if k not in FACT_KINDS:
            raise e.error("facts", f"key facts.{k}: unknown fact kind (expected: {FACT_KINDS})")
    threshold = e.number("threshold", 0.5)
    if threshold > 1:
        raise e.error("threshold", f"key 'threshold' must be between 0 and 1, got {threshold}")
    relevance = RelevanceConfig(
        threshold=threshold,
        scale=e.number("scale", 4.0, minimum=1e-9),
        cap=int(e.number("cap", 3, minimum=1)),
        title_boost=e.number("title_boost", 2.0),
        chip=e.number("chip", 1.5),
        place=e.number("place", 0.0),
        facts=facts,
        org_kinds=org_kinds,
    )

    tax = Taxonomy(
        version=str(version),
        organisations=tuple(orgs),
        accelerators=tuple(chips),
        topics=tuple(topics),
        places=tuple(places),
        relevance=relevance,
    )
    _check_unique(file, tax)
    return tax


def _check_unique(file: str, tax: Taxonomy) -> None:
    """Names are unique per kind; an alias (case-folded) belongs to one entry only."""
    owners: dict[str, str] = {}
    for section, entries in (
        ("organisations", tax.organisations),
        ("accelerators", tax.accelerators),
        ("topics", tax.topics),
        ("places", tax.places),
    ):
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            label = f"{section}[{i}] {entry.name!r}"
            if entry.name in seen:
                raise TaxonomyError(f"{file}: {label}: key 'name': duplicate name {entry.name!r}")
            seen.add(entry.name)
            for alias in entry.aliases:
                key = alias.strip("*").lower()
                owner = owners.get(key)
                if owner is not None and owner != label:
                    raise TaxonomyError(
                        f"{file}: {label}: alias {alias!r} is already used by {owner}"
                    )
                owners[key] = label


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
    tax = _parse(file, data)
    return Taxonomy(
        version=tax.version,
        organisations=tax.organisations,
        accelerators=tax.accelerators,
        topics=tax.topics,
        places=tax.places,
        relevance=tax.relevance,
        path=str(path),
        digest=hashlib.sha1(raw).hexdigest(),
    )
