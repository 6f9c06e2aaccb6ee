"""Benchmark the trend views on a generated warehouse of 1M articles.

    python bench/bench_views.py                  # generate (once) and time, 1M articles
    python bench/bench_views.py --n 200000 --db /tmp/small.duckdb --regenerate

The warehouse is created with the real migrations (``warehouse.schema.ensure_schema``) and filled
with DuckDB SQL (``INSERT ... SELECT ... FROM range(n)``), with a fixed seed: articles from 40
outlets in four languages over two years (about 1,370 a day), 85 % relevant, stories of one to
four articles with 8 % exact duplicates, ~3 organisations, one accelerator and two topics per
article (real taxonomy names, skewed so a few names dominate, one rare name rising in the last
week), one power or money figure in most articles, and one fetch per article plus hourly feed
fetches with some failures (two outlets dead). The trend tables are then rebuilt from those
rows, as ``gigawatch restory`` does (the time is printed). The file is kept between runs
(``--regenerate`` to rebuild it).

Each view is timed in a fresh read-only connection, median of 3 after one warm-up run:
``full``: ``CREATE TEMP TABLE AS SELECT * FROM view`` (every row and column of the whole
history materialised) and ``query``: a typical question, the last 12 weeks (what the CLI and the
report ask). Target: < 200 ms each. Then what keeping the trend tables costs an ingest: a
refresh after a batch of 1,000 articles, and after an empty one (rolled back). The load
average is printed: on a shared machine the figures move with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from gigawatch.taxonomy import load_taxonomy  # noqa: E402
from warehouse import db as wh  # noqa: E402
from warehouse import schema, trend_store  # noqa: E402

SOURCES = 40
DAYS = 730
START = "2024-01-01 00:00:00+00"

# Typical questions, one per view: what `gigawatch trends` and the report ask, for the last
# 12 weeks of the generated data (it ends on 2025-12-30).
QUERIES = {
    "trend_articles": (
        "SELECT week, count(*), count(DISTINCT story_id) FROM trend_articles "
        "WHERE week >= DATE '2025-10-06' GROUP BY week"
    ),
    "org_weekly": "SELECT * FROM org_weekly WHERE week >= DATE '2025-10-06'",
    "topic_weekly": "SELECT * FROM topic_weekly WHERE week >= DATE '2025-10-06'",
    "deals": (
        "SELECT kind, count(*), sum(value) FROM deals "
        "WHERE first_seen >= TIMESTAMPTZ '2025-10-06' GROUP BY kind"
    ),
    "power_deals": (
        "SELECT * FROM power_deals WHERE first_seen >= TIMESTAMPTZ '2025-10-06' "
        "ORDER BY gw DESC LIMIT 20"
    ),
    "money_deals": (
        "SELECT * FROM money_deals WHERE first_seen >= TIMESTAMPTZ '2025-10-06' "
        "ORDER BY amount_usd DESC LIMIT 20"
    ),
    "cooccurrence": (
        "SELECT org_a, org_b, sum(stories) AS s FROM cooccurrence "
        "WHERE month >= DATE '2025-10-01' GROUP BY ALL ORDER BY s DESC LIMIT 20"
    ),
    "stories": (
        "SELECT * FROM stories WHERE first_seen >= TIMESTAMPTZ '2025-10-06' "
        "ORDER BY n_sources DESC, n_articles DESC LIMIT 20"
    ),
    "rising": "SELECT * FROM rising",
    "source_health": "SELECT * FROM source_health ORDER BY source",
}


def _names(con: duckdb.DuckDBPyConnection) -> None:
    tax = load_taxonomy()
    con.execute("CREATE TEMP TABLE names (kind VARCHAR, idx INTEGER, name VARCHAR)")
    for kind, items in (("org", tax.organisations), ("chip", tax.accelerators),
                        ("topic", tax.topics)):  # fmt: skip
        con.executemany(
            "INSERT INTO names VALUES (?, ?, ?)", [(kind, i, x.name) for i, x in enumerate(items)]
        )


def generate(db: Path, n: int) -> None:
    if db.exists():
        db.unlink()
    schema.ensure_schema(db)
    con = wh.connect(db)
    con.execute("SELECT setseed(0.42)")
    _names(con)
    counts = dict(con.execute("SELECT kind, count(*) FROM names GROUP BY kind").fetchall())
    started = time.perf_counter()
    # Articles in publication order: id i, published over DAYS days.
    con.execute(f"""
        CREATE TEMP TABLE gen AS
        SELECT
            i,
            (hash(i) >> 1)::BIGINT AS article_id,  -- spread like sha1-derived ids
            (hash(i) % {SOURCES})::INTEGER AS src,
            ['en', 'en', 'fr', 'de', 'es'][1 + (hash(i * 7) % 5)::INTEGER] AS language,
            TIMESTAMPTZ '{START}' + to_seconds((i * {DAYS}::BIGINT * 86400) // {n})
                AS published_at,
            -- stories: runs of 1 to 4 consecutive articles; the first one is the story's id
            (hash(i - (i % (1 + (hash(i // 4) % 4)::INTEGER))) >> 1)::BIGINT AS story_id,
            (hash(i * 13) % 100) < 85 AS relevant
        FROM range({n}) AS r(i)
    """)
    con.execute("""
        INSERT INTO documents
        SELECT article_id, 'https://outlet' || src || '.example/news/' || i, 'outlet' || src,
               'f' || i, 'b' || i, 'Story ' || story_id || ' told by outlet ' || src, NULL,
               published_at, language, NULL, NULL, 'text of article ' || i,
               published_at + INTERVAL 2 HOUR, published_at + INTERVAL 2 HOUR, 'bench', NULL
        FROM gen
    """)
    con.execute("""
        INSERT INTO article_tags
        SELECT article_id, language, CASE WHEN relevant THEN 0.9 ELSE 0.1 END, relevant,
               'bench', published_at, NULL, NULL
        FROM gen
    """)
    con.execute("""
        INSERT INTO article_dedupe
        SELECT article_id,
               CASE WHEN article_id <> story_id AND hash(i * 17) % 100 < 12 THEN story_id END,
               CASE WHEN article_id <> story_id AND hash(i * 17) % 100 < 12 THEN 'exact' END,
               NULL, story_id, NULL
        FROM gen
    """)
    # Mentions: 3 organisations, 1 accelerator, 2 topics per article, skewed towards the first
    # names (x^3 of a uniform draw); a story's articles mostly name the same organisations.
    con.execute(f"""
        INSERT INTO tag_mentions
        SELECT DISTINCT ON (m.article_id, m.kind, n.name) m.article_id, m.kind, n.name, m.cnt
        FROM (
            SELECT g.article_id, 'org' AS kind,
                   (hash(g.story_id, 31, k) % 1000 / 1000.0) AS u, 1 + (hash(g.i + k) % 5) AS cnt
            FROM gen AS g, range(3) AS t(k)
            UNION ALL
            SELECT g.article_id, 'chip', (hash(g.story_id, 37) % 1000 / 1000.0), 1 FROM gen AS g
            UNION ALL
            SELECT g.article_id, 'topic', (hash(g.i * 41 + k) % 1000 / 1000.0), 1
            FROM gen AS g, range(2) AS t(k)
        ) AS m
        JOIN names AS n ON n.kind = m.kind AND n.idx = floor(
            power(m.u, 3) * CASE m.kind WHEN 'org' THEN {counts["org"]}
                                        WHEN 'chip' THEN {counts["chip"]}
                                        ELSE {counts["topic"]} END)::INTEGER
    """)
    # One rarely named organisation (the taxonomy's last) rises in the last week: named in
    # one article in ten, so that `rising` has something to find.
    con.execute(f"""
        INSERT INTO tag_mentions
        SELECT g.article_id, 'org', n.name, 2
        FROM gen AS g
        JOIN names AS n ON n.kind = 'org' AND n.idx = {counts["org"] - 1}
        WHERE g.published_at >= TIMESTAMPTZ '{START}' + to_days({DAYS - 7})
          AND hash(g.i * 43) % 10 = 0
          AND NOT EXISTS (SELECT 1 FROM tag_mentions AS m WHERE m.article_id = g.article_id
                          AND m.kind = 'org' AND m.name = n.name)
    """)
    # Facts: a power or money figure in 70 % of articles (the story's figure, retold), and a
    # second, other figure in 30 %; orgs from the article's mentions.
    con.execute("""
        INSERT INTO tag_facts
        SELECT g.article_id, f.seq, f.kind, f.value, NULL,
               CASE f.kind WHEN 'power' THEN 'GW' ELSE 'USD' END,
               CASE f.kind WHEN 'money' THEN 'USD' END,
               CASE f.kind WHEN 'money' THEN f.value END,
               NULL, false, 'A sentence with a figure in article ' || g.i, 0, 10,
               ['Nvidia', 'OpenAI'][1:(hash(g.i) % 3)::INTEGER]
        FROM gen AS g,
        LATERAL (
            SELECT 0 AS seq,
                   CASE WHEN hash(g.story_id, 3) % 2 = 0 THEN 'power' ELSE 'money' END AS kind,
                   CASE WHEN hash(g.story_id, 3) % 2 = 0
                        THEN (1 + hash(g.story_id, 5) % 50) / 10.0
                        ELSE (1 + hash(g.story_id, 5) % 500) * 1e8 END AS value
            WHERE hash(g.i * 19) % 100 < 70
            UNION ALL
            SELECT 1, 'money', (1 + hash(g.i * 23) % 900) * 1e7
            WHERE hash(g.i * 29) % 100 < 30
        ) AS f
    """)
    # Fetches: one per article, and hourly feed fetches per outlet (two outlets dead since
    # the last month, a few errors elsewhere).
    con.execute("""
        INSERT INTO fetches
        SELECT 'f' || g.i, 'run' || (g.i // 5000), d.source, 'article', d.url, d.url,
               200, 'text/html', d.fetched_at, 'stored', NULL, d.body_sha1
        FROM gen AS g JOIN documents AS d USING (article_id)
    """)
    con.execute(f"""
        INSERT INTO fetches
        SELECT 'feed' || s || '-' || h, 'feedrun' || h, 'outlet' || s, 'feed',
               'https://outlet' || s || '.example/feed.xml', NULL,
               CASE WHEN dead THEN NULL WHEN bad THEN 500 ELSE 200 END,
               'application/rss+xml', TIMESTAMPTZ '{START}' + to_hours(h::BIGINT),
               CASE WHEN dead THEN 'network_error' WHEN bad THEN 'http_error' ELSE 'ok' END,
               CASE WHEN dead THEN 'connection refused' WHEN bad THEN 'HTTP 500' END, NULL
        FROM (
            SELECT s, h, s < 2 AND h > {(DAYS - 30) * 24} AS dead,
                   hash(s * 100000 + h) % 50 = 0 AS bad
            FROM range({SOURCES}) AS a(s), range({DAYS * 24}) AS b(h)
        )
    """)
    con.execute("CHECKPOINT")
    loaded = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    trend_store.rebuild(con)  # what `gigawatch restory` / `retag` do after their work
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    print(f"trend tables rebuilt in {time.perf_counter() - loaded:.1f} s")
    sizes = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in (
            "documents",
            "article_tags",
            "article_dedupe",
            "tag_mentions",
            "tag_facts",
            "fetches",
            *trend_store.TABLES,
        )  # fmt: skip
    }
    con.close()
    print(f"generated {db} in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{t} {c:,}" for t, c in sizes.items()))  # fmt: skip


def _time(db: Path, sql: str, repeat: int) -> tuple[float, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(sql).fetchall()  # warm-up: catalog, buffer pool
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            rows = con.execute(sql).fetchall()
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1000, len(rows)
    finally:
        con.close()


def _time_full(db: Path, view: str, repeat: int) -> tuple[float, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"CREATE TEMP TABLE w AS SELECT * FROM {view}")
        times = []
        for _ in range(repeat):
            con.execute("DROP TABLE w")
            t0 = time.perf_counter()
            con.execute(f"CREATE TEMP TABLE w AS SELECT * FROM {view}")
            times.append(time.perf_counter() - t0)
        rows = con.execute("SELECT count(*) FROM w").fetchone()[0]
        return statistics.median(times) * 1000, rows
    finally:
        con.close()


def _time_refresh(db: Path, batch: int, repeat: int) -> tuple[float, float]:
    """What keeping the trend tables costs an ingest: ``trend_store.refresh`` of the latest
    ``batch`` articles (as after they were loaded, tagged and folded), and of an empty batch
    (the check for stories changed elsewhere), each in a transaction rolled back after."""
    con = duckdb.connect(str(db))
    try:
        ids = [r[0] for r in con.execute(
            "SELECT article_id FROM documents ORDER BY published_at DESC LIMIT ?", [batch]
        ).fetchall()]  # fmt: skip
        out = []
        for wanted in (ids, []):
            times = []
            for _ in range(repeat + 1):
                con.execute("BEGIN TRANSACTION")
                t0 = time.perf_counter()
                trend_store.refresh(con, wanted)
                times.append(time.perf_counter() - t0)
                con.execute("ROLLBACK")
            out.append(statistics.median(times[1:]) * 1000)
        return out[0], out[1]
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="articles to generate")
    ap.add_argument("--db", type=Path, default=Path("data/bench-views.duckdb"))
    ap.add_argument("--regenerate", action="store_true", help="rebuild the warehouse file")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--view", action="append", help="only this view (repeatable)")
    args = ap.parse_args()

    if args.regenerate or not args.db.exists():
        generate(args.db, args.n)
    else:
        schema.ensure_schema(args.db)  # re-create the views from the current files
    n = duckdb.connect(str(args.db), read_only=True).execute(
        "SELECT count(*) FROM documents").fetchone()[0]  # fmt: skip
    threads = duckdb.connect(":memory:").execute("SELECT current_setting('threads')").fetchone()[0]
    print(
        f"{args.db}: {n:,} articles; DuckDB {duckdb.__version__}, {threads} threads; "
        f"median of {args.repeat}"
    )
    views = args.view or list(QUERIES)
    print(f"{'view':<16}{'full ms':>10}{'rows':>11}{'query ms':>11}{'rows':>8}  ok (< 200 ms)")
    worst = 0.0
    for view in views:
        full_ms, full_rows = _time_full(args.db, view, args.repeat)
        q_ms, q_rows = _time(args.db, QUERIES[view], args.repeat)
        worst = max(worst, full_ms, q_ms)
        ok = "yes" if max(full_ms, q_ms) < 200 else "NO"
        print(f"{view:<16}{full_ms:>10.0f}{full_rows:>11,}{q_ms:>11.0f}{q_rows:>8,}  {ok}")
    if not args.view:
        batch_ms, empty_ms = _time_refresh(args.db, 1000, args.repeat)
        print(
            f"ingest upkeep: refresh after a 1,000-article batch {batch_ms:.0f} ms, "
            f"after an empty one {empty_ms:.0f} ms"
        )
    print(
        f"slowest: {worst:.0f} ms; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
