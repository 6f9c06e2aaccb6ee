"""Benchmark deduplication and story grouping on generated corpora.

    python bench/bench_dedupe.py --sizes 10000,100000,1000000

For each size, DuckDB generates a corpus in a fresh warehouse (real migrations): articles of
~300 words from a 5,000-word vocabulary, of which 5% are exact copies, 10% near-copies (1 word
in 40 changed) of an earlier article, and the rest grouped in stories of 1–4 articles sharing
two organisations and a power figure within days of each other; tags (mentions, facts) are
generated with them. It times a full rebuild (``warehouse.dedupe_store.rebuild``: signatures,
LSH buckets, story index, verdicts), prints articles/s and peak memory (this process and its
workers), checks the folding against the generated truth, and for the largest size times
adding one more batch of 1,000 articles to the whole history.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse import db as wh  # noqa: E402
from warehouse.dedupe_store import fold_batch, rebuild  # noqa: E402

GENERATE = """
CREATE OR REPLACE TEMP TABLE vocab AS
SELECT list('w' || i::VARCHAR) AS words FROM range(5000) t(i);

CREATE OR REPLACE TEMP TABLE plan AS
SELECT
    i,
    CASE WHEN i >= 1000 AND i % 20 = 0 THEN 'exact'
         WHEN i >= 1000 AND i % 10 = 5 THEN 'near'
         ELSE 'orig' END                                   AS kind,
    CASE WHEN i >= 1000 AND (i % 20 = 0 OR i % 10 = 5)
         THEN (hash(i) % (i - 500))::BIGINT ELSE i END      AS base,
    i // 3                                                 AS story
FROM range($start, $stop) t(i);

INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, title, published_at,
                       language, text, fetched_at, extracted_at, extractor)
SELECT
    p.i + $offset,
    'https://bench' || (p.i % 50)::VARCHAR || '.example/a/' || p.i::VARCHAR,
    'source' || (p.i % 50)::VARCHAR,
    'f', 's',
    'Story ' || p.story::VARCHAR || ' headline w' || (hash(p.story) % 5000)::VARCHAR,
    TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes((p.i * 7)::BIGINT),
    'en',
    array_to_string(list_transform(range(300), lambda x:
        CASE WHEN p.kind = 'near' AND hash(p.i, x) % 40 = 0
             THEN v.words[1 + (hash(p.i, x, 1) % 5000)::INTEGER]
             ELSE v.words[1 + (hash(p.base, x) % 5000)::INTEGER] END), ' '),
    TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes((p.i * 7)::BIGINT),
    now(), 'bench'
FROM plan AS p, vocab AS v;

INSERT INTO tag_mentions
SELECT p.i + $offset, 'org', 'Org' || ((hash(p.story, k) % 300)::INTEGER)::VARCHAR, 3 - k
FROM plan AS p, range(2) t(k);

INSERT INTO tag_facts (article_id, seq, kind, value, unit, currency, amount_usd, qualifier,
                       repeated, sentence, span_start, span_end, orgs)
SELECT p.i + $offset, 0, 'power', 1 + (hash(p.story) % 40)::INTEGER / 4.0, 'GW', NULL, NULL,
       NULL, false, 'A sentence.', 0, 10, []
FROM plan AS p;
"""


def generate(con, start: int, stop: int, offset: int = 0) -> None:
    values = {"start": start, "stop": stop, "offset": offset}
    for statement in [s for s in GENERATE.split(";\n") if s.strip()]:
        used = {k: v for k, v in values.items() if f"${k}" in statement}
        con.execute(statement, used or None)


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run(size: int, folder: Path, batch_add: bool) -> None:
    db = folder / f"dedupe-{size}.duckdb"
    wh.ensure_schema(db)
    con = wh.connect(db)
    t0 = time.perf_counter()
    generate(con, 0, size)
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute("BEGIN")
    summary = rebuild(con, batch_size=10_000)
    con.execute("COMMIT")
    dt = time.perf_counter() - t0
    exact_truth = con.execute(
        "SELECT count(*) FROM range($n) t(i) WHERE i >= 1000 AND i % 20 = 0", {"n": size}
    ).fetchone()[0]
    near_truth = con.execute(
        "SELECT count(*) FROM range($n) t(i) WHERE i >= 1000 AND i % 10 = 5", {"n": size}
    ).fetchone()[0]
    found = summary.exact + summary.near
    print(
        f"{size:>9,} articles: rebuild {dt:6.1f} s = {size / dt:8,.0f} articles/s | "
        f"peak RSS {peak_mb():6,.0f} MB | generated in {gen:.1f} s | "
        f"duplicates found {found:,} (exact {summary.exact:,}, near {summary.near:,}; "
        f"generated {exact_truth + near_truth:,}) | stories {summary.stories_new:,}",
        flush=True,
    )
    if batch_add:
        generate(con, size, size + 1000)
        ids = list(range(size, size + 1000))
        t0 = time.perf_counter()
        con.execute("BEGIN")
        fold_batch(con, ids)
        con.execute("COMMIT")
        print(f"adding a 1,000-article batch to {size:,}: {time.perf_counter() - t0:.2f} s")
    con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--dir", help="where to put the DuckDB files (default: a temp folder)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for size in sizes:
            run(size, Path(tmp), batch_add=size == max(sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
