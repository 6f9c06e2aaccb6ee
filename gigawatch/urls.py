"""Canonical article URLs and the ids derived from them (deduplication level 1: same URL).

courlan normalises the URL: scheme and host case, default ports, ``..`` segments, fragments,
punycode hosts, sorted query parameters, and tracking parameters (utm_*, fbclid, gclid, ...;
courlan's non-strict list, plus a few more below). On top of it:

- AMP variants fold onto the regular page: ``/amp/`` segments, ``.amp.html``, a trailing
  ``.amp``, ``?amp=1`` / ``?amp`` / ``?outputType=amp``, and Google AMP cache addresses
  (``https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a`` is
  ``https://www.example.com/a``);
- trailing slashes go (except the root ``/``), as do session ids in the path
  (``;jsessionid=...``), user info and a trailing dot in the host.

Query parameters that are not trackers are kept: courlan's *strict* mode would drop every
parameter outside a short allow-list (``id``, ``p``, ``page``, ...) and so fold distinct
articles addressed as ``?storyid=1`` and ``?storyid=2`` into one.

A page's own canonical (``rel=canonical`` or ``og:url``) wins when it is an absolute http(s)
URL on the same site: the same registered domain (public-suffix aware, so
``edition.cnn.com`` and ``www.cnn.com`` are one site but ``a.github.io`` and ``b.github.io``
are not), or the same host and port when the host has no registered domain (IP addresses,
``localhost``). A canonical on another site, typically a syndicated copy pointing to the
original outlet, is not followed: the copy stays its own article under its own URL, and the
near-duplicate level (``gigawatch.dedupe``) folds it onto the original, keeping the record
that the copy was published there. A canonical pointing to the site's home page while the
page itself is not the home page is a common CMS mistake and is ignored too.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

import courlan

AMP_PATH = re.compile(r"(/amp/?$)|(\.amp(?=\.html?$))|(\.amp$)|(/amp(?=/))", re.IGNORECASE)
AMP_CACHE_HOST = ".cdn.ampproject.org"
AMP_CACHE_PATH = re.compile(r"^/[cv]/(s/)?(?P<rest>.+)$")
SESSION_IN_PATH = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
AMP_FLAGS = {"amp", "amp=1", "amp=true", "amp=yes", "outputtype=amp", "output=amp"}

# Trackers courlan's non-strict list does not catch, compared in lower case.
EXTRA_TRACKERS = {
    "__twitter_impression", "_hsenc", "_hsmi", "cmp", "cmpid", "ito", "icid", "ocid", "ncid",
    "smid", "sr_share", "guccounter", "guce_referrer", "guce_referrer_sig", "spm", "mbid",
    "taid", "at_campaign", "at_medium", "at_custom1", "at_custom2", "at_custom3",
    "at_custom4", "wt.mc_id", "wt_mc_id", "mkt_tok", "_branch_match_id", "vero_id",
}  # fmt: skip


def _registered_site(url: str) -> str:
    """The registered domain (public-suffix aware), or host:port when there is none."""
    parts = urlsplit(url)
    domain = courlan.extract_domain(url)
    if domain:
        return domain.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    return f"{host}:{parts.port}" if parts.port else host


def _unwrap_amp_cache(parts: SplitResult) -> str | None:
    """``https://<x>.cdn.ampproject.org/c/s/host/path`` -> ``https://host/path``."""
    host = (parts.hostname or "").lower()
    if not host.endswith(AMP_CACHE_HOST):
        return None
    match = AMP_CACHE_PATH.match(parts.path)
    if not match:
        return None
    scheme = "https" if match.group(1) else "http"
    inner = f"{scheme}://{match.group('rest')}"
    if parts.query:
        inner += f"?{parts.query}"
    return inner


def _query(query: str) -> str:
    """Drop AMP flags (and AMP viewer parameters) and the trackers courlan keeps; keep the
    order (courlan sorted it)."""
    if not query:
        return ""
    kept = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        low = key.lower()
        flag = f"{low}={value.lower()}" if value else low
        if flag in AMP_FLAGS or low in EXTRA_TRACKERS or low.startswith("amp_") or low == "usqp":
            continue
        kept.append((key, value))
    return urlencode(kept)


def _fold(url: str) -> str:
    """Normalise one absolute URL, again until nothing changes: removing an AMP segment can
    leave work for the normaliser ("/amp/.." -> "/.."; "/a.amp.html/" -> "/a.amp.html")."""
    folded = _fold_once(url)
    for _ in range(4):
        again = _fold_once(folded)
        if again == folded:
            break
        folded = again
    return folded


def _fold_once(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    inner = _unwrap_amp_cache(parts)
    if inner:
        return _fold_once(inner)
    # user info and a trailing dot in the host never identify another page
    host = parts.netloc.rsplit("@", 1)[-1]
    hostname, sep, port = host.partition(":") if not host.startswith("[") else (host, "", "")
    host = hostname.rstrip(".") + sep + port
    path = SESSION_IN_PATH.sub("", parts.path)
    url = urlunsplit((parts.scheme, host, path, parts.query, parts.fragment))
    normal = courlan.normalize_url(url, strict=False, trailing_slash=False)
    parts = urlsplit(normal)
    path = AMP_PATH.sub("", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, _query(parts.query), ""))


def canonical_url(url: str, page_canonical: str | None = None) -> str:
    """The canonical form of ``url``; the page's own canonical wins when on the same site.

    ``page_canonical`` is the page's ``rel=canonical`` or ``og:url``; it is used only when it
    is an absolute http(s) URL on the same site as ``url`` and not the site's home page
    (unless ``url`` is the home page). Raises ``ValueError`` when ``url`` is not absolute
    http(s).
    """
    folded = _fold(url)
    if page_canonical:
        try:
            own = _fold(page_canonical)
        except ValueError:
            return folded
        if _registered_site(own) != _registered_site(folded):
            return folded
        home = urlsplit(own).path == "/" and not urlsplit(own).query
        if home and urlsplit(folded).path != "/":
            return folded
        return own
    return folded


def article_id(canonical: str) -> int:
    """Signed 64-bit id from the first 8 bytes of sha1(canonical URL)."""
    return int.from_bytes(hashlib.sha1(canonical.encode()).digest()[:8], "big", signed=True)
