"""Numbers as written in English, French, German and Spanish news (see the package docstring).

``parse_number("1,500", "es")`` is 1500.0, ``parse_number("1,125", "fr")`` 1.125,
``parse_number("1.000", "de")`` 1000.0 and ``parse_number("1 000 000")`` 1e6.
"""

from __future__ import annotations

import math
import re

from gigawatch.quantities.lexicon import DOT_DECIMAL

# Starts with a plain \d so that the regex engine skips non-digits quickly.
NUM = r"\d(?:\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3}(?!\d))+(?:[.,]\d+)?|\d*(?:[.,]\d+)*)"
NUM_RE = re.compile(NUM)


def parse_number(raw: str, lang: str | None = None) -> float | None:
    """Parse a number as written in ``lang``; None when its grouping is not a number (dates)
    or it is too large for a float (a run of 309 digits or more)."""
    value = _parse_number(raw, lang)
    return value if value is None or math.isfinite(value) else None


def _parse_number(raw: str, lang: str | None) -> float | None:
    s = raw
    if any(c in s for c in " \u00a0\u202f\u2009"):
        for sp in " \u00a0\u202f\u2009":
            s = s.replace(sp, "")
        return float(s.replace(",", "."))
    commas, dots = s.count(","), s.count(".")
    if not commas and not dots:
        return float(s)
    if commas and dots:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
        if s.count(dec) > 1 or not _groups_ok(s.split(dec)[0].split(thou)):
            return None
        return float(s.replace(thou, "").replace(dec, "."))
    sep = "," if commas else "."
    parts = s.split(sep)
    if len(parts) > 2:
        return float("".join(parts)) if _groups_ok(parts) else None
    head, tail = parts
    if len(tail) != 3 or len(head) > 3 or head == "0":
        return float(f"{head}.{tail}")
    comma_decimal = (lang or "en") not in DOT_DECIMAL
    if sep == ",":
        thousands = not comma_decimal or tail.endswith("0")
    else:
        thousands = comma_decimal or tail == "000"
    return float(head + tail) if thousands else float(f"{head}.{tail}")


def _groups_ok(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def is_year(raw: str) -> bool:
    return len(raw) == 4 and raw.isdigit() and 1900 <= int(raw) <= 2100
