"""Score the tagger and the story grouping on the signal evaluation set (issue 13), and gate CI.

    python eval/score_signal.py [--verbose] [--json] [--check | --record]

The set is ``eval/signal/<event>.toml``: one real event each, told by several fictional outlets
in EN/FR/DE/ES, every article annotated with the organisations, accelerators, power and money
figures a perfect tagger finds (format: the header of any of those files, and the README's
"Evaluation" section). Each file is validated; a bad one stops the run with an error naming
the file, the article and the key.

The articles go through the real pipeline, in a fresh DuckDB warehouse in a temporary folder
(``warehouse.schema.ensure_schema``): stored as documents, tagged by
``warehouse.tags.tag_articles``, then folded by ``warehouse.dedupe_store.fold_batch`` in
publication order, in a few batches (each one transaction), as ingest would. Then:

- orgs, chips: micro-averaged precision / recall / F1 of the canonical names in
  ``tag_mentions`` against the annotations;
- power (GW) and money ((currency, amount in that currency)): the same over the figures of
  ``tag_facts`` that are not repeats, two values equal within a relative 1e-6;
- stories: pairwise precision / recall / F1 over every pair of articles: a pair is positive
  when both tell the same event, predicted positive when ``article_dedupe`` puts both in one
  story (copies, reposts included, through their story).

``--check`` compares with ``eval/baseline.toml`` and exits 1 naming every metric more than its
tolerance (default 0.005) below the baseline; ``--record`` writes the current figures as the
baseline. ``make eval`` runs ``--check``, and so does ``make test``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import combinations
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ROOT = Path(__file__).resolve().parents[1]
SIGNAL = ROOT / "eval" / "signal"
BASELINE = ROOT / "eval" / "baseline.toml"
DEFAULT_TOLERANCE = 0.005
REL_TOL = 1e-6
BATCHES = 4  # ingest batches the set is folded in, in publication order
KINDS = ("orgs", "chips", "power", "money")
CATEGORIES = (*KINDS, "stories")
MEASURES = ("precision", "recall", "f1")
ANGLES = ("announcement", "market", "local", "quote", "follow-up", "explainer", "repost")
LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "no")


# --------------------------------------------------------------------------- the set


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventInfo(_Strict):
    id: str = Field(min_length=1)
    date: date
    summary: str = Field(min_length=1)
    negatives: list[str] = []


class Article(_Strict):
    key: str = Field(min_length=1)
    source: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")
    language: Literal["en", "fr", "de", "es", "pt", "it", "no"]
    published: datetime
    angle: Literal["announcement", "market", "local", "quote", "follow-up", "explainer",
                   "repost"]  # fmt: skip
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    orgs: list[str] = []
    chips: list[str] = []
    power: list[float] = []
    money: list[tuple[str, float]] = []
    new_orgs: list[str] = []

    @field_validator("published")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2025-10-06T13:05:00+00:00")
        return v

    @field_validator("power")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        for x in v:
            if not (x > 0 and math.isfinite(x)):
                raise ValueError(f"power figures are positive GW values, not {x!r}")
        return v

    @field_validator("money")
    @classmethod
    def _money(cls, v: list[tuple[str, float]]) -> list[tuple[str, float]]:
        for code, amount in v:
            if len(code) != 3 or not code.isalpha() or not code.isupper():
                raise ValueError(f"currency {code!r} is not an ISO 4217 code such as 'USD'")
            if not (amount > 0 and math.isfinite(amount)):
                raise ValueError(f"money amounts are positive, not {amount!r}")
        return v


class EventFile(_Strict):
    event: EventInfo
    article: list[Article] = Field(min_length=1)


class EvalSetError(ValueError):
    """A file of the evaluation set is invalid (the message names the file and article)."""


@dataclass(frozen=True)
class EvalArticle:
    event: str
    key: str
    source: str
    url: str
    language: str
    published: datetime
    angle: str
    title: str
    text: str
    orgs: frozenset[str]
    chips: frozenset[str]
    power: tuple[float, ...]
    money: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class EvalSet:
    events: dict[str, EventInfo]
    articles: list[EvalArticle]


def paragraphs(text: str) -> str:
    """The text as extraction stores it: one line per paragraph (blank lines separate
    paragraphs in the files, whose lines may be wrapped)."""
    out = []
    for block in text.strip().split("\n\n"):
        line = " ".join(block.split())
        if line:
            out.append(line)
    return "\n".join(out)


def _where(data: object, loc: Sequence[int | str]) -> str:
    """'article 3 (key 'x/y'), power[0]' for a pydantic error location."""
    parts: list[str] = []
    rest = list(loc)
    if len(rest) >= 2 and rest[0] == "article" and isinstance(rest[1], int):
        i = rest[1]
        key = None
        if isinstance(data, dict):
            arts = data.get("article")
            if isinstance(arts, list) and i < len(arts) and isinstance(arts[i], dict):
                key = arts[i].get("key")
        parts.append(f"article {i + 1}" + (f" (key {key!r})" if key else ""))
        rest = rest[2:]
    elif rest and rest[0] == "event":
        parts.append("[event]")
        rest = rest[1:]
    if rest:
        parts.append(".".join(str(p) for p in rest))
    return ", ".join(parts) or "file"


def load_file(path: Path) -> EventFile:
    """One event file, validated; :class:`EvalSetError` names the file, article and key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EvalSetError(f"{path}: not valid TOML: {exc}") from exc
    try:
        parsed = EventFile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {_where(data, e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise EvalSetError("\n".join(lines)) from exc
    problems = []
    if parsed.event.id != path.stem:
        problems.append(f"[event] id {parsed.event.id!r} is not the file name {path.stem!r}")
    for i, a in enumerate(parsed.article):
        where = f"article {i + 1} (key {a.key!r})"
        if not a.key.startswith(f"{parsed.event.id}/"):
            problems.append(f"{where}: key must start with '{parsed.event.id}/'")
        unknown = set(a.new_orgs) - set(a.orgs)
        if unknown:
            problems.append(f"{where}: new_orgs {sorted(unknown)} are not in orgs")
    if problems:
        raise EvalSetError("\n".join(f"{path}: {p}" for p in problems))
    return parsed


def load_set(folder: Path = SIGNAL) -> EvalSet:
    """Every ``<event>.toml`` of ``folder``, validated; keys and URLs unique across files."""
    from gigawatch.urls import article_id, canonical_url

    files = sorted(folder.glob("*.toml"))
    if not files:
        raise EvalSetError(f"{folder}: no evaluation file (<event>.toml)")
    events: dict[str, EventInfo] = {}
    articles: list[EvalArticle] = []
    seen_keys: dict[str, Path] = {}
    seen_ids: dict[int, str] = {}
    for path in files:
        parsed = load_file(path)
        events[parsed.event.id] = parsed.event
        for a in parsed.article:
            if a.key in seen_keys:
                raise EvalSetError(f"{path}: article key {a.key!r} is also in {seen_keys[a.key]}")
            seen_keys[a.key] = path
            aid = article_id(canonical_url(a.url))
            if aid in seen_ids:
                raise EvalSetError(
                    f"{path}: article {a.key!r}: its URL is the same article as {seen_ids[aid]!r}"
                )
            seen_ids[aid] = a.key
            articles.append(EvalArticle(
                parsed.event.id, a.key, a.source, a.url, a.language,
                a.published.astimezone(UTC), a.angle, a.title, paragraphs(a.text),
                frozenset(a.orgs), frozenset(a.chips), tuple(a.power),
                tuple((c, float(v)) for c, v in a.money),
            ))  # fmt: skip
    for event_id, info in events.items():
        unknown = [n for n in info.negatives if n not in events]
        if unknown:
            raise EvalSetError(
                f"{folder / (event_id + '.toml')}: [event] negatives {unknown} are not events "
                "of the set"
            )
    return EvalSet(events, articles)


# --------------------------------------------------------------------------- metrics


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

    def measures(self) -> dict[str, float]:
        return {"precision": self.precision(), "recall": self.recall(), "f1": self.f1()}


def close(a: float, b: float, rel: float = REL_TOL) -> bool:
    """Two figures are one within a relative ``rel``."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


def _distinct(values: Iterable[tuple[str, float]], rel: float) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for tag, v in values:
        if not any(t == tag and close(v, w, rel) for t, w in out):
            out.append((tag, v))
    return out


def match_figures(
    gold: Iterable[tuple[str, float]], predicted: Iterable[tuple[str, float]], rel: float = REL_TOL
) -> tuple[Counts, list[tuple[str, float]], list[tuple[str, float]]]:
    """Match figures ((tag, value): tag "" for power, the currency for money), each counted
    once; returns the counts, the gold figures missed and the predicted ones not in gold."""
    g = _distinct(gold, rel)
    p = _distinct(predicted, rel)
    missed: list[tuple[str, float]] = []
    unmatched = list(p)
    for tag, v in g:
        hit = next((x for x in unmatched if x[0] == tag and close(x[1], v, rel)), None)
        if hit is None:
            missed.append((tag, v))
        else:
            unmatched.remove(hit)
    return Counts(len(g) - len(missed), len(unmatched), len(missed)), missed, unmatched


def match_names(
    gold: Iterable[str], predicted: Iterable[str]
) -> tuple[Counts, list[str], list[str]]:
    """Match canonical names; returns the counts, the names missed and those not in gold."""
    g, p = set(gold), set(predicted)
    return Counts(len(g & p), len(p - g), len(g - p)), sorted(g - p), sorted(p - g)


def pair_counts(truth: dict[str, str], predicted: dict[str, object]) -> Counts:
    """Pairwise counts: a pair is positive when both items have the same truth label,
    predicted positive when both have the same predicted label."""
    c = Counts()
    for a, b in combinations(sorted(truth), 2):
        t = truth[a] == truth[b]
        g = predicted[a] == predicted[b]
        c.tp += t and g
        c.fp += g and not t
        c.fn += t and not g
    return c


# --------------------------------------------------------------------------- the pipeline


@dataclass
class Predicted:
    """What the pipeline found for each article (by key)."""

    orgs: dict[str, set[str]] = field(default_factory=dict)
    chips: dict[str, set[str]] = field(default_factory=dict)
    power: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    money: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    story: dict[str, int] = field(default_factory=dict)
    duplicate_of: dict[str, str | None] = field(default_factory=dict)


def run_pipeline(eval_set: EvalSet, batches: int = BATCHES, keep: Path | None = None) -> Predicted:
    """Store, tag and fold the set in a fresh warehouse, in publication order; read back.
    ``keep``: where to leave a copy of the warehouse (to inspect with SQL)."""
    from gigawatch.urls import article_id, canonical_url
    from warehouse import db as wh
    from warehouse import schema
    from warehouse.dedupe_store import fold_batch
    from warehouse.tags import tag_articles

    ordered = sorted(eval_set.articles, key=lambda a: (a.published, a.key))
    ids = {a.key: article_id(canonical_url(a.url)) for a in ordered}
    key_of = {v: k for k, v in ids.items()}
    size = max(1, math.ceil(len(ordered) / max(1, batches)))
    now = datetime.now(UTC)
    out = Predicted()
    with tempfile.TemporaryDirectory(prefix="gigawatch-eval-") as tmp:
        path = Path(tmp) / "eval.duckdb"
        schema.ensure_schema(path)
        con = wh.connect(path)
        try:
            insert = wh.read_sql("eval/insert_document")
            for lo in range(0, len(ordered), size):
                chunk = ordered[lo : lo + size]
                con.execute("BEGIN TRANSACTION")
                for a in chunk:
                    con.execute(insert, {
                        "article_id": ids[a.key], "url": canonical_url(a.url),
                        "source": a.source,
                        "body_sha1": hashlib.sha1(a.text.encode()).hexdigest(),
                        "title": a.title, "published_at": a.published, "language": a.language,
                        "text": a.text, "fetched_at": now,
                    })  # fmt: skip
                batch_ids = [ids[a.key] for a in chunk]
                tag_articles(con, batch_ids)
                fold_batch(con, batch_ids)
                con.execute("COMMIT")
            for key in ids:
                out.orgs[key], out.chips[key] = set(), set()
                out.power[key], out.money[key] = [], []
            for aid, kind, name in con.execute(wh.read_sql("eval/mentions")).fetchall():
                (out.orgs if kind == "org" else out.chips)[key_of[aid]].add(name)
            for aid, kind, value, currency in con.execute(wh.read_sql("eval/facts")).fetchall():
                if kind == "power":
                    out.power[key_of[aid]].append(("", float(value)))
                else:
                    out.money[key_of[aid]].append((currency or "?", float(value)))
            for aid, story, dup in con.execute(wh.read_sql("eval/stories")).fetchall():
                out.story[key_of[aid]] = int(story)
                out.duplicate_of[key_of[aid]] = key_of.get(dup) if dup is not None else None
        finally:
            con.close()
        if keep is not None:
            shutil.copyfile(path, keep)
    missing = set(ids) - set(out.story)
    if missing:
        raise RuntimeError(f"articles without a story verdict: {sorted(missing)}")
    return out


# --------------------------------------------------------------------------- the score


@dataclass
class Miss:
    key: str
    kind: str
    missed: list[str]
    extra: list[str]


@dataclass
class Report:
    metrics: dict[str, dict[str, float]]
    counts: dict[str, Counts]
    misses: list[Miss]
    split: list[tuple[str, str]]  # same event, different stories
    merged: list[tuple[str, str]]  # different events, one story
    n_articles: int
    n_events: int

    def flat(self) -> dict[str, float]:
        """{'orgs_f1': ..., 'stories_precision': ...}."""
        return {f"{c}_{m}": v for c, ms in self.metrics.items() for m, v in ms.items()}


def _fmt_figure(kind: str, fig: tuple[str, float]) -> str:
    tag, v = fig
    return f"{v:g} GW" if kind == "power" else f"{tag} {v:,.0f}"


def score(eval_set: EvalSet, predicted: Predicted) -> Report:
    """Precision, recall and F1 of every category, and the misses behind them."""
    counts = {c: Counts() for c in CATEGORIES}
    misses: list[Miss] = []
    for a in eval_set.articles:
        per_kind: dict[str, tuple[Counts, list[str], list[str]]] = {
            "orgs": match_names(a.orgs, predicted.orgs[a.key]),
            "chips": match_names(a.chips, predicted.chips[a.key]),
        }
        for kind, gold, pred in (
            ("power", [("", v) for v in a.power], predicted.power[a.key]),
            ("money", list(a.money), predicted.money[a.key]),
        ):
            c, missed, extra = match_figures(gold, pred)
            per_kind[kind] = (c, [_fmt_figure(kind, f) for f in missed],
                              [_fmt_figure(kind, f) for f in extra])  # fmt: skip
        for kind, (c, missed_names, extra_names) in per_kind.items():
            counts[kind].add(c)
            if missed_names or extra_names:
                misses.append(Miss(a.key, kind, missed_names, extra_names))
    truth = {a.key: a.event for a in eval_set.articles}
    story = {a.key: predicted.story[a.key] for a in eval_set.articles}
    counts["stories"] = pair_counts(truth, story)
    split, merged = [], []
    for x, y in combinations(sorted(truth), 2):
        same, together = truth[x] == truth[y], story[x] == story[y]
        if same and not together:
            split.append((x, y))
        elif together and not same:
            merged.append((x, y))
    return Report(
        metrics={c: counts[c].measures() for c in CATEGORIES},
        counts=counts,
        misses=misses,
        split=split,
        merged=merged,
        n_articles=len(eval_set.articles),
        n_events=len(eval_set.events),
    )


# --------------------------------------------------------------------------- baseline


def read_baseline(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """(metrics, tolerances) of a baseline file; a metric without a tolerance gets the
    file's ``tolerance`` (default 0.005)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    metrics = {k: float(v) for k, v in data.get("metrics", {}).items()}
    default = float(data.get("tolerance", DEFAULT_TOLERANCE))
    given = data.get("tolerances", {})
    return metrics, {k: float(given.get(k, default)) for k in metrics}


def check(
    current: dict[str, float], baseline: dict[str, float], tolerances: dict[str, float]
) -> list[str]:
    """One line per metric more than its tolerance below the baseline (or no longer
    measured); empty when the gate passes."""
    failures = []
    for name, base in sorted(baseline.items()):
        tol = tolerances.get(name, DEFAULT_TOLERANCE)
        if name not in current:
            failures.append(f"{name}: in the baseline ({base:.4f}) but not measured")
        elif current[name] < base - tol - 1e-12:
            failures.append(
                f"{name}: {current[name]:.4f} is {base - current[name]:.4f} below the baseline "
                f"{base:.4f} (tolerance {tol})"
            )
    return failures


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=10)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip()


def baseline_text(report: Report, tolerance: float = DEFAULT_TOLERANCE) -> str:
    """The baseline file recording ``report``'s figures."""
    commit = _git("rev-parse", "--short", "HEAD")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Signal evaluation baseline (eval/score_signal.py --record): `make eval` and `make test`",
        "# fail when a metric drops more than its tolerance below these figures.",
        f"# Recorded at commit {commit} on {when}, on {report.n_articles} articles about "
        f"{report.n_events} events.",
        "# Per-metric tolerances may be set in a [tolerances] table (metric = value).",
        "",
        f"tolerance = {tolerance}",
        "",
        "[metrics]",
    ]
    for name, value in report.flat().items():
        lines.append(f"{name} = {value:.4f}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- output


def table(report: Report) -> str:
    head = f"{'':10}{'precision':>10}{'recall':>10}{'f1':>10}{'tp':>7}{'fp':>6}{'fn':>6}"
    rows = [f"signal evaluation: {report.n_articles} articles, {report.n_events} events", head]
    for c in CATEGORIES:
        m, n = report.metrics[c], report.counts[c]
        rows.append(f"{c:10}{m['precision']:>10.4f}{m['recall']:>10.4f}{m['f1']:>10.4f}"
                    f"{n.tp:>7}{n.fp:>6}{n.fn:>6}")  # fmt: skip
    return "\n".join(rows)


def details(report: Report, eval_set: EvalSet, predicted: Predicted) -> str:
    by_key = {a.key: a for a in eval_set.articles}
    out = ["", "misses (-) and false positives (+) per article:"]
    for m in report.misses:
        parts = [f"-{x}" for x in m.missed] + [f"+{x}" for x in m.extra]
        out.append(f"  {m.key:45} {m.kind:6} {'  '.join(parts)}")

    def label(k: str) -> str:
        a = by_key[k]
        dup = predicted.duplicate_of.get(k)
        copy = f", copy of {dup}" if dup else ""
        return f"{k} [{a.published:%m-%d %H:%M}{copy}] {a.title!r}"

    out.append("")
    out.append(f"split pairs (same event, different stories): {len(report.split)}")
    for x, y in report.split:
        out.append(f"  {label(x)}\n    | {label(y)}")
    out.append(f"merged pairs (different events, one story): {len(report.merged)}")
    for x, y in report.merged:
        out.append(f"  {label(x)}\n    | {label(y)}")
    out.append("")
    out.append("stories of each event (story id: members):")
    for event in sorted(eval_set.events):
        groups: dict[int, list[str]] = {}
        for a in eval_set.articles:
            if a.event == event:
                groups.setdefault(predicted.story[a.key], []).append(a.key.split("/", 1)[1])
        mark = "" if len(groups) == 1 else f"  <- {len(groups)} stories"
        out.append(f"  {event}{mark}")
        for sid, members in groups.items():
            others = sorted({a.event for a in eval_set.articles
                             if predicted.story[a.key] == sid and a.event != event})  # fmt: skip
            also = f"  (also: {', '.join(others)})" if others else ""
            out.append(f"    {sid}: {' '.join(sorted(members))}{also}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signal", type=Path, default=SIGNAL, help="folder of <event>.toml")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="baseline file")
    parser.add_argument("--batches", type=int, default=BATCHES, help="ingest batches")
    parser.add_argument("--keep", type=Path, help="leave a copy of the warehouse here")
    parser.add_argument("--verbose", action="store_true", help="every miss, split and merge")
    parser.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 below the baseline")
    mode.add_argument("--record", action="store_true", help="write the baseline")
    args = parser.parse_args(argv)

    try:
        eval_set = load_set(args.signal)
    except EvalSetError as exc:
        print(f"invalid evaluation set:\n{exc}", file=sys.stderr)
        return 2
    predicted = run_pipeline(eval_set, args.batches, args.keep)
    report = score(eval_set, predicted)
    if args.json:
        print(json.dumps({
            "articles": report.n_articles, "events": report.n_events,
            "metrics": report.metrics,
            "counts": {c: vars(n) for c, n in report.counts.items()},
            "split_pairs": report.split, "merged_pairs": report.merged,
            "misses": [vars(m) for m in report.misses],
        }, indent=2))  # fmt: skip
    else:
        print(table(report))
        if args.verbose:
            print(details(report, eval_set, predicted))
    if args.record:
        args.baseline.write_text(baseline_text(report), encoding="utf-8")
        print(f"baseline recorded in {args.baseline}", file=sys.stderr)
    if args.check:
        if not args.baseline.exists():
            print(f"no baseline at {args.baseline}: run with --record", file=sys.stderr)
            return 2
        metrics, tolerances = read_baseline(args.baseline)
        failures = check(report.flat(), metrics, tolerances)
        if failures:
            print("signal evaluation below the baseline:", file=sys.stderr)
            for line in failures:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"signal evaluation: every metric within tolerance of {args.baseline.name}",
              file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
