"""Settings of duplicate and story detection: ``gigawatch/defaults/dedupe.toml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "defaults" / "dedupe.toml"


@dataclass(frozen=True)
class StoryWeights:
    """What each kind of shared evidence is worth (see ``gigawatch/dedupe/stories.py``)."""

    org: float = 1.0
    chip: float = 1.0
    figure: float = 1.0
    place: float = 0.5
    title: float = 2.0
    conflict: float = 1.0


@dataclass(frozen=True)
class DedupeConfig:
    # [near_duplicates]
    near_dup_threshold: float = 0.8
    shingle_words: int = 3
    num_perm: int = 128
    bands: int = 20
    min_words: int = 30
    seed: int = 1
    # [stories]
    story_window_days: float = 7.0
    story_max_span_days: float = 14.0
    story_threshold: float = 2.5
    story_min_shared: int = 2
    story_time_decay: float = 0.5
    story_lead_shared: int = 2
    story_lead_coverage: float = 0.4
    story_lead_short_coverage: float = 0.6
    story_weights: StoryWeights = field(default_factory=StoryWeights)
    # [rebuild]
    batch_size: int = 20_000
    workers: int = 0  # 0: one per CPU
    memory_limit: str = "1GB"  # DuckDB's memory_limit while rebuilding; "" leaves it alone

    @property
    def rows(self) -> int:
        """Signature values per LSH band."""
        return self.num_perm // self.bands

    def signature_fingerprint(self) -> str:
        """What stored signatures and buckets depend on; a change needs ``restory``."""
        return (
            f"v1 words=nfkc-casefold-noaccent shingle={self.shingle_words} "
            f"perm={self.num_perm} seed={self.seed} bands={self.bands} min={self.min_words}"
        )


def load_config(path: str | Path | None = None) -> DedupeConfig:
    """Read ``dedupe.toml`` (default: the bundled one), validated by
    :class:`gigawatch.config.DedupeFile`: unknown tables or keys and values out of range raise
    ``ValueError`` (``ConfigError``) naming the file, the table and the key of each."""
    from gigawatch.config import load_dedupe  # when needed: a DedupeConfig needs no pydantic

    values = load_dedupe(Path(path) if path else DEFAULT_CONFIG).flat()
    weights = StoryWeights(**values.pop("story_weights"))
    return DedupeConfig(**values, story_weights=weights)
