import gzip
from datetime import UTC, datetime

import pytest

from gigawatch.discovery import DiscoveryError, parse_feed, parse_sitemap

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://a.example/2025/10/06/one?utm_source=rss</link>
<pubDate>Mon, 06 Oct 2025 12:30:00 GMT</pubDate></item>
<item><title>No link</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>Two</title><link href="https://b.example/two"/><updated>2025-10-07T08:00:00Z</updated>
<id>x</id></entry></feed>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://a.example/x</loc>
<news:news><news:publication><news:name>A</news:name><news:language>en</news:language>
</news:publication><news:publication_date>2025-10-06T14:10:00+02:00</news:publication_date>
<news:title>X</news:title></news:news></url>
<url><loc>https://a.example/y</loc><lastmod>2025-10-08</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.example/s1.xml</loc></sitemap>
<sitemap><loc>https://a.example/s2.xml.gz</loc><lastmod>2025-10-31</lastmod></sitemap>
</sitemapindex>"""


def test_rss_items_with_dates_and_no_link_items_skipped():
    links, warning = parse_feed(RSS)
    assert warning is None
    assert [lk.url for lk in links] == ["https://a.example/2025/10/06/one?utm_source=rss"]
    assert links[0].published == datetime(2025, 10, 6, 12, 30, tzinfo=UTC)
    assert links[0].title == "One"


def test_atom_entries():
    links, _ = parse_feed(ATOM)
    assert links[0].url == "https://b.example/two"
    assert links[0].published == datetime(2025, 10, 7, 8, 0, tzinfo=UTC)


def test_malformed_feed_is_a_clear_error():
    with pytest.raises(DiscoveryError, match="malformed feed"):
        parse_feed(RSS[:120])
    with pytest.raises(DiscoveryError, match="not a feed"):
        parse_feed(b"<html><body>hello</body></html>")


def test_news_sitemap_dates_prefer_publication_date():
    content = parse_sitemap(NEWS)
    assert content.kind == "urlset"
    x, y = content.links
    assert x.published == datetime(2025, 10, 6, 12, 10, tzinfo=UTC)
    assert x.title == "X"
    assert y.published == datetime(2025, 10, 8, tzinfo=UTC)


def test_sitemap_index_and_gzip():
    content = parse_sitemap(gzip.compress(INDEX))
    assert content.kind == "sitemapindex"
    assert [lk.url for lk in content.links] == [
        "https://a.example/s1.xml",
        "https://a.example/s2.xml.gz",
    ]


def test_bad_sitemaps():
    with pytest.raises(DiscoveryError, match="not a sitemap"):
        parse_sitemap(b"<rss><channel/></rss>")
    with pytest.raises(DiscoveryError, match="bad gzip"):
        parse_sitemap(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(DiscoveryError):
        parse_sitemap(b"")
