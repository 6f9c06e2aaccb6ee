import pytest

from gigawatch.urls import article_id, canonical_url


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        (
            "HTTP://Example.COM:80/a/b/?utm_source=x&id=3&fbclid=1#frag",
            "http://example.com/a/b?id=3",
        ),
        ("https://example.com:443/a?gclid=abc", "https://example.com/a"),
        ("https://example.com/a/amp/", "https://example.com/a"),
        ("https://example.com/amp/a/b", "https://example.com/a/b"),
        ("https://example.com/x.amp.html?amp=1", "https://example.com/x.html"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com/", "https://example.com/"),
        (
            "http://127.0.0.1:8000/news/2025/10/06/x/?utm_medium=feed",
            "http://127.0.0.1:8000/news/2025/10/06/x",
        ),
        # tracking parameters, courlan's list and ours
        ("https://example.com/a?utm_campaign=x&utm_content=y&utm_term=z", "https://example.com/a"),
        (
            "https://example.com/a?mc_cid=1&mc_eid=2&msclkid=3&dclid=4&yclid=5",
            "https://example.com/a",
        ),
        ("https://example.com/a?igshid=1&xtor=RSS-1&ref=rss", "https://example.com/a"),
        ("https://example.com/a?CMP=share_btn_tw&ocid=x&smid=tw", "https://example.com/a"),
        ("https://example.com/a?__twitter_impression=true&_hsenc=1", "https://example.com/a"),
        ("https://example.com/a?guccounter=1&at_medium=custom7", "https://example.com/a"),
        # other parameters are kept, in a stable order
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/story?storyid=12&utm_source=x",
            "https://example.com/story?storyid=12",
        ),
        ("https://example.com/?p=123", "https://example.com/?p=123"),
        ("https://example.com/a?page=2", "https://example.com/a?page=2"),
        # AMP flags and variants
        ("https://example.com/a?amp", "https://example.com/a"),
        ("https://example.com/a?amp=true&id=4", "https://example.com/a?id=4"),
        ("https://example.com/a?outputType=amp", "https://example.com/a"),
        (
            "https://example.com/2025/10/06/openai-amd/amp/",
            "https://example.com/2025/10/06/openai-amd",
        ),
        ("https://example.com/news/article.amp", "https://example.com/news/article"),
        ("https://example.com/a.amp.htm", "https://example.com/a.htm"),
        ("https://example.com/ampere/x", "https://example.com/ampere/x"),
        ("https://example.com/campaign/amplifier", "https://example.com/campaign/amplifier"),
        (
            "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a/amp/",
            "https://www.example.com/a",
        ),
        (
            "https://www-example-com.cdn.ampproject.org/v/s/www.example.com/a?amp_js_v=0.1",
            "https://www.example.com/a",
        ),
        # paths, hosts, fragments
        ("https://example.com/a//b/", "https://example.com/a/b"),
        ("https://example.com/a#:~:text=hello", "https://example.com/a"),
        ("https://example.com/a;jsessionid=0A1B2C?id=1", "https://example.com/a?id=1"),
        ("https://EXAMPLE.com./a", "https://example.com/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com:8443/a/", "https://example.com:8443/a"),
        ("https://xn--bcher-kva.example/a", "https://bücher.example/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_variants_fold_to_one_url(variant, canonical):
    assert canonical_url(variant) == canonical


def test_distinct_articles_stay_distinct():
    urls = [
        "https://example.com/a",
        "https://example.com/b",
        "https://example.com/story?storyid=1",
        "https://example.com/story?storyid=2",
        "https://example.com/a?page=2",
        "https://www.example.com/a",
        "http://example.com/a",
        "https://example.com:8443/a",
    ]
    assert len({canonical_url(u) for u in urls}) == len(urls)


def test_page_canonical_on_the_same_site_wins_but_not_across_sites():
    assert canonical_url("https://a.example/x?utm_source=1", "https://www.a.example/y/") == (
        "https://www.a.example/y"
    )
    assert canonical_url("https://copy.example/x", "https://original.example/x") == (
        "https://copy.example/x"
    )
    assert canonical_url("https://a.example/x", "/relative") == "https://a.example/x"


def test_same_site_is_the_registered_domain():
    # subdomains of one registered domain are one site
    assert canonical_url("https://edition.cnn.com/x", "https://www.cnn.com/x") == (
        "https://www.cnn.com/x"
    )
    assert canonical_url("https://news.bbc.co.uk/x/amp", "https://www.bbc.co.uk/news/x") == (
        "https://www.bbc.co.uk/news/x"
    )
    # co.uk and github.io are public suffixes: different registrants, different sites
    assert canonical_url("https://a.co.uk/x", "https://b.co.uk/x") == "https://a.co.uk/x"
    assert canonical_url("https://a.github.io/x", "https://b.github.io/x") == (
        "https://a.github.io/x"
    )
    # without a registered domain, host and port decide (the demo outlets share 127.0.0.1)
    assert canonical_url("http://127.0.0.1:8001/x", "http://127.0.0.1:8002/x") == (
        "http://127.0.0.1:8001/x"
    )
    assert canonical_url("http://127.0.0.1:8001/x/", "http://127.0.0.1:8001/y") == (
        "http://127.0.0.1:8001/y"
    )


def test_syndicated_copy_keeps_its_own_url():
    copy = "https://computeweekly.example/2025/09/stargate.html?utm_source=rss"
    original = "https://gridledger.example/news/2025/09/23/stargate"
    assert canonical_url(copy, original) == "https://computeweekly.example/2025/09/stargate.html"


def test_canonical_to_the_home_page_is_ignored():
    assert canonical_url("https://a.example/news/x", "https://a.example/") == (
        "https://a.example/news/x"
    )
    assert canonical_url("https://a.example/?utm_source=x", "https://a.example/") == (
        "https://a.example/"
    )


def test_bad_page_canonicals_are_ignored():
    for bad in ("", "mailto:desk@a.example", "ftp://a.example/x", "//a.example/y", "not a url"):
        assert canonical_url("https://a.example/x/", bad or None) == "https://a.example/x"


def test_page_canonical_is_normalised_too():
    assert (
        canonical_url("https://a.example/x", "https://A.example/y/amp/?utm_medium=social#top")
        == "https://a.example/y"
    )


def test_ids_are_stable_signed_64_bit():
    one = article_id("https://example.com/a")
    assert one == article_id("https://example.com/a")
    assert one != article_id("https://example.com/b")
    assert -(2**63) <= one < 2**63
    # pinned: ids are stored, a change here would orphan every stored article
    assert article_id("https://example.com/a") == -4256715142368812815


def test_url_variants_share_an_id():
    variants = [
        "https://example.com/a/",
        "https://example.com/a?utm_source=rss",
        "https://example.com/a/amp/",
        "https://Example.com:443/a#comments",
    ]
    assert len({article_id(canonical_url(v)) for v in variants}) == 1


def test_not_http_is_an_error():
    with pytest.raises(ValueError, match="not an absolute"):
        canonical_url("ftp://example.com/x")
    with pytest.raises(ValueError, match="not an absolute"):
        canonical_url("/relative/path")
