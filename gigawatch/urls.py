"""Canonical article URLs and the ids derived from them.

courlan normalises (scheme and host case, default ports, fragments, tracking parameters such as
utm_*, fbclid, gclid); on top of it AMP variants and trailing slashes are folded, and a page's
own ``rel=canonical``/``og:url`` is honoured when it points to the same site. A canonical on
another site (a syndicated copy pointing to its original) is not followed: the copy remains its
own article, and near-duplicate detection folds it.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

import courlan

AMP_PATH = re.compile(r"(/amp/?$)|(\.amp(?=\.html?$))|(/amp(?=/))", re.IGNORECASE)


def _registered_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _fold(url: str) -> str:
    """Normalise one absolute URL."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    # strict mode drops tracking and most session parameters, and ``amp`` query flags
    normal = courlan.normalize_url(url.strip(), strict=True, trailing_slash=False)
    parts = urlsplit(normal)
    path = AMP_PATH.sub("", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = "&".join(q for q in parts.query.split("&") if q and q.lower() not in ("amp", "amp=1"))
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def canonical_url(url: str, page_canonical: str | None = None) -> str:
    """The canonical form of ``url``; the page's own canonical wins when on the same site."""
    folded = _fold(url)
    if page_canonical:
        try:
            own = _fold(page_canonical)
        except ValueError:
            return folded
        if _registered_host(own) == _registered_host(folded):
            return own
    return folded


def article_id(canonical: str) -> int:
    """Signed 64-bit id from the first 8 bytes of sha1(canonical URL)."""
    return int.from_bytes(hashlib.sha1(canonical.encode()).digest()[:8], "big", signed=True)
