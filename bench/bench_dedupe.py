"""Benchmark deduplication and stories: full rebuild of synthetic corpora, and one batch.

    python bench/bench_dedupe.py --sizes 10000,100000,1000000

For each size, a corpus is generated with a fixed seed into a DuckDB file (real migrations,
``documents`` and tag tables) in a temporary directory:

- articles of 300-600 words drawn from a 40,000-word Zipfian vocabulary, with sentences;
- 10% exact copies (other outlet, other case and punctuation) and 10% near copies (5% of
  the words edited in two to four runs, like a rewritten sentence, plus the outlet's own
  header and footer lines), published up to three days after their original;
- 20% of the originals in stories of 2 to 5 articles from different outlets over two days,
  sharing two principal organisations, often an accelerator, and a figure; the others have
  random organisations and figures;
- tags as the tagger would store them; one year of publication dates.

Then, each in a fresh process: ``rebuild`` of the whole corpus in one transaction (articles/s,
wall time, peak RSS of the process and of its signature workers), and ``fold_batch`` of 1,000
new articles (copies of recent ones, continuations of recent stories, new ones) added to that
history. Quality against the generator's truth is printed too: recall and precision of the
duplicates, and of the story grouping of originals.

Targets: 100k articles folded in under 60 s on 2 cores, growth close to linear, peak memory
under 4 GiB at 1M. ``--dir DIR`` keeps the databases; ``--workers N`` sets signature workers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 20251006
VOCAB = 40_000
ORGS = [f"Org{i:03d}" for i in range(300)]
CHIPS = [f"Chip{i:02d}" for i in range(60)]
PLACES = [f"Place{i:02d}" for i in range(80)]
OUTLETS = [f"outlet{i:03d}" for i in range(200)]
START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH_NEW = 1_000


# --- corpus --------------------------------------------------------------------------------


def vocabulary(rng: np.random.Generator) -> np.ndarray:
    syll = ["ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "de", "va", "gri", "sto", "le",
            "an", "or", "em", "ix", "ul", "be", "co", "fa", "ge", "hu", "jo"]  # fmt: skip
    words = set()
    while len(words) < VOCAB:
        n = int(rng.integers(1, 5))
        words.add("".join(syll[int(i)] for i in rng.integers(0, len(syll), n)))
    return np.array(sorted(words), dtype=object)


class Corpus:
    """Deterministic synthetic articles with known duplicate groups and stories."""

    def __init__(self, seed: int = SEED):
        self.rng = np.random.default_rng(seed)
        self.vocab = vocabulary(self.rng)
        ranks = np.arange(1, VOCAB + 1)
        p = 1.0 / ranks**1.05
        self.cdf = np.cumsum(p / p.sum())
        self.next_id = 1
        self.store: dict[int, dict] = {}  # recent articles, for copies (bounded)
        self.stories: list[dict] = []  # recent stories

    def words(self, n: int) -> np.ndarray:
        return np.searchsorted(self.cdf, self.rng.random(n))

    def render(self, idx: np.ndarray, upper_first: bool = False) -> str:
        words = self.vocab[idx].tolist()
        out = []
        for i in range(0, len(words), 14):
            chunk = words[i : i + 14]
            first = chunk[0].upper() if upper_first and i == 0 else chunk[0].capitalize()
            out.append(" ".join([first, *chunk[1:]]) + ".")
        return " ".join(out)

    def tags_random(self) -> tuple[dict, dict, dict, list]:
        rng = self.rng
        orgs = {ORGS[int(i)]: int(rng.integers(1, 7)) for i in rng.choice(300, rng.integers(1, 4))}
        chips = {CHIPS[int(rng.integers(60))]: 1} if rng.random() < 0.3 else {}
        places = {PLACES[int(rng.integers(80))]: int(rng.integers(1, 3))}
        facts = [self.fact() for _ in range(int(rng.integers(0, 3)))]
        return orgs, chips, places, facts

    def fact(self) -> tuple[str, float, float | None]:
        if self.rng.random() < 0.5:
            return ("power", float(round(self.rng.uniform(0.05, 10), 2)), None)
        usd = float(round(self.rng.uniform(1e8, 1e11), -7))
        return ("money", usd, usd)

    def new_story(self, when: datetime) -> dict:
        rng = self.rng
        a, b = (ORGS[int(i)] for i in rng.choice(300, 2, replace=False))
        return {
            "orgs": (a, b),
            "chip": CHIPS[int(rng.integers(60))] if rng.random() < 0.6 else None,
            "fact": self.fact(),
            "place": PLACES[int(rng.integers(80))],
            "start": when,
            "left": int(rng.integers(2, 6)),
            "id": None,
        }

    def story_tags(self, story: dict) -> tuple[dict, dict, dict, list]:
        rng = self.rng
        a, b = story["orgs"]
        orgs = {a: int(rng.integers(4, 10)), b: int(rng.integers(3, 8))}
        for i in rng.choice(300, rng.integers(0, 3)):
            orgs.setdefault(ORGS[int(i)], int(rng.integers(1, 3)))
        chips = {story["chip"]: int(rng.integers(1, 4))} if story["chip"] else {}
        places = {story["place"]: int(rng.integers(1, 4))}
        facts = [story["fact"]] + ([self.fact()] if rng.random() < 0.4 else [])
        return orgs, chips, places, facts

    def article(self, when: datetime, allow_copies: bool = True) -> dict:
        """One new article published at ``when`` (an original, a copy or a story member)."""
        rng = self.rng
        aid = self.next_id
        self.next_id += 1
        roll = rng.random()
        outlet = OUTLETS[int(rng.integers(len(OUTLETS)))]
        recent = list(self.store.values())
        if allow_copies and recent and roll < 0.2:
            orig = recent[int(rng.integers(len(recent)))]
            when = orig["published"] + timedelta(hours=float(rng.uniform(1, 72)))
            idx = orig["idx"]
            if roll < 0.1:  # exact copy: other case and punctuation
                text = self.render(idx, upper_first=True).replace(".", " ;")
                kind = "exact"
            else:  # near copy: 5% of the words edited in 2-4 runs, own header and footer
                idx = idx.copy()
                n_edit = max(1, int(0.05 * len(idx)))
                runs = int(rng.integers(2, 5))
                for length in np.diff(np.linspace(0, n_edit, runs + 1).astype(int)):
                    at = int(rng.integers(0, max(1, len(idx) - length)))
                    idx[at : at + length] = self.words(int(length))
                head = f"Republished by {outlet} with permission."
                foot = f"Subscribe to the {outlet} newsletter for more."
                text = f"{head} {self.render(idx)} {foot}"
                kind = "near"
            return {"id": aid, "outlet": outlet, "published": when, "text": text,
                    "title": orig["title"], "tags": orig["tags"], "dup_of": orig["id"],
                    "story": orig["story"], "kind": kind}  # fmt: skip
        idx = self.words(int(rng.integers(300, 601)))
        story_id = None
        live = [s for s in self.stories if s["left"] > 0 and when - s["start"] < timedelta(2)]
        if live and roll < 0.4:
            story = live[int(rng.integers(len(live)))]
            story["left"] -= 1
            tags = self.story_tags(story)
            story_id = story["id"]
        elif roll < 0.45:
            story = self.new_story(when)
            story["id"] = aid
            self.stories = [s for s in self.stories if when - s["start"] < timedelta(2)]
            self.stories.append(story)
            tags = self.story_tags(story)
            story_id = aid
        else:
            tags = self.tags_random()
            story_id = aid
        title = " ".join(self.vocab[self.words(8)].tolist()).capitalize()
        art = {"id": aid, "outlet": outlet, "published": when, "text": self.render(idx),
               "title": title, "tags": tags, "dup_of": None, "story": story_id,
               "kind": "original", "idx": idx}  # fmt: skip
        self.store[aid] = art
        if len(self.store) > 2000:
            self.store.pop(next(iter(self.store)))
        return art


def write(con, articles: list[dict]) -> None:
    """Store articles as load_batch and the tagger would (documents, article_tags, tags)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    docs = con.appender("documents")
    docs.append_rows(
        (a["id"], f"https://{a['outlet']}.example/a/{a['id']}", a["outlet"], "f", "s",
         a["title"], None, a["published"], "en", None, None, a["text"], a["published"], now,
         "bench", None)
        for a in articles
    )  # fmt: skip
    docs.flush()
    tags = con.appender("article_tags")
    tags.append_rows((a["id"], "en", 1.0, True, "bench", now, None, None) for a in articles)
    tags.flush()
    mentions = con.appender("tag_mentions")
    facts = con.appender("tag_facts")
    for a in articles:
        orgs, chips, places, fs = a["tags"]
        mentions.append_rows(
            [(a["id"], "org", n, c) for n, c in orgs.items()]
            + [(a["id"], "chip", n, c) for n, c in chips.items()]
            + [(a["id"], "place", n, c) for n, c in places.items()]
        )
        facts.append_rows(
            (a["id"], seq, kind, value, None, "GW" if kind == "power" else "USD",
             "USD" if kind == "money" else None, usd, None, False, "", 0, 0, [])
            for seq, (kind, value, usd) in enumerate(fs)
        )  # fmt: skip
    mentions.flush()
    facts.flush()


def generate(db: Path, n: int) -> dict:
    """Write a corpus of ``n`` articles over one year; returns its truth and timing."""
    from warehouse import db as wh
    from warehouse import schema

    t0 = time.monotonic()
    schema.ensure_schema(db)
    con = wh.connect(db)
    corpus = Corpus()
    step = timedelta(days=365) / n
    truth_dup: dict[int, int] = {}
    truth_story: dict[int, int] = {}
    chunk: list[dict] = []
    for i in range(n):
        art = corpus.article(START + i * step)
        chunk.append(art)
        if art["dup_of"]:
            truth_dup[art["id"]] = art["dup_of"]
        else:
            truth_story[art["id"]] = art["story"]
        if len(chunk) == 5000:
            write(con, chunk)
            chunk = []
    if chunk:
        write(con, chunk)
    con.close()
    # the batch to add later: 1,000 new articles after the history, copies and continuations
    batch = [corpus.article(START + timedelta(days=365) + i * timedelta(minutes=5))
             for i in range(BATCH_NEW)]  # fmt: skip
    for art in batch:
        if art["dup_of"]:
            truth_dup[art["id"]] = art["dup_of"]
        else:
            truth_story[art["id"]] = art["story"]
    return {"seconds": time.monotonic() - t0, "truth_dup": truth_dup,
            "truth_story": truth_story, "batch": batch}  # fmt: skip


# --- measured runs (fresh processes) -------------------------------------------------------


def _peak_mib() -> tuple[float, float]:
    """Peak RSS of this process (VmHWM: ru_maxrss would include the parent's memory at the
    fork that started it) and of its largest worker."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(children, 1)


def _cpu_s() -> float:
    """CPU seconds of this process and its (finished) workers: less sensitive than wall time
    to other work on the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_rebuild(db: str, workers: int) -> None:
    from warehouse import db as wh
    from warehouse.dedupe_store import rebuild

    con = wh.connect(db)
    t0 = time.monotonic()
    con.execute("BEGIN TRANSACTION")
    summary = rebuild(con, workers=workers)
    t1 = time.monotonic()
    con.execute("COMMIT")
    t2 = time.monotonic()
    con.close()
    own, children = _peak_mib()
    print(json.dumps({"fold_s": t1 - t0, "commit_s": t2 - t1, "cpu_s": _cpu_s(), "peak_mib": own,
                      "workers_peak_mib": children, "articles": summary.articles,
                      "exact": summary.exact, "near": summary.near,
                      "stories_new": summary.stories_new}))  # fmt: skip


def run_batch(db: str, ids_file: str) -> None:
    from warehouse import db as wh
    from warehouse.dedupe_store import fold_batch

    ids = json.loads(Path(ids_file).read_text())
    t0 = time.monotonic()
    con = wh.connect(db)
    con.execute("BEGIN TRANSACTION")
    summary = fold_batch(con, ids)
    con.execute("COMMIT")
    t1 = time.monotonic()
    t2 = time.monotonic()
    again = fold_batch(con, ids)  # idempotence: nothing to do the second time
    t3 = time.monotonic()
    con.close()
    own, children = _peak_mib()
    print(json.dumps({"batch_s": t1 - t0, "again_s": t3 - t2, "again_articles": again.articles,
                      "cpu_s": _cpu_s(),
                      "peak_mib": own, "workers_peak_mib": children,
                      "articles": summary.articles, "exact": summary.exact,
                      "near": summary.near}))  # fmt: skip


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"child {args[0]} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def quality(db: Path, truth_dup: dict[int, int], truth_story: dict[int, int]) -> dict:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT article_id, duplicate_of, story_id FROM article_dedupe").fetchall()
    con.close()
    dup = {a: d for a, d, _s in rows if d is not None}
    story = {a: s for a, _d, s in rows}
    hit = sum(1 for a, d in truth_dup.items() if dup.get(a) == d)
    right = sum(1 for a, d in dup.items() if truth_dup.get(a) == d)
    # stories of originals: pairs within true groups kept together, and false merges
    groups: dict[int, list[int]] = {}
    for a, s in truth_story.items():
        if a in story:
            groups.setdefault(s, []).append(a)
    together = sum(1 for g in groups.values() for a in g[1:] if story[a] == story[g[0]])
    members = sum(len(g) - 1 for g in groups.values())
    got: dict[int, set[int]] = {}
    for a in truth_story:
        if a in story:
            got.setdefault(story[a], set()).add(truth_story[a])
    merged = sum(len(v) - 1 for v in got.values())
    return {
        "dup_recall": hit / max(1, len(truth_dup)),
        "dup_precision": right / max(1, len(dup)),
        "story_recall": together / max(1, members),
        "story_false_merges": merged,
        "stories_true": len(groups),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--workers", type=int, default=0, help="signature workers (0: CPUs)")
    parser.add_argument("--dir", help="keep the databases in this directory")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "rebuild":
            run_rebuild(rest[0], int(rest[1]))
        else:
            run_batch(rest[0], rest[1])
        return 0
    workers = args.workers or os.cpu_count() or 1
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-dedupe-"))
    tmp.mkdir(parents=True, exist_ok=True)
    print(f"dedupe benchmark: {os.cpu_count()} CPUs, {workers} signature workers, dir {tmp}")
    print(f"{'articles':>9} {'gen s':>7} {'rebuild s':>9} {'cpu s':>6} {'art/s':>7} "
          f"{'peak MiB':>8} {'workers':>8} {'+1k s':>6} {'+1k MiB':>7}  quality")  # fmt: skip
    try:
        for n in sizes:
            db = tmp / f"corpus-{n}.duckdb"
            if db.exists():
                db.unlink()
            gen = generate(db, n)
            reb = _child("--child", "rebuild", str(db), str(workers))
            from warehouse import db as wh

            con = wh.connect(db)
            write(con, gen["batch"])
            con.close()
            ids_file = tmp / f"batch-{n}.json"
            ids_file.write_text(json.dumps([a["id"] for a in gen["batch"]]))
            bat = _child("--child", "batch", str(db), str(ids_file))
            q = quality(db, gen["truth_dup"], gen["truth_story"])
            total_s = reb["fold_s"] + reb["commit_s"]
            print(
                f"{n:>9} {gen['seconds']:>7.1f} {total_s:>9.1f} {reb['cpu_s']:>6.0f} "
                f"{n / total_s:>7.0f} "
                f"{reb['peak_mib']:>8.0f} {reb['workers_peak_mib']:>8.0f} "
                f"{bat['batch_s']:>6.2f} {bat['peak_mib']:>7.0f}  "
                f"dups recall {q['dup_recall']:.3f} precision {q['dup_precision']:.3f}; "
                f"stories recall {q['story_recall']:.3f}, false merges "
                f"{q['story_false_merges']} of {q['stories_true']} stories",
                flush=True,
            )
            print(f"{'':>9} rebuild: {reb['exact']} exact, {reb['near']} near, "
                  f"{reb['stories_new']} stories, commit {reb['commit_s']:.1f} s; "
                  f"+1k batch: {bat['exact']} exact, {bat['near']} near, "
                  f"again {bat['again_s']:.2f} s ({bat['again_articles']} folded)",
                  flush=True)  # fmt: skip
            if not args.dir:
                db.unlink()
    finally:
        if not args.dir:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
