"""Authors from visible bylines (gigawatch/bylines.py)."""

from __future__ import annotations

import pytest

from gigawatch.bylines import find_byline, parse_byline


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By Jane Doe | 3 March 2025", "Jane Doe"),
        ("Par Claire Martin", "Claire Martin"),
        ("Von Anna Schmidt · 12. März 2025", "Anna Schmidt"),
        ("Por Lucía Gómez y Pedro Ruiz", "Lucía Gómez"),
        ("Par Jean-Luc de La Tour, à Paris", "Jean-Luc de La Tour"),
        ("  BY   Tom  O'Neill  ", "Tom O'Neill"),
        # not bylines
        ("par la rédaction", None),
        ("By AMD", None),
        ("by the numbers: 6 GW", None),
        ("Von 2025 an gilt", None),
        ("Published 3 March 2025", None),
    ],
)
def test_parse_byline(line, name):
    assert parse_byline(line) == name


def test_find_byline_reads_marked_short_elements_only():
    html = """<html><body>
      <p>By the way, Nvidia said it would ship more.</p>
      <article><p class="lede">By Someone Else in a long paragraph</p>
      <div class="post-meta">Von <span class="autor">Anna Schmidt</span> &middot; 12. März</div>
      </article></body></html>"""
    assert find_byline(html) == "Anna Schmidt"


def test_find_byline_without_one():
    assert find_byline("<html><body><p class='meta'>12 March 2025</p></body></html>") is None
    assert find_byline("") is None
    assert find_byline("<<<not html") is None
