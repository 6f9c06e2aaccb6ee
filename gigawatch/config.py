"""Every configuration file's schema, and one way of reporting what is wrong with one.

The files users edit are described by pydantic models with ``extra="forbid"``: the sources
file and its ``[crawl]`` table (``sources.toml``), the taxonomy entries
(``defaults/taxonomy.toml``), ``defaults/dedupe.toml`` and the exchange-rate table
(``defaults/fx_rates.toml``). Validation lists every problem; :func:`format_errors` turns
pydantic's errors into one line per problem naming the table (or entry) and the key, with the
nearest known key as a suggestion for a misspelt one ("did you mean 'feeds'?").

Checks whose wording matters are written as validators raising :func:`problem`, so each message
is the one a user reads; pydantic's own errors (an unknown key, a missing key, a table that is
not a table) are worded by :func:`format_errors` from the file's :class:`Style`.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, NoReturn, TypeVar, Union
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from gigawatch.kinds import FACT_KINDS

DEFAULTS = Path(__file__).parent / "defaults"
DEFAULT_FX = DEFAULTS / "fx_rates.toml"
DEFAULT_DEDUPE = DEFAULTS / "dedupe.toml"

# --------------------------------------------------------------------------- vocabulary

LANGUAGES = ("en", "fr", "de", "es")
ORG_KINDS = (
    "ai_lab", "big_tech", "hyperscaler", "cloud", "neocloud", "datacenter", "chip_designer",
    "foundry", "memory", "network", "hardware", "equipment", "utility", "energy", "nuclear",
    "investor", "sovereign_fund", "public_programme", "telecom",
    "bank", "public_lender", "agency", "grid_operator", "research",
)  # fmt: skip
PLACE_KINDS = ("country", "region", "state")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
ARCHIVE_PLACEHOLDERS = ("{yyyy}", "{mm}", "{dd}")
MEMORY_RE = re.compile(r"^\d+(\.\d+)? ?([KMGT]i?B)$")


class ConfigError(ValueError):
    """A configuration file is invalid; ``problems`` lists every error found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(problems))


# --------------------------------------------------------------------------- problems

_TYPE = "gigawatch"


def problem(message: str, *, whole: bool = False) -> NoReturn:
    """Fail validation with ``message``, worded for the user. ``whole``: the message is the
    whole line (no table or entry label in front)."""
    raise PydanticCustomError(_TYPE, "{message}", {"message": message, "whole": whole})


def _detail(loc: tuple[int | str, ...], message: str, data: Any = None) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(_TYPE, "{message}", {"message": message, "whole": False}),
        loc=loc,
        input=data,
    )


def _again(exc: ValidationError) -> list[InitErrorDetails]:
    """The errors of ``exc`` as details from which a new ValidationError can be raised."""
    out: list[InitErrorDetails] = []
    for e in exc.errors():
        ctx = e.get("ctx") or {}
        if e["type"] == _TYPE:
            kind: Any = PydanticCustomError(_TYPE, "{message}", ctx)
            out.append(InitErrorDetails(type=kind, loc=e["loc"], input=e["input"]))
        else:
            out.append(InitErrorDetails(type=e["type"], loc=e["loc"], input=e["input"], ctx=ctx))
    return out


def _raise(title: str, details: list[InitErrorDetails]) -> NoReturn:
    raise ValidationError.from_exception_data(title, details)


M = TypeVar("M", bound=BaseModel)


def unique_names(title: str, data: Any, handler: Callable[[Any], M], key: str) -> M:
    """Validate ``data`` with ``handler`` (a wrap model validator's), and check that the
    entries of its array of tables ``key`` use each ``name`` once: a duplicate is reported
    among the valid entries, together with every other problem (one ValidationError)."""
    details: list[InitErrorDetails] = []
    try:
        result: M | None = handler(data)
    except ValidationError as exc:
        result, details = None, _again(exc)
    broken = {d["loc"][1] for d in details if len(d["loc"]) > 1 and d["loc"][0] == key}
    entries = data.get(key) if isinstance(data, dict) else None
    seen: set[str] = set()
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if i in broken or not isinstance(entry, dict):
            continue
        name = str(entry.get("name"))
        if name in seen:
            details.append(_detail((key, i), "duplicate name", entry))
        seen.add(name)
    if details:
        _raise(title, details)
    assert result is not None
    return result


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------- error wording


@dataclass(frozen=True)
class Style:
    """How one file's problems are worded.

    ``label(loc, data)`` splits an error location into the label of its table or entry
    ("source[0] 'a'", "[crawl]", "" for the top level) and the key inside it."""

    label: Callable[[tuple[int | str, ...], Any], tuple[str, str | None]]
    unknown: str = "unknown key {key!r}{hint}"
    unknown_top: str = "unknown key {key!r}{hint}"
    list_expected: bool = False  # list every allowed key, then suggest the nearest
    missing: str = "missing key {key!r}"
    missing_top: str = "missing key {key!r}"
    not_table: str = "must be a table"
    not_list: str = "{key!r} must be an array of tables"
    file_prefix: bool = True


def _hint(key: str, allowed: list[str], list_expected: bool) -> str:
    near = difflib.get_close_matches(key, allowed, n=1)
    if list_expected:
        listed = f" (expected: {', '.join(allowed)})"
        return listed + (f"; did you mean {near[0]!r}?" if near else "")
    return f" (did you mean {near[0]!r}?)" if near else f" (expected one of: {', '.join(allowed)})"


def _model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model validating the table at ``loc`` inside ``root``."""
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _model_in(info.annotation)
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, tuple, Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _order(
    root: type[BaseModel], loc: tuple[int | str, ...], extra: bool, n: int
) -> tuple[int, ...]:
    """Unknown top-level keys first, then the file's tables in their order, entries in theirs,
    and within one table its unknown keys first."""
    fields = list(root.model_fields)
    section = fields.index(loc[0]) if loc and loc[0] in fields else len(fields)
    entry = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
    return (0 if extra and len(loc) == 1 else 1, section, entry, 0 if extra else 1, n)


def format_errors(path: Path | str, exc: ValidationError, data: Any = None) -> list[str]:
    """One line per problem in ``exc``, raised by validating ``data`` (the parsed file) with one
    of the file models below: the table or entry, the key and what is wrong, unknown keys first
    within each table. Lines start with the file's name unless its style says otherwise."""
    root = _ROOTS[exc.title]
    style: Style = root.STYLE
    rows: list[tuple[tuple[int, ...], str]] = []
    for n, e in enumerate(exc.errors()):
        loc = tuple(e["loc"])
        ctx = e.get("ctx") or {}
        label, key = style.label(loc, data)
        kind = e["type"]
        if kind == _TYPE:
            text = str(ctx.get("message", e["msg"]))
            if ctx.get("whole"):
                label = ""
        elif kind == "extra_forbidden":
            model = _model_at(root, loc[:-1])
            allowed = _keys(model) if model is not None else []
            template = style.unknown_top if not label else style.unknown
            text = template.format(key=loc[-1], hint=_hint(str(loc[-1]), allowed,
                                                           style.list_expected))  # fmt: skip
        elif kind == "missing":
            template = style.missing_top if not label else style.missing
            text = template.format(key=loc[-1])
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            text = style.not_table.format(type=type(e["input"]).__name__)
        elif kind in ("list_type", "tuple_type"):
            text = style.not_list.format(key=loc[-1] if loc else "")
        else:
            text = f"{key}: {e['msg']}" if key else e["msg"]
        line = f"{label}: {text}" if label else text
        rows.append((_order(root, loc, kind == "extra_forbidden", n), line))
    lines = [line for _, line in sorted(rows)]
    name = Path(path).name
    return [f"{name}: {line}" for line in lines] if style.file_prefix else lines


def validate(model: type[BaseModel], path: Path | str, data: Any) -> Any:
    """``model.model_validate(data)``, raising :class:`ConfigError` with every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, format_errors(path, exc, data)) from None


def read_toml(path: Path | str) -> dict[str, Any]:
    """A TOML file as data; ConfigError when it cannot be read or parsed."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, [f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"{path.name}: invalid TOML: {exc}"]) from exc


def _item(data: Any, section: str, i: int) -> Any:
    if not isinstance(data, dict):
        return None
    items = data.get(section)
    return items[i] if isinstance(items, list) and i < len(items) else None


def _named(entry: Any) -> str:
    """`` 'name'`` for an entry that has a name, to follow its index in a label."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return f" {name!r}" if isinstance(name, str) else ""


def _strict_config() -> ConfigDict:
    return ConfigDict(extra="forbid", frozen=True)


# =========================================================================== sources.toml


def _crawl_value(kind: type) -> Callable[[Any, ValidationInfo], Any]:
    """A ``[crawl]`` value: its default's type (an int is a float), never negative."""

    def check(value: Any, info: ValidationInfo) -> Any:
        key = info.field_name
        ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
        if isinstance(value, bool) and kind is not bool:
            ok = False
        if not ok:
            problem(f"{key} must be a {kind.__name__}, got {value!r}")
        if kind is float and not math.isfinite(value):
            problem(f"{key} must be a finite number, got {value!r}")
        if kind in (int, float) and value < 0:
            problem(f"{key} must not be negative, got {value!r}")
        return kind(value)

    return check


_CrawlFloat = Annotated[float, PlainValidator(_crawl_value(float))]
_CrawlInt = Annotated[int, PlainValidator(_crawl_value(int))]
_CrawlBool = Annotated[bool, PlainValidator(_crawl_value(bool))]
_CrawlStr = Annotated[str, PlainValidator(_crawl_value(str))]


class CrawlSettings(BaseModel):
    """Politeness and limits for the whole crawl (the ``[crawl]`` table)."""

    model_config = _strict_config()

    download_delay: _CrawlFloat = 1.0
    concurrent_requests_per_domain: _CrawlInt = 2
    autothrottle: _CrawlBool = True
    autothrottle_target_concurrency: _CrawlFloat = 1.0
    obey_robots: _CrawlBool = True
    max_page_bytes: _CrawlInt = 5 * 1024 * 1024
    max_pages_per_source: _CrawlInt = 2000
    depth_limit: _CrawlInt = 3
    download_timeout: _CrawlFloat = 30.0
    retry_times: _CrawlInt = 2
    max_retry_after: _CrawlFloat = 120.0  # longest Retry-After (429/503) waited for, seconds
    cdx_api: _CrawlStr = "https://web.archive.org/cdx/search/cdx"
    cdx_snapshot: _CrawlStr = "https://web.archive.org/web/{timestamp}id_/{url}"
    cdx_recent_days: _CrawlInt = 7


def _url(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        problem(f"{info.field_name}: {value!r} is not a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problem(f"{info.field_name}: bad URL {value!r} (expected http:// or https:// with a host)")
    return value


def _archive(value: Any, info: ValidationInfo) -> str:
    url = _url(value, info)
    if not any(p in url for p in ARCHIVE_PLACEHOLDERS):
        problem(f"archives: {url!r} has no date placeholder ({{yyyy}}, {{mm}} or {{dd}})")
    return url


def _word(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not value:
        problem(f"{info.field_name}: {value!r} is not a non-empty string")
    return value


def _pattern(value: Any, info: ValidationInfo) -> str:
    pattern = _word(value, info)
    try:
        re.compile(pattern)
    except re.error as exc:
        problem(f"{info.field_name}: bad regular expression {pattern!r}: {exc}")
    return pattern


def _a_list(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, list):
        problem(f"{info.field_name} must be a list, got {value!r}")
    return value


class Source(BaseModel):
    """One outlet (a ``[[source]]`` entry)."""

    model_config = _strict_config()

    name: str
    feeds: list[Annotated[str, PlainValidator(_url)]] = Field(default_factory=list)
    sitemaps: list[Annotated[str, PlainValidator(_url)]] = Field(default_factory=list)
    start_urls: list[Annotated[str, PlainValidator(_url)]] = Field(default_factory=list)
    allowed_domains: list[Annotated[str, PlainValidator(_word)]] = Field(default_factory=list)
    follow: list[Annotated[str, PlainValidator(_pattern)]] = Field(default_factory=list)
    articles: list[Annotated[str, PlainValidator(_pattern)]] = Field(default_factory=list)
    archives: list[Annotated[str, PlainValidator(_archive)]] = Field(default_factory=list)
    cdx: list[Annotated[str, PlainValidator(_word)]] = Field(default_factory=list)
    language: str | None = None

    DISCOVERY: ClassVar[tuple[str, ...]] = ("feeds", "sitemaps", "start_urls", "archives", "cdx")

    @field_validator("name", mode="plain")
    @classmethod
    def _name(cls, value: Any) -> str:
        if not isinstance(value, str) or not NAME_RE.match(value):
            problem(f"name must be lowercase letters, digits, '.', '_' or '-', got {value!r}")
        return value

    @field_validator("feeds", "sitemaps", "start_urls", "allowed_domains", "follow", "articles",
                     "archives", "cdx", mode="before")  # fmt: skip
    @classmethod
    def _lists(cls, value: Any, info: ValidationInfo) -> Any:
        return _a_list(value, info)

    @field_validator("language", mode="plain")
    @classmethod
    def _language(cls, value: Any) -> str | None:
        if value is not None and (
            not isinstance(value, str) or not re.fullmatch("[a-z]{2}", value)
        ):
            problem(f"language must be a two-letter ISO 639-1 code, got {value!r}")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _discovery(cls, data: Any, handler: Callable[[Any], Source]) -> Source:
        """At least one way to find articles, reported with the entry's other problems."""
        if not isinstance(data, dict) or any(data.get(k) for k in cls.DISCOVERY):
            return handler(data)
        details: list[InitErrorDetails] = []
        try:
            handler(data)
        except ValidationError as exc:
            details = _again(exc)
        need = "needs at least one of feeds, sitemaps, start_urls, archives or cdx"
        _raise(cls.__name__, [*details, _detail((), need, data)])

    @model_validator(mode="after")
    def _domains(self) -> Source:
        """``allowed_domains`` defaults to the hosts of ``start_urls``."""
        if self.start_urls and not self.allowed_domains:
            hosts = sorted({urlsplit(u).hostname or "" for u in self.start_urls})
            return self.model_copy(update={"allowed_domains": hosts})
        return self


DEFAULT_CC_NEWS = "https://data.commoncrawl.org/"
_ARCHIVE_SCHEMES = ("http", "https", "file", "s3", "s3a", "gs", "gcs", "az", "abfs")


def archive_url_problem(value: Any) -> str | None:
    """What is wrong with a CC-NEWS archive base (``[cc_news] base_url``, ``--archive``), or
    None: it must be an http(s):// or object-store URL with a host, a file:// URL or a local
    folder (a path; whether it exists is checked when the archive is listed)."""
    if not isinstance(value, str) or not value.strip():
        return f"the archive must be a URL or a folder, got {value!r}"
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if len(scheme) <= 1:  # no scheme (or a Windows drive letter): a local folder
        return None
    if scheme not in _ARCHIVE_SCHEMES:
        return (f"bad archive URL {value!r} (expected http://, https://, s3://, file:// or a "
                "folder)")  # fmt: skip
    if scheme != "file" and not parts.netloc:
        return f"bad archive URL {value!r} (expected {scheme}:// with a host)"
    return None


def _archive_base(value: Any, info: ValidationInfo) -> str:
    wrong = archive_url_problem(value)
    if wrong is not None:
        problem(f"{info.field_name}: {wrong}")
    return str(value).strip()


class CcNewsSettings(BaseModel):
    """Where CC-NEWS backfills read WARC files (the ``[cc_news]`` table; gigawatch/ccnews.py)."""

    model_config = _strict_config()

    base_url: Annotated[str, PlainValidator(_archive_base)] = DEFAULT_CC_NEWS


def _sources_label(loc: tuple[int | str, ...], data: Any) -> tuple[str, str | None]:
    if not loc:
        return "top level", None
    if loc[0] == "crawl":
        return "[crawl]", str(loc[1]) if len(loc) > 1 else None
    if loc[0] == "cc_news":
        return "[cc_news]", str(loc[1]) if len(loc) > 1 else None
    if loc[0] == "source" and len(loc) > 1 and isinstance(loc[1], int):
        label = f"source[{loc[1]}]" + _named(_item(data, "source", loc[1]))
        return label, str(loc[2]) if len(loc) > 2 else None
    return "top level" if len(loc) == 1 else str(loc[0]), str(loc[-1])


class SourcesFile(BaseModel):
    """The sources file: a ``[crawl]`` table and ``[[source]]`` entries with unique names."""

    model_config = _strict_config()
    STYLE: ClassVar[Style] = Style(label=_sources_label, missing="missing {key!r}",
                                   file_prefix=False)  # fmt: skip

    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    source: list[Source] = Field(default_factory=list, validate_default=True)
    watches: str | None = None  # the watches file, relative to this file (gigawatch/watches)
    cc_news: CcNewsSettings = Field(default_factory=CcNewsSettings)

    @field_validator("watches", mode="plain")
    @classmethod
    def _watches(cls, value: Any) -> str | None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problem(f"watches must be the path of a watches file, got {value!r}", whole=True)
        return value

    @field_validator("crawl", mode="before")
    @classmethod
    def _crawl_table(cls, value: Any) -> Any:
        if not isinstance(value, dict | CrawlSettings):
            problem("[crawl] must be a table", whole=True)
        return value

    @field_validator("cc_news", mode="before")
    @classmethod
    def _cc_news_table(cls, value: Any) -> Any:
        if not isinstance(value, dict | CcNewsSettings):
            problem("[cc_news] must be a table", whole=True)
        return value

    @field_validator("source", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            problem("no [[source]] entries", whole=True)
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _unique(cls, data: Any, handler: Callable[[Any], SourcesFile]) -> SourcesFile:
        """A name is used once; reported among valid entries, with every other problem."""
        return unique_names(cls.__name__, data, handler, "source")


# =========================================================================== taxonomy.toml


def _text(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not value.strip():
        problem(f"key {info.field_name!r} must be a non-empty string, got {value!r}")
    return value.strip()


def _strings(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problem(f"key {info.field_name!r} must be a list of non-empty strings, got {value!r}")
    return tuple(dict.fromkeys(v.strip() for v in value))


def _some_strings(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    out = _strings(value, info)
    if not out:
        problem(f"key {info.field_name!r} must not be empty")
    return out


def _number(minimum: float) -> Callable[[Any, ValidationInfo], float]:
    def check(value: Any, info: ValidationInfo) -> float:
        if not _is_number(value) or value < minimum:
            problem(f"key {info.field_name!r} must be a number >= {_fmt(minimum)}, got {value!r}")
        return float(value)

    return check


def _case_sensitive(value: Any, info: ValidationInfo) -> bool | tuple[str, ...]:
    return value if isinstance(value, bool) else _strings(value, info)


def _weights(value: Any, info: ValidationInfo) -> dict[str, float]:
    key = info.field_name
    if not isinstance(value, dict):
        problem(f"key {key!r} must be a table of numbers")
    out: dict[str, float] = {}
    for k, v in value.items():
        if not _is_number(v) or v < 0:
            problem(f"key {key}.{k} must be a number >= 0, got {v!r}")
        out[k] = float(v)
    return out


_Text = Annotated[str, PlainValidator(_text)]
_Strings = Annotated[tuple[str, ...], PlainValidator(_strings)]
_SomeStrings = Annotated[tuple[str, ...], PlainValidator(_some_strings)]
_CaseSensitive = Annotated[bool | tuple[str, ...], PlainValidator(_case_sensitive)]
_Weight = Annotated[float, PlainValidator(_number(0.0))]
_Weights = Annotated[dict[str, float], PlainValidator(_weights)]


def is_short_alias(alias: str) -> bool:
    """Short aliases are matched case-sensitively: <= 4 characters, or all capitals <= 6."""
    core = alias.strip("*")
    return len(core) <= 4 or (
        len(core) <= 6 and core.upper() == core and any(c.isalpha() for c in core)
    )


def _kind(kinds: tuple[str, ...]) -> Callable[[Any, ValidationInfo], str]:
    def check(value: Any, info: ValidationInfo) -> str:
        kind = _text(value, info)
        if kind not in kinds:
            problem(f"unknown kind {kind!r} (expected one of: {', '.join(kinds)})")
        return kind

    return check


class _Entry(BaseModel):
    """What every taxonomy entry has: a name, aliases and the rules matching them. Each kind
    declares its keys itself, in the order an error message lists them."""

    model_config = _strict_config()
    CASE_SENSITIVE: ClassVar[bool] = False  # the default of ``case_sensitive``

    if typing.TYPE_CHECKING:
        name: str
        case_sensitive: bool | tuple[str, ...] | None

    def all_aliases(self) -> tuple[str, ...]:
        """Every alias the entry is matched by, its name first, deduplicated."""
        return tuple(dict.fromkeys((self.name, *self.listed("aliases"))))

    def listed(self, key: str) -> tuple[str, ...]:
        value = getattr(self, key, ())
        return value if isinstance(value, tuple) else ()

    def resolved_case_sensitive(self) -> tuple[str, ...]:
        """The aliases matched with their exact case: those ``case_sensitive`` names (all of
        them when it is true) and the short ones."""
        aliases = self.all_aliases()
        value = self.CASE_SENSITIVE if self.case_sensitive is None else self.case_sensitive
        chosen = set(value) if not isinstance(value, bool) else set(aliases) if value else set()
        chosen |= {a for a in aliases if is_short_alias(a)}
        return tuple(a for a in aliases if a in chosen)

    @model_validator(mode="after")
    def _own_aliases(self) -> _Entry:
        """``case_sensitive`` and ``ambiguous`` may only list the entry's aliases."""
        aliases = self.all_aliases()
        for key in ("case_sensitive", "ambiguous"):
            unknown = [a for a in self.listed(key) if a not in aliases]
            if unknown:
                problem(f"key {key!r} lists {unknown[0]!r}, which is not one of its aliases")
        return self


class OrganisationEntry(_Entry):
    name: _Text
    kind: Annotated[str, PlainValidator(_kind(ORG_KINDS))]
    aliases: _Strings = ()
    case_sensitive: _CaseSensitive | None = None
    ambiguous: _Strings = ()
    exclude: _Strings = ()


class AcceleratorEntry(_Entry):
    name: _Text
    vendor: _Text
    family: _Text | None = None
    aliases: _Strings = ()
    case_sensitive: _CaseSensitive | None = None
    ambiguous: _Strings = ()
    exclude: _Strings = ()


class TopicEntry(_Entry):
    name: _Text
    weight: _Weight = 1.0
    en: _SomeStrings
    fr: _SomeStrings
    de: _SomeStrings
    es: _SomeStrings
    case_sensitive: _CaseSensitive | None = None
    exclude: _Strings = ()

    def keywords(self) -> dict[str, tuple[str, ...]]:
        return {lang: self.listed(lang) for lang in LANGUAGES}

    def all_aliases(self) -> tuple[str, ...]:
        """The keywords of every language, deduplicated."""
        return tuple(dict.fromkeys(k for lang in LANGUAGES for k in self.listed(lang)))


class PlaceEntry(_Entry):
    CASE_SENSITIVE: ClassVar[bool] = True  # "Chile", "Turkey", "Niger"

    name: _Text
    kind: Annotated[str, PlainValidator(_kind(PLACE_KINDS))]
    iso: _Text | None = None
    en: _SomeStrings
    fr: _SomeStrings
    de: _SomeStrings
    es: _SomeStrings
    aliases: _Strings = ()
    case_sensitive: _CaseSensitive | None = None
    ambiguous: _Strings = ()
    exclude: _Strings = ()

    def names(self) -> dict[str, tuple[str, ...]]:
        return {lang: self.listed(lang) for lang in LANGUAGES}

    def all_aliases(self) -> tuple[str, ...]:
        """Its name, its names in every language and its extra aliases, deduplicated."""
        names = (n for lang in LANGUAGES for n in self.listed(lang))
        return tuple(dict.fromkeys((self.name, *names, *self.aliases)))


class RelevanceEntry(BaseModel):
    """Parameters of :func:`gigawatch.relevance.score` (the ``[relevance]`` table)."""

    model_config = _strict_config()

    threshold: _Weight = 0.5
    scale: Annotated[float, PlainValidator(_number(1e-9))] = 4.0
    cap: Annotated[float, PlainValidator(_number(1))] = 3
    title_boost: _Weight = 2.0
    chip: _Weight = 1.5
    place: _Weight = 0.0
    facts: _Weights = Field(default_factory=dict)
    org_kinds: _Weights = Field(default_factory=dict)

    @field_validator("threshold", mode="after")
    @classmethod
    def _at_most_one(cls, value: float) -> float:
        if value > 1:
            problem(f"key 'threshold' must be between 0 and 1, got {value}")
        return value

    @field_validator("org_kinds", mode="after")
    @classmethod
    def _org_kinds(cls, value: dict[str, float]) -> dict[str, float]:
        for k in value:
            if k not in ORG_KINDS:
                problem(f"key org_kinds.{k}: unknown organisation kind")
        return value

    @field_validator("facts", mode="after")
    @classmethod
    def _facts(cls, value: dict[str, float]) -> dict[str, float]:
        for k in value:
            if k not in FACT_KINDS:
                problem(f"key facts.{k}: unknown fact kind (expected: {FACT_KINDS})")
        return value


def _version(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value):
        problem("missing or invalid top-level key 'version'", whole=True)
    return str(value)


_SECTIONS = ("organisations", "accelerators", "topics", "places")


def _taxonomy_label(loc: tuple[int | str, ...], data: Any) -> tuple[str, str | None]:
    if len(loc) >= 2 and loc[0] in _SECTIONS and isinstance(loc[1], int):
        label = f"{loc[0]}[{loc[1]}]" + _named(_item(data, str(loc[0]), loc[1]))
        return label, str(loc[2]) if len(loc) > 2 else None
    if loc and loc[0] == "relevance":
        return "relevance", str(loc[1]) if len(loc) > 1 else None
    return "", str(loc[-1]) if loc else None


class TaxonomyFile(BaseModel):
    """The taxonomy: names are unique per section, an alias (case-folded) belongs to one entry
    and an accelerator's vendor is an organisation."""

    model_config = _strict_config()
    STYLE: ClassVar[Style] = Style(
        label=_taxonomy_label,
        unknown_top="unknown top-level key {key!r}{hint}",
        list_expected=True,
        missing_top="missing top-level key {key!r}",
        not_table="expected a table, got {type}",
    )

    version: Annotated[str, PlainValidator(_version)] = Field(None, validate_default=True)
    organisations: list[OrganisationEntry]
    accelerators: list[AcceleratorEntry]
    topics: list[TopicEntry]
    places: list[PlaceEntry]
    relevance: RelevanceEntry = Field(default_factory=RelevanceEntry)

    def sections(self) -> Iterable[tuple[str, list[Any]]]:
        return ((s, getattr(self, s)) for s in _SECTIONS)

    @model_validator(mode="after")
    def _references(self) -> TaxonomyFile:
        details: list[InitErrorDetails] = []
        orgs = {o.name for o in self.organisations}
        for i, chip in enumerate(self.accelerators):
            if chip.vendor not in orgs:
                message = f"vendor {chip.vendor!r} is not the name of an organisation"
                details.append(_detail(("accelerators", i, "vendor"), message))
        owners: dict[str, str] = {}
        for section, entries in self.sections():
            seen: set[str] = set()
            for i, entry in enumerate(entries):
                label = f"{section}[{i}] {entry.name!r}"
                if entry.name in seen:
                    message = f"{label}: key 'name': duplicate name {entry.name!r}"
                    details.append(_whole(message))
                    continue  # its aliases clash with the first entry's, needlessly reported
                seen.add(entry.name)
                for alias in entry.all_aliases():
                    key = alias.strip("*").lower()
                    owner = owners.get(key)
                    if owner is not None and owner != label:
                        message = f"{label}: alias {alias!r} is already used by {owner}"
                        details.append(_whole(message))
                    owners[key] = label
        if details:
            _raise(type(self).__name__, details)
        return self


def _whole(message: str) -> InitErrorDetails:
    kind = PydanticCustomError(_TYPE, "{message}", {"message": message, "whole": True})
    return InitErrorDetails(type=kind, loc=(), input=None)


# =========================================================================== dedupe.toml


def _dedupe_number(kind: type, check: Callable[[float], bool], rule: str) -> Any:
    def validate(value: Any, info: ValidationInfo) -> Any:
        key = info.field_name
        if not _is_number(value) or (kind is int and not float(value).is_integer()):
            problem(f"{key} must be {'an integer' if kind is int else 'a number'}, got {value!r}")
        if not check(value):
            problem(f"{key} must be {rule}, got {value!r}")
        return kind(value)

    return PlainValidator(validate)


def _dedupe_weight(value: Any, info: ValidationInfo) -> float:
    if not _is_number(value):
        problem(f"{info.field_name} must be a number, got {value!r}")
    return float(value)


_DWeight = Annotated[float, PlainValidator(_dedupe_weight)]


class StoryWeightsTable(BaseModel):
    model_config = _strict_config()

    org: _DWeight = 1.0
    chip: _DWeight = 1.0
    figure: _DWeight = 1.0
    place: _DWeight = 0.5
    title: _DWeight = 2.0
    conflict: _DWeight = 1.0


class NearDuplicatesTable(BaseModel):
    model_config = _strict_config()

    threshold: Annotated[float, _dedupe_number(float, lambda v: 0 < v <= 1, "in (0, 1]")] = 0.8
    shingle_words: Annotated[int, _dedupe_number(int, lambda v: v >= 1, "at least 1")] = 3
    num_perm: Annotated[int, _dedupe_number(int, lambda v: v >= 8, "at least 8")] = 128
    bands: Annotated[int, _dedupe_number(int, lambda v: v >= 1, "in 1..num_perm")] = 20
    min_words: Annotated[int, _dedupe_number(int, lambda v: True, "an integer")] = 30
    seed: Annotated[int, _dedupe_number(int, lambda v: True, "an integer")] = 1

    @model_validator(mode="after")
    def _consistent(self) -> NearDuplicatesTable:
        details = []
        if self.bands > self.num_perm:
            details.append(_detail(("bands",), f"bands must be in 1..num_perm, got {self.bands}"))
        if self.min_words < self.shingle_words:
            details.append(_detail(("min_words",), "min_words must be >= shingle_words"))
        if details:
            _raise(type(self).__name__, details)
        return self


class StoriesTable(BaseModel):
    model_config = _strict_config()

    window_days: Annotated[float, _dedupe_number(float, lambda v: v > 0, "positive")] = 7.0
    max_span_days: Annotated[float, _dedupe_number(float, lambda v: True, "a number")] = 14.0
    threshold: Annotated[float, _dedupe_number(float, lambda v: True, "a number")] = 2.5
    min_shared: Annotated[int, _dedupe_number(int, lambda v: True, "an integer")] = 2
    time_decay: Annotated[float, _dedupe_number(float, lambda v: 0 <= v < 1, "in [0, 1)")] = 0.5
    lead_shared: Annotated[int, _dedupe_number(int, lambda v: v >= 0, "at least 0")] = 2
    lead_coverage: Annotated[float, _dedupe_number(float, lambda v: 0 <= v <= 1, "in [0, 1]")] = 0.4
    lead_short_coverage: Annotated[
        float, _dedupe_number(float, lambda v: 0 <= v <= 1, "in [0, 1]")
    ] = 0.6
    weights: StoryWeightsTable = Field(default_factory=StoryWeightsTable)

    @model_validator(mode="after")
    def _consistent(self) -> StoriesTable:
        if self.max_span_days < self.window_days:
            problem("max_span_days < window_days")
        return self


def _memory(value: Any) -> str:
    if not isinstance(value, str) or (value and MEMORY_RE.match(value) is None):
        problem(f"memory_limit must look like '1GB' or '512MiB' (or be empty), got {value!r}")
    return value


class RebuildTable(BaseModel):
    model_config = _strict_config()

    batch_size: Annotated[int, _dedupe_number(int, lambda v: v >= 1, "positive")] = 20_000
    workers: Annotated[int, _dedupe_number(int, lambda v: True, "an integer")] = 0  # 0: per CPU
    memory_limit: Annotated[str, PlainValidator(_memory)] = "1GB"


def _table_label(loc: tuple[int | str, ...], data: Any) -> tuple[str, str | None]:
    """``[stories.weights]`` and the key in it; "" for the top level."""
    depth = 0
    while depth < len(loc) and _model_at(DedupeFile, loc[: depth + 1]) is not None:
        depth += 1
    tables = ".".join(str(p) for p in loc[:depth])
    key = str(loc[depth]) if depth < len(loc) else None
    return (f"[{tables}]" if tables else ""), key


class DedupeFile(BaseModel):
    """``dedupe.toml``: ``[near_duplicates]``, ``[stories]`` (with ``[stories.weights]``) and
    ``[rebuild]``."""

    model_config = _strict_config()
    STYLE: ClassVar[Style] = Style(
        label=_table_label,
        unknown_top="unknown table [{key}]{hint}",
        missing_top="missing table [{key}]",
    )

    near_duplicates: NearDuplicatesTable = Field(default_factory=NearDuplicatesTable)
    stories: StoriesTable = Field(default_factory=StoriesTable)
    rebuild: RebuildTable = Field(default_factory=RebuildTable)

    def flat(self) -> dict[str, Any]:
        """The settings under the names of ``gigawatch.dedupe.DedupeConfig``'s fields;
        ``story_weights`` is a dict of ``StoryWeights``' fields."""
        n, s, r = self.near_duplicates, self.stories, self.rebuild
        return {
            "near_dup_threshold": n.threshold, "shingle_words": n.shingle_words,
            "num_perm": n.num_perm, "bands": n.bands, "min_words": n.min_words, "seed": n.seed,
            "story_window_days": s.window_days, "story_max_span_days": s.max_span_days,
            "story_threshold": s.threshold, "story_min_shared": s.min_shared,
            "story_time_decay": s.time_decay, "story_lead_shared": s.lead_shared,
            "story_lead_coverage": s.lead_coverage,
            "story_lead_short_coverage": s.lead_short_coverage,
            "story_weights": s.weights.model_dump(),
            "batch_size": r.batch_size, "workers": r.workers, "memory_limit": r.memory_limit,
        }  # fmt: skip


def load_dedupe(path: Path | str | None = None) -> DedupeFile:
    """Read and validate ``dedupe.toml`` (default: the bundled one); ConfigError (a
    ValueError) names the file, the table and the key of every problem."""
    path = Path(path) if path else DEFAULT_DEDUPE
    return typing.cast(DedupeFile, validate(DedupeFile, path, read_toml(path)))


# =========================================================================== fx_rates.toml


def _rate(value: Any, info: ValidationInfo) -> float:
    if not _is_number(value) or value <= 0 or not math.isfinite(value):
        problem("expected a positive number")
    return float(value)


def _fx_label(loc: tuple[int | str, ...], data: Any) -> tuple[str, str | None]:
    if len(loc) == 2:
        return f"{loc[0]}.{loc[1]}", None
    return "", str(loc[-1]) if loc else None


class FxFile(BaseModel):
    """The static exchange rates: USD per unit of each currency (``[usd_per_unit]``)."""

    model_config = _strict_config()
    STYLE: ClassVar[Style] = Style(
        label=_fx_label, missing_top="missing table [{key}]", not_table="must be a table"
    )

    as_of: str | None = None
    usd_per_unit: dict[str, Annotated[float, PlainValidator(_rate)]]

    @field_validator("usd_per_unit", mode="before")
    @classmethod
    def _a_table(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            problem("missing table [usd_per_unit]", whole=True)
        return value


def load_fx(path: Path | str | None = None) -> dict[str, float]:
    """USD per unit of each currency from the static rate table (``fx_rates.toml``); ConfigError
    (a ValueError) names the file and the currency."""
    path = Path(path) if path is not None else DEFAULT_FX
    fx = typing.cast(FxFile, validate(FxFile, path, read_toml(path)))
    out = {code.upper(): rate for code, rate in fx.usd_per_unit.items()}
    out.setdefault("USD", 1.0)
    return out


_ROOTS: dict[str, Any] = {m.__name__: m for m in (SourcesFile, TaxonomyFile, DedupeFile, FxFile)}


def register_root(model: type[BaseModel]) -> None:
    """Let :func:`format_errors` word the problems of a file model kept in another module (it
    needs a ``STYLE``), such as the watches file's (``gigawatch/watches/model.py``)."""
    _ROOTS[model.__name__] = model
