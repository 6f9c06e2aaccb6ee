"""Relevance of an article to AI infrastructure, computed from its tags.

Scoring (parameters in the ``[relevance]`` table of the taxonomy file)::

    x = Σ_entries  w_entry · ( min(n_text, cap) + title_boost · min(n_title, 1) )
      + Σ_facts    w_kind  ·   min(n_kind, cap)
    score = 1 − exp(−x / scale)            # in [0, 1), monotonic in x
    relevant = score ≥ threshold

where an entry is one organisation, accelerator, topic or place named in the article, ``n_text``
its matches in the body, ``n_title`` its matches in the title, and ``w_entry``:

* organisations: ``org_kinds.<kind>`` (a neocloud or data-center operator weighs more than a
  consumer-tech company or an investor);
* accelerators: ``chip``;
* topics: the topic's own ``weight``;
* places: ``place`` (0 by default: a place says where, not what).

Facts weigh ``facts.<kind>`` each (a power figure is strong evidence, a share count none).
``cap`` stops one word repeated twenty times from making an article relevant; the title boost
rewards articles whose headline is about the subject.

With the defaults (scale 4, threshold 0.5) an article needs x ≥ 4·ln 2 ≈ 2.8: for example
one data-center keyword in the title (1.5 × 2 = 3) or a neocloud named twice (3), or a power
figure, "data center" once and Nvidia once (1.5 + 1.5 + 0.8); a general article that names
Apple twice and "investment" once (0.4 + 0.6 = 1.0, score 0.22) is not relevant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from gigawatch.taxonomy import RelevanceConfig


def raw_score(
    entries: Iterable[tuple[float, int, int]],
    fact_counts: Mapping[str, int],
    config: RelevanceConfig,
) -> float:
    """The sum ``x`` above; ``entries`` are (weight, n_text, n_title)."""
    x = 0.0
    cap = config.cap
    boost = config.title_boost
    for weight, n_text, n_title in entries:
        if weight:
            x += weight * (min(n_text, cap) + (boost if n_title else 0.0))
    for kind, n in fact_counts.items():
        x += config.facts.get(kind, 0.0) * min(n, cap)
    return x


def score(
    entries: Iterable[tuple[float, int, int]],
    fact_counts: Mapping[str, int],
    config: RelevanceConfig,
) -> float:
    """Relevance in [0, 1); see the module docstring."""
    return round(1.0 - math.exp(-raw_score(entries, fact_counts, config) / config.scale), 6)
