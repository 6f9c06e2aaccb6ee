"""The watches file's schema (``watches.toml``): saved searches that send alerts.

One ``[[watch]]`` entry per watch: a ``name``, either a ``[watch.filter]`` table or an ``sql``
query over the public views, where to send it (``notify``: Apprise URLs), whether later
articles of a story send an update (``updates``) and whether it sends a digest instead of
instant alerts (``digest``). ``[delivery]`` and ``[sql]`` hold the retry and sandbox limits of
the whole file. Problems are worded like every other configuration file's
(:func:`gigawatch.config.format_errors`): ``watches.toml: watch[1] 'big-power': min_gw: …``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from gigawatch.config import (
    LANGUAGES,
    NAME_RE,
    Style,
    _again,
    _detail,
    _item,
    _named,
    _raise,
    problem,
    register_root,
    unique_names,
)

DIGESTS = ("none", "daily", "weekly")
FILTER_LISTS = ("organisations", "accelerators", "topics", "places", "languages", "sources")


def _strict() -> ConfigDict:
    return ConfigDict(extra="forbid", frozen=True)


def _names(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        problem(f"{info.field_name} must be a list of names, got {value!r}")
    return tuple(v.strip() for v in value)


def _positive(value: Any, info: ValidationInfo) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problem(f"{info.field_name} must be a number, got {value!r}")
    if value < 0:
        problem(f"{info.field_name} must not be negative, got {value!r}")
    return float(value)


def _whole(value: Any, info: ValidationInfo) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problem(f"{info.field_name} must be a whole number of at least 1, got {value!r}")
    return value


_Names = Annotated[tuple[str, ...], PlainValidator(_names)]
_Number = Annotated[float, PlainValidator(_positive)]
_Whole = Annotated[int, PlainValidator(_whole)]


class WatchFilter(BaseModel):
    """What a story must have to match: every key given must hold (AND); within a list, one
    name is enough (OR). Names are the taxonomy's canonical names, compared case-blind."""

    model_config = _strict()

    organisations: _Names = ()
    accelerators: _Names = ()
    topics: _Names = ()
    places: _Names = ()
    languages: _Names = ()
    sources: _Names = ()
    min_gw: _Number | None = None  # the story's power figure (deals view), in GW
    min_usd: _Number | None = None  # the story's money figure converted to USD
    relevance: _Number | None = None  # the best relevance among the story's articles, 0 to 1

    @field_validator("languages", mode="after")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for lang in value:
            if not re.fullmatch("[a-z]{2}", lang):
                problem(f"languages: {lang!r} is not a two-letter code ({', '.join(LANGUAGES)})")
        return value

    @field_validator("relevance", mode="after")
    @classmethod
    def _relevance(cls, value: float | None) -> float | None:
        if value is not None and value > 1:
            problem(f"relevance is a score from 0 to 1, got {value:g}")
        return value

    @model_validator(mode="after")
    def _something(self) -> WatchFilter:
        if not any(getattr(self, k) for k in FILTER_LISTS) and all(
            getattr(self, k) is None for k in ("min_gw", "min_usd", "relevance")
        ):
            problem("filter: give at least one condition (an empty filter would match every "
                    "story; `relevance = 0` says so on purpose)")  # fmt: skip
        return self


def _url(value: Any, info: ValidationInfo) -> str:
    """An Apprise URL that Apprise knows how to send to (secrets are not printed back)."""
    if not isinstance(value, str) or "://" not in value:
        problem(f"notify: {value!r} is not an Apprise URL (scheme://…, e.g. mailto://, json://)")
    from gigawatch.watches.deliver import channel_problem

    wrong = channel_problem(value)
    if wrong:
        problem(f"notify: {wrong}")
    return value


class Watch(BaseModel):
    """One ``[[watch]]`` entry."""

    model_config = _strict()

    name: str
    description: str = ""
    filter: WatchFilter | None = None
    sql: str | None = None
    notify: tuple[Annotated[str, PlainValidator(_url)], ...] = ()
    updates: StrictBool = False
    digest: Literal["none", "daily", "weekly"] = "none"

    @field_validator("name", mode="plain")
    @classmethod
    def _name(cls, value: Any) -> str:
        if not isinstance(value, str) or not NAME_RE.match(value):
            problem(f"name must be lowercase letters, digits, '.', '_' or '-', got {value!r}")
        return value

    @field_validator("sql", mode="plain")
    @classmethod
    def _sql(cls, value: Any) -> str | None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problem(f"sql must be one SELECT query returning a story_id column, got {value!r}")
        return value

    @field_validator("notify", mode="before")
    @classmethod
    def _notify(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            problem(f"notify must be a list of Apprise URLs, got {value!r}")
        return value

    @field_validator("digest", mode="plain")
    @classmethod
    def _digest(cls, value: Any) -> str:
        if value not in DIGESTS:
            problem(f"digest must be one of {', '.join(DIGESTS)}, got {value!r}")
        return str(value)

    @model_validator(mode="wrap")
    @classmethod
    def _one_kind(cls, data: Any, handler: Callable[[Any], Watch]) -> Watch:
        """Exactly one of ``filter`` and ``sql``, reported with the entry's other problems."""
        if not isinstance(data, dict) or ("filter" in data) != ("sql" in data):
            return handler(data)
        details: list[InitErrorDetails] = []
        try:
            handler(data)
        except ValidationError as exc:
            details = _again(exc)
        both = "filter" in data
        need = (
            "give a filter or an sql query, not both" if both else "needs a filter or an sql query"
        )
        _raise(cls.__name__, [*details, _detail((), need, data)])

    @property
    def kind(self) -> str:
        return "sql" if self.sql is not None else "filter"


class DeliverySettings(BaseModel):
    """``[delivery]``: how hard a channel is tried before its failure is recorded."""

    model_config = _strict()

    attempts: _Whole = 3
    backoff: _Number = 1.0  # seconds before the second attempt, doubled before each next one
    timeout: _Number = 10.0  # seconds to connect and to read, per attempt


class SqlSettings(BaseModel):
    """``[sql]``: the sandbox limits of a watch's query (as `gigawatch query` --timeout)."""

    model_config = _strict()

    timeout: _Number = 10.0
    max_rows: _Whole = 10_000


def _label(loc: tuple[int | str, ...], data: Any) -> tuple[str, str | None]:
    if not loc:
        return "top level", None
    if loc[0] in ("delivery", "sql"):
        return f"[{loc[0]}]", str(loc[1]) if len(loc) > 1 else None
    if loc[0] == "watch" and len(loc) > 1 and isinstance(loc[1], int):
        label = f"watch[{loc[1]}]" + _named(_item(data, "watch", loc[1]))
        rest = [str(p) for p in loc[2:] if not isinstance(p, int)]
        if rest and rest[0] == "filter" and len(rest) > 1:
            return label, f"filter.{rest[1]}"
        return label, rest[0] if rest else None
    return "top level" if len(loc) == 1 else str(loc[0]), str(loc[-1])


class WatchesFile(BaseModel):
    """The watches file: ``[delivery]``, ``[sql]`` and ``[[watch]]`` entries, unique names."""

    model_config = _strict()
    STYLE: ClassVar[Style] = Style(label=_label, missing="missing {key!r}")

    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    sql: SqlSettings = Field(default_factory=SqlSettings)
    watch: tuple[Watch, ...] = ()

    @field_validator("watch", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        if not isinstance(value, list):
            problem("watch must be an array of tables ([[watch]])", whole=True)
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _unique(cls, data: Any, handler: Callable[[Any], WatchesFile]) -> WatchesFile:
        """A watch name is used once (as sources.toml's source names)."""
        return unique_names(cls.__name__, data, handler, "watch")

    def named(self, name: str) -> Watch:
        for w in self.watch:
            if w.name == name:
                return w
        known = ", ".join(w.name for w in self.watch) or "none"
        raise KeyError(f"no watch named {name!r} (the file has: {known})")


register_root(WatchesFile)
