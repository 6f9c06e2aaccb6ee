"""extract_page parses each page once (issue 12): its trafilatura pass on that tree gives what
``trafilatura.bare_extraction`` gives on the page, and the link texts and headlines read from
the tree are those of a separate lxml parse, as before."""

from __future__ import annotations

import re

import lxml.html
import pytest
import trafilatura

from gigawatch.demo import SITE_DIR
from gigawatch.extract import (
    EXTRACT_OPTIONS,
    _bare_extraction,
    decode_body,
    flatten_nesting,
    headlines,
    link_texts,
    parse_page,
)

FIELDS = ("title", "author", "url", "hostname", "date", "sitename", "description", "text")
DEMO_PAGES = sorted(SITE_DIR.rglob("*.html"))

PARA = (
    "The operator said on Tuesday that it had signed a long-term power purchase agreement for "
    "1.5 gigawatts with a regional utility, enough to run the first three halls of its campus. "
)
HOSTILE = {
    "xhtml": '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Power deal | Grid News</title>'
    '<meta name="author" content="Anna Schmidt"/></head><body><h1>Power deal</h1>'
    f'<p><a href="/x">Home<!-- nav --></a> | <a href="/y">About</a></p><p>{PARA * 4}</p>'
    "</body></html>",
    "deep": "<html><head><title>Deep</title></head><body>"
    + "<div>" * 400
    + f"<h1>Deep page</h1><p>{PARA * 4}</p>"
    + "</div>" * 400
    + "</body></html>",
    "markup title": "<html><head><title>x</title></head><body>"
    f"<h1>Why &lt;img src=x&gt; tags leak</h1><p>{PARA * 4}</p></body></html>",
    "no h1": "<html><head><title>Only a title</title></head><body>"
    f"<article><p>{PARA * 5}</p></article></body></html>",
}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _pages() -> list[tuple[str, str, str]]:
    out = []
    for path in DEMO_PAGES:
        rel = path.relative_to(SITE_DIR)
        url = f"http://{rel.parts[0]}.example/" + "/".join(rel.parts[1:])
        out.append((str(rel), decode_body(path.read_bytes(), None), url))
    out += [(name, html, f"http://hostile.example/{i}") for i, (name, html) in
            enumerate(HOSTILE.items())]  # fmt: skip
    return out


PAGES = _pages()


def test_the_demo_site_is_there():
    assert len(DEMO_PAGES) >= 48


@pytest.mark.parametrize(("name", "html", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_one_parse_gives_what_bare_extraction_gives(name: str, html: str, url: str):
    theirs = trafilatura.bare_extraction(flatten_nesting(html), url=url, **EXTRACT_OPTIONS)
    ours = _bare_extraction(parse_page(html), url)
    if theirs is None:
        assert ours is None
        return
    assert ours is not None
    for field in FIELDS:
        assert getattr(ours, field) == getattr(theirs, field), field


@pytest.mark.parametrize(("name", "html", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_links_and_headlines_from_the_one_tree(name: str, html: str, url: str):
    """As read from a separate lxml parse (default parser, comments kept) of the page."""
    flat = flatten_nesting(html)
    separate = lxml.html.fromstring(_XML_DECLARATION.sub("", flat, count=1))
    tree = parse_page(html)
    assert link_texts(tree) == link_texts(separate)
    assert headlines(tree) == headlines(separate)


def test_a_deep_page_is_flattened_before_it_is_parsed():
    deep = (
        "<html><body>" + "<div>" * 5000 + f"<p>{PARA * 3}</p>" + "</div>" * 5000 + "</body></html>"
    )
    tree = parse_page(deep)
    assert PARA.strip() in tree.text_content()
    doc = _bare_extraction(tree, "http://hostile.example/deep")
    assert doc is not None and PARA.strip()[:60] in doc.text


def test_small_batches_go_to_the_pool_once_it_is_up():
    """A batch of 1-3 pages is extracted in the pool once it is started, so that the flow's
    own process never loads a tagger (and trafilatura) for a small last batch."""
    import base64
    import zlib

    import gigawatch.tagger as tagger_module
    from gigawatch.extract import extract_pages, shutdown_pool

    def page(i: int, path):
        body = base64.b64encode(zlib.compress(path.read_bytes())).decode()
        return {"fetch_id": str(i), "body": body, "url": f"http://demo.example/{i}"}

    pages = [page(i, path) for i, path in enumerate(DEMO_PAGES[:10])]
    tagger_module.configure_worker(None)  # no tagger built in this process
    try:
        big = extract_pages(pages[:8], workers=2, tag=True)
        small = extract_pages(pages[8:], workers=2, tag=True)
        assert tagger_module._worker is None
        assert [e.fetch_id for e in small] == ["8", "9"]
        assert all(e.tags is not None for e in big + small if e.ok)
        assert any(e.ok for e in small)
    finally:
        shutdown_pool()
