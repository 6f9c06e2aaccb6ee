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
    ],
)
def test_variants_fold_to_one_url(variant, canonical):
    assert canonical_url(variant) == canonical


def test_page_canonical_on_the_same_site_wins_but_not_across_sites():
    assert canonical_url("https://a.example/x?utm_source=1", "https://www.a.example/y/") == (
        "https://www.a.example/y"
    )
    assert canonical_url("https://copy.example/x", "https://original.example/x") == (
        "https://copy.example/x"
    )
    assert canonical_url("https://a.example/x", "/relative") == "https://a.example/x"


def test_ids_are_stable_signed_64_bit():
    one = article_id("https://example.com/a")
    assert one == article_id("https://example.com/a")
    assert one != article_id("https://example.com/b")
    assert -(2**63) <= one < 2**63


def test_not_http_is_an_error():
    with pytest.raises(ValueError, match="not an absolute"):
        canonical_url("ftp://example.com/x")
