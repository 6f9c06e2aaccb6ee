"""Settings of duplicate and story detection: ``gigawatch/defaults/dedupe.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "defaults" / "dedupe.toml"
MEMORY_RE = re.compile(r"^\d+(\.\d+)? ?([KMGT]i?B)$")


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


_TOML_KEYS = {
    "near_duplicates": {
        "threshold": "near_dup_threshold", "shingle_words": "shingle_words",
        "num_perm": "num_perm", "bands": "bands", "min_words": "min_words", "seed": "seed",
    },
    "stories": {
        "window_days": "story_window_days", "max_span_days": "story_max_span_days",
        "threshold": "story_threshold", "min_shared": "story_min_shared",
        "time_decay": "story_time_decay",
    },
    "rebuild": {"batch_size": "batch_size", "workers": "workers", "memory_limit": "memory_limit"},
}  # fmt: skip


def load_config(path: str | Path | None = None) -> DedupeConfig:
    """Read ``dedupe.toml`` (default: the bundled one). Unknown tables or keys and values out
    of range raise ``ValueError`` naming the file, the table and the key."""
    path = Path(path) if path else DEFAULT_CONFIG
    name = path.name
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    values: dict[str, Any] = {}
    for table, content in data.items():
        if table not in _TOML_KEYS:
            raise ValueError(f"{name}: unknown table [{table}]")
        for key, value in content.items():
            if table == "stories" and key == "weights":
                known = {f.name for f in fields(StoryWeights)}
                unknown = sorted(set(value) - known)
                if unknown:
                    raise ValueError(f"{name}: [stories.weights]: unknown key {unknown[0]!r}")
                values["story_weights"] = StoryWeights(**{k: float(v) for k, v in value.items()})
                continue
            if key not in _TOML_KEYS[table]:
                raise ValueError(f"{name}: [{table}]: unknown key {key!r}")
            values[_TOML_KEYS[table][key]] = value
    defaults = DedupeConfig()
    typed = {
        k: v if k == "story_weights" else type(getattr(defaults, k))(v) for k, v in values.items()
    }
    config = DedupeConfig(**typed)
    _check(config, name)
    return config


def _check(c: DedupeConfig, name: str) -> None:
    problems = [
        (0 < c.near_dup_threshold <= 1, "[near_duplicates] threshold must be in (0, 1]"),
        (c.shingle_words >= 1, "[near_duplicates] shingle_words must be at least 1"),
        (c.num_perm >= 8, "[near_duplicates] num_perm must be at least 8"),
        (1 <= c.bands <= c.num_perm, "[near_duplicates] bands must be in 1..num_perm"),
        (c.min_words >= c.shingle_words, "[near_duplicates] min_words must be >= shingle_words"),
        (c.story_window_days > 0, "[stories] window_days must be positive"),
        (c.story_max_span_days >= c.story_window_days, "[stories] max_span_days < window_days"),
        (0 <= c.story_time_decay < 1, "[stories] time_decay must be in [0, 1)"),
        (c.batch_size >= 1, "[rebuild] batch_size must be positive"),
        (
            not c.memory_limit or MEMORY_RE.match(c.memory_limit) is not None,
            "[rebuild] memory_limit must look like '1GB' or '512MiB' (or be empty)",
        ),
    ]
    for ok, message in problems:
        if not ok:
            raise ValueError(f"{name}: {message}")
