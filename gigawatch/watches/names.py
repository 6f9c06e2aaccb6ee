"""Names in watch filters checked against the taxonomy and the sources file.

A filter compares canonical names (the ``mentions`` view's); an alias or a misspelt name
would never match, so ``gigawatch watch check`` reports it with the name to use.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gigawatch.taxonomy import Taxonomy
from gigawatch.watches.model import WatchesFile

_WHAT = {"organisations": "organisation", "accelerators": "accelerator", "topics": "topic",
         "places": "place", "sources": "source"}  # fmt: skip


def _known(taxonomy: Taxonomy, key: str) -> dict[str, str]:
    """casefolded name or alias -> canonical name."""
    entries: Iterable[Any] = {"organisations": taxonomy.organisations,
                         "accelerators": taxonomy.accelerators, "topics": taxonomy.topics,
                         "places": taxonomy.places}[key]  # fmt: skip
    out: dict[str, str] = {}
    for entry in entries:
        for alias in getattr(entry, "aliases", ()):
            out.setdefault(alias.casefold(), entry.name)
    for entry in entries:
        out[entry.name.casefold()] = entry.name
    return out


def unknown_names(
    watches: WatchesFile, path: Path | str, taxonomy: Taxonomy, sources: list[str] | None = None
) -> list[str]:
    """One line per filter name that no story can carry, worded like the file's other
    problems (``watches.toml: watch[0] 'x': filter.organisations: …``)."""
    name = Path(path).name
    lines = []
    for i, watch in enumerate(watches.watch):
        f = watch.filter
        if f is None:
            continue
        for key, what in _WHAT.items():
            if key == "sources":
                if sources is None:
                    continue
                canon = {s.casefold(): s for s in sources}
            else:
                canon = _known(taxonomy, key)
            canonical = {c.casefold() for c in canon.values()}
            for wanted in getattr(f, key):
                folded = wanted.casefold()
                if folded in canonical:
                    continue
                if folded in canon:
                    hint = f"an alias of {canon[folded]!r}: filters use canonical names"
                else:
                    near = difflib.get_close_matches(wanted, sorted(set(canon.values())), n=1)
                    hint = f"did you mean {near[0]!r}?" if near else f"no such {what}"
                lines.append(f"{name}: watch[{i}] {watch.name!r}: filter.{key}: unknown "
                             f"{what} {wanted!r} ({hint})")  # fmt: skip
    return lines
