"""A story as a watch sees it (:class:`Snapshot`), whether a filter matches it, and what
changed since the last time it was sent.

Snapshots are read from the public views by ``warehouse/sql/watches/snapshots.sql``; nothing
here touches the warehouse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gigawatch.watches.model import WatchFilter


@dataclass(frozen=True)
class Snapshot:
    """One story now: its first article, how widely it was told, what it names, its figures."""

    story_id: int
    headline: str
    url: str
    first_seen: datetime | None
    last_seen: datetime | None
    n_articles: int
    n_sources: int
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    organisations: tuple[str, ...]
    accelerators: tuple[str, ...]
    topics: tuple[str, ...]
    places: tuple[str, ...]
    relevance: float | None  # the best relevance among its articles
    gw: float | None  # the story's power figure (deals view)
    usd: float | None  # its money figure in USD
    money: float | None = None  # the money figure in its own currency
    currency: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Snapshot:
        def names(key: str) -> tuple[str, ...]:
            return tuple(row.get(key) or ())

        return cls(
            story_id=int(row["story_id"]), headline=row.get("headline") or "(no title)",
            url=row.get("url") or "", first_seen=row.get("first_seen"),
            last_seen=row.get("last_seen"), n_articles=int(row.get("n_articles") or 0),
            n_sources=int(row.get("n_sources") or 0), sources=names("sources"),
            languages=names("languages"), organisations=names("organisations"),
            accelerators=names("accelerators"), topics=names("topics"), places=names("places"),
            relevance=row.get("relevance"), gw=row.get("gw"), usd=row.get("usd"),
            money=row.get("money"), currency=row.get("currency"),
        )  # fmt: skip

    def state(self) -> dict[str, Any]:
        """What an update is about: outlets, articles, figures (stored with the alert)."""
        return {"n_articles": self.n_articles, "n_sources": self.n_sources,
                "sources": list(self.sources), "gw": self.gw, "usd": self.usd}  # fmt: skip

    def state_json(self) -> str:
        return json.dumps(self.state(), sort_keys=True)

    def figures(self) -> list[str]:
        out = []
        if self.gw is not None:
            out.append(format_gw(self.gw))
        if self.money is not None or self.usd is not None:
            out.append(format_money(self.money, self.currency, self.usd))
        return out


def format_gw(gw: float) -> str:
    return f"{gw:,.1f} GW" if gw >= 1 or gw == 0 else f"{gw * 1000:,.0f} MW"


def format_money(value: float | None, currency: str | None, usd: float | None) -> str:
    amount, code = (value, currency or "USD") if value is not None else (usd, "USD")
    assert amount is not None
    if amount >= 1e9:
        text = f"{amount / 1e9:,.1f} bn {code}"
    elif amount >= 1e6:
        text = f"{amount / 1e6:,.0f} m {code}"
    else:
        text = f"{amount:,.0f} {code}"
    if code != "USD" and usd is not None:
        text += f" (≈ {usd / 1e9:,.1f} bn USD)" if usd >= 1e9 else f" (≈ {usd:,.0f} USD)"
    return text


def _any(wanted: tuple[str, ...], have: tuple[str, ...]) -> bool:
    if not wanted:
        return True
    folded = {h.casefold() for h in have}
    return any(w.casefold() in folded for w in wanted)


def matches(f: WatchFilter, s: Snapshot) -> bool:
    """Every condition of ``f`` holds for ``s`` (lists: one of the names is enough)."""
    lists = (
        (f.organisations, s.organisations), (f.accelerators, s.accelerators),
        (f.topics, s.topics), (f.places, s.places), (f.languages, s.languages),
        (f.sources, s.sources),
    )  # fmt: skip
    if not all(_any(wanted, have) for wanted, have in lists):
        return False
    if f.min_gw is not None and (s.gw is None or s.gw < f.min_gw):
        return False
    if f.min_usd is not None and (s.usd is None or s.usd < f.min_usd):
        return False
    return f.relevance is None or (s.relevance is not None and s.relevance >= f.relevance)


def changes(before: dict[str, Any], s: Snapshot) -> list[str]:
    """What is new in ``s`` since ``before`` (a :meth:`Snapshot.state`), in words; empty when
    nothing an update is about changed."""
    out = []
    new_sources = [x for x in s.sources if x not in (before.get("sources") or [])]
    if new_sources:
        out.append(f"now told by {s.n_sources} outlets (new: {', '.join(new_sources)})")
    if s.n_articles != before.get("n_articles") and not new_sources:
        out.append(f"now {s.n_articles} articles")
    if s.gw is not None and s.gw != before.get("gw"):
        out.append(f"figure: {format_gw(s.gw)}")
    if s.usd is not None and s.usd != before.get("usd"):
        out.append(f"figure: {format_money(s.money, s.currency, s.usd)}")
    return out
