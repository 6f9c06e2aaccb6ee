"""Find quantities in text: :func:`find_quantities` (see the package docstring for the forms).

The words and symbols are in :mod:`gigawatch.quantities.lexicon`, numbers are parsed by
:mod:`gigawatch.quantities.numbers`; this module combines them into regular expressions and
decides what a number next to them is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from gigawatch.quantities.lexicon import (
    ABBR,
    BILLION_IS_1E12,
    BY_WORDS,
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    ENERGY_SYMBOLS,
    FOLLOWING_NOT_AMOUNT,
    GLUED_PREFIXES,
    HALF_AFTER_UNIT,
    MSYM,
    POWER_SYMBOLS,
    PREFIX_CODES,
    PREFIX_FACTOR,
    PREFIX_RE,
    QUALIFIER_PHRASES,
    SCALES,
    SYMBOLS,
)
from gigawatch.quantities.lexicon import words_alternation as _alt
from gigawatch.quantities.numbers import NUM, NUM_RE, is_year, parse_number
from gigawatch.quantities.words import WordNumber, number_before


@dataclass(slots=True)
class Quantity:
    kind: str  # power | energy | money | stake | shares
    value: float
    unit: str | None
    currency: str | None
    qualifier: str | None
    start: int
    end: int
    low: float | None = None


_AFTER_RE = re.compile(
    rf"""
    (?:
        [\s-]?(?P<scale>{_alt(SCALES)})(?!\w)(?:(?<=mrd|mio|tsd|bio|mds)\.|(?<=md)\.)?
      | (?P<abbr>bn|mn|tn|[kmb])(?!\w)
      | \s?(?P<msym>(?-i:Mds|Mrd|Md|M|G|k))(?=\s?[€$£])
    )?
    (?:\s?(?:of\s|de\s|des\s|del\s|d['’]\s?))?
    (?:
        [\s-]?(?P<en>(?-i:[kMGT]Wh))(?!\w)
      | [\s-]?(?P<enw>(?P<enp>kilo|m[ée]ga|giga|t[ée]ra)(?:watt[\s-]?(?:hours?|heures?|stunden?)
            |wattheures?|wattstunden?|vatios?[\s-]hora))(?!\w)
      | [\s-]?(?P<pw>(?-i:[kMGT]W[ecp]?|W(?![-‑])))(?!\w)
      | [\s-]?(?P<pww>(?P<pwp>kilo|m[ée]ga|giga|t[ée]ra|)(?:watts?|vatios?))(?!\w)
      | [\s-]?(?P<cur>{_alt(CURRENCY_WORDS)})(?!\w)
      | \s?(?P<cursym>[{re.escape(SYMBOLS)}])
      | [\s-]?(?P<pct>%|pour[\s-]?cent|percent|per[\s-]cent|prozent\w*|por\s?ciento|pct\.?)
      | \s?(?:(?:its|the|their|ses|ces|seine[nr]?|ihre[nr]?|sus|las|les)\s)?
            (?:(?:new|ordinary|common|nouvelles|ordinaires|neue|neuen|nuevas)\s|(?-i:[A-Z][\w-]*)\s)?
            (?P<sh>shares|actions|aktien|acciones|titres)(?!\w)
    )?
    """,
    re.I | re.X,
)
_SYMBOL_STARTS = frozenset("%" + SYMBOLS)
_FIRST3 = frozenset(
    w.lower()[:3]
    for w in (
        *SCALES, *ABBR, *MSYM, *CURRENCY_WORDS, *POWER_SYMBOLS, *ENERGY_SYMBOLS,
        "kilowatt", "megawatt", "mégawatt", "gigawatt", "terawatt", "térawatt", "watt", "vatio",
        "kilovatio", "megavatio", "gigavatio", "teravatio", "MWe", "GWe", "MWc", "MWp",
        "pour", "percent", "per", "prozent", "por", "pct",
        "shares", "actions", "aktien", "acciones", "titres",
        "new", "ordinary", "common", "nouvelles", "neue", "neuen", "nuevas",
    )
)  # fmt: skip
_QUALIFIER_REV_RE = re.compile(
    r"\s*(" + _alt(p[::-1] for p in QUALIFIER_PHRASES).replace(r"\s", r"\s+") + r")(?!\w)", re.I
)
_CONNECTOR_REV_RE = re.compile(
    r"\s*(?:\$SU|\$|€|£)?\s*(?:[-–—]|(?:ot|à|ua|a|sib|dna|te|dnu|y)(?!\w))\s*"
    r"(?:[^\W\d_]+\.?\s*|%\s*)?\d",
    re.I,
)
_RANGE_RE = re.compile(
    rf"""
    (?:(?<!\w)(?P<between>between|entre|zwischen)\s+)?
    (?:(?P<locur>US\$|\$|€|£|USD|EUR)\s?)?
    (?<![\w.,])(?P<lo>{NUM})
    (?:[\s-]?(?P<loscale>{_alt(SCALES)}|bn|mn|m|b|k)(?!\w)(?:(?<=mrd|mio|tsd|bio)\.)?)?
    (?:\s?(?P<lounit>(?-i:[kMGT]W)|%))?
    \s*(?P<conn>-|–|—|to|à|au|a|bis|and|et|und|y)\s*
    (?:US\$|\$|€|£|USD|EUR)?\s?\Z
    """,
    re.I | re.X,
)
_YEAR_PREP_RE = re.compile(
    r"(?<!\w)(?:in|by|since|until|from|before|after|through|en|d['’]ici|depuis|dès|avant|après"
    r"|jusqu['’]en|im|bis|seit|ab|vor|nach|para|desde|hasta|antes\s+de|hacia|year|année|jahr"
    r"|año)\s*\Z",
    re.I,
)
_PER_SHARE_RE = re.compile(
    r"\s*(?:per|a|par|je|por|pro)\s+(?:share|action|Aktie|acción|accion|título|titulo|titre)\b",
    re.I,
)
_STAKE_AFTER_RE = re.compile(
    r"\s?(?:[\w-]+\s){0,4}?(?:stake|equity|capital|shares|actions|aktien|anteil\w*|acciones"
    r"|participaci[oó]n|beteiligung|ownership|shareholding|accionariado|company|société"
    r"|unternehmens|empresa|compañía|group|groupe|gruppe|grupo|venture|structure|firm"
    r"|restants|restantes|übrigen|restlichen)(?!\w)(?!['’]s)",
    re.I,
)
_STAKE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:stake|participation|participación|participacion|beteiligung|anteil|equity"
    r"|shareholding|ownership|holding|remaining|hold|holds|own|owns|détiendra|détient|détenir"
    r"|hält|halten|besitzt|poseerá|posee|controlará)(?!\w)[^.;:!?]{0,30}\Z",
    re.I,
)
_STAKE_ADJ_RE = re.compile(r"[\s-]?(?:prozentige[nmrs]?|prozentig)\s+(?:beteiligung|anteil)", re.I)


def _scale(m: re.Match[str], lang: str | None) -> tuple[float, bool]:
    """Multiplier of the scale word after a number, and whether there was one."""
    word = m.group("scale")
    if word:
        w = re.sub(r"\s+", " ", word.lower())
        if w in ("billion", "billions") and (lang or "en") in BILLION_IS_1E12:
            return 1e12, True
        return SCALES[w], True
    if m.group("abbr"):
        return ABBR[m.group("abbr").lower()], True
    if m.group("msym"):
        return MSYM[m.group("msym")], True
    return 1.0, False


# --------------------------------------------------------------------------- extraction


WINDOW_BEFORE, WINDOW_AFTER = 50, 45  # characters around a trigger searched for numbers


def find_quantities(
    text: str, lang: str | None = None, triggers: list[tuple[int, int]] | None = None
) -> list[Quantity]:
    """All quantities in ``text``.

    ``triggers`` are the (start, end) spans of trigger words (see ``TRIGGERS``) found by the
    caller; only numbers near them are parsed. Without triggers the whole text is scanned."""
    if triggers is None:
        spans = [(0, len(text))]
        unit_words = [m.span() for m in _UNIT_WORD_RE.finditer(text)]
    else:
        spans = _merge(text, [(s - WINDOW_BEFORE, e + WINDOW_AFTER) for s, e in triggers])
        unit_words = [(s, e) for s, e in triggers if _UNIT_WORD_RE.search(text, s, e)]
    found: list[Quantity] = []
    for a, b in spans:
        for m in NUM_RE.finditer(text, a, b):
            start = m.start()
            if (
                start
                and (text[start - 1].isalnum() or text[start - 1] in ".,_/")
                and not (text[start - 1] in "sS" and text.endswith(GLUED_PREFIXES, 0, start))
            ):
                continue  # inside a word or a number; "u$s40.000 millones" is money
            q = _quantity(text, m, lang)
            if q is not None:
                found.append(q)
    if unit_words:
        found.extend(_word_quantities(text, unit_words, lang))
    return _drop_contained(found)


_UNIT_WORD_RE = re.compile(
    r"watt|vatio|illi|illó|illo|illa|ilh|bili[ãõ]|mrd|mio|[bm]ln"
    r"|pour[\s-]?cent|per[\s-]?cent|prozent|pct|por\s?ciento",
    re.I,
)
_HALF_AFTER_RE = re.compile(r"\s+(?:" + _alt(HALF_AFTER_UNIT) + r")(?!\w)", re.I)
_NOT_AMOUNT_AFTER_RE = re.compile(r"[\s-](?:" + "|".join(FOLLOWING_NOT_AMOUNT) + r")(?!\w)", re.I)


def _word_quantities(
    text: str, unit_words: list[tuple[int, int]], lang: str | None
) -> list[Quantity]:
    """Quantities written with words (:func:`gigawatch.quantities.words.number_before`): "ten
    gigawatts", "almost two gigawatts", "thirty billion euros", "quarante-cinq milliards de
    dollars", "ocho mil millones de dólares", "a ten-billion-dollar campus", "fifty-one percent
    of the company", "two million shares", "two to three gigawatts", "a dozen gigawatts".

    A bare word for one with an article ("a", "un", "ein") counts only after a qualifier or
    "by"/"to"/"um"/"de": "building a gigawatt costs ..." is generic; "one gigawatt", "well over
    a gigawatt", "um ein zusätzliches Gigawatt", "plus d'un milliard d'euros" are amounts.
    Never "a gigawatt-scale campus", "two gigawatt-scale sites" nor bare "gigawatts"; money
    needs a scale word ("thirty billion euros", not "thirty euros").

    ``unit_words`` are spans inside unit, scale or percent words ("watt" of "gigawatts")."""
    out = []
    seen: set[int] = set()
    for s, _e in unit_words:
        ws = s
        while ws > 0 and text[ws - 1].isalpha() and s - ws < 8:
            ws -= 1
        if ws in seen:
            continue
        seen.add(ws)
        number = number_before(text, ws, lang)
        if number is None:
            continue
        q = _word_quantity(text, ws, number, lang)
        if q is None:
            continue
        before = text[max(0, q.start - 32) : q.start]
        if number.approximate:
            q.qualifier = "about"
        if q.qualifier is None:
            qm = _QUALIFIER_REV_RE.match(before[::-1])
            if qm is not None:
                q.qualifier = QUALIFIER_PHRASES[" ".join(qm.group(1)[::-1].lower().split())]
        if (
            q.qualifier is None
            and number.article is not None
            and (not before.split() or before.split()[-1].lower() not in BY_WORDS)
        ):
            continue  # "building a gigawatt costs ...": generic, not an amount
        out.append(q)
    return out


def _word_quantity(text: str, ws: int, number: WordNumber, lang: str | None) -> Quantity | None:
    """The quantity of ``number`` and the unit, scale, currency or percent word at ``ws``."""
    after = _AFTER_RE.match(text, ws)
    assert after is not None  # every part of _AFTER_RE is optional: it always matches
    end = after.end()
    mult, scaled = _scale(after, lang)
    article = number.article is not None
    factor = 1.0
    if after.group("pww") or after.group("enw"):
        nxt = text[end : end + 7].lower()
        if article and nxt.startswith(("-", " scale", " class", "s")):
            return None
        if _NOT_AMOUNT_AFTER_RE.match(text, end):
            return None  # "two gigawatt-scale sites"
        half = _HALF_AFTER_RE.match(text, end)
        if half is not None:  # "cuatro gigavatios y medio", "un gigawatt et demi"
            number.value += 0.5
            number.article = None
            article, end = False, half.end()
        kind = "energy" if after.group("enw") else "power"
        factor = _word_factor(after.group("enp") if kind == "energy" else after.group("pwp"))
        unit, currency = ("GWh" if kind == "energy" else "GW"), None
    elif scaled and (after.group("cur") or after.group("cursym")):
        if article and ((after.group("scale") or "").lower().endswith("s") or "-" in text[ws:end]):
            return None  # "a billions", "a billion-dollar company"
        if after.group("cur"):
            if (
                after.group("scale")
                and text[ws - 1] != "-"
                and "-" in text[after.end("scale") : after.start("cur")]
            ):
                return None  # "two billion-dollar deals": two deals, not two billion
            currency = CURRENCY_WORDS[re.sub(r"\s+", " ", after.group("cur").lower())]
        else:
            currency = CURRENCY_SYMBOLS[after.group("cursym")]
        if _PER_SHARE_RE.match(text, end):
            return None
        kind, unit = "money", currency
    elif after.group("pct") and not scaled and not article:
        if not _is_stake(text, number.start, end):
            return None
        kind, unit, currency = "stake", "%", None
    elif after.group("sh") and (scaled or number.value >= 1000) and not article:
        kind, unit, currency = "shares", "shares", None
    else:
        return None
    value = float(f"{number.value * mult * factor:.12g}")
    q = Quantity(kind, value, unit, currency, None, number.start, end)
    if number.low is not None:
        q.low, q.qualifier = float(f"{number.low * mult * factor:.12g}"), "range"
    return q


def _prefix(text: str, start: int) -> re.Match[str] | None:
    """A currency symbol or code right before the number ("$5", "US$ 5", "EUR 5", "Rs 5")."""
    if not start:
        return None
    c = text[start - 1]
    if c.isspace() and start > 1:
        c = text[start - 2]
    if c in CURRENCY_SYMBOLS or c.isupper() or c in ".s":
        return PREFIX_RE.search(text, max(0, start - 12), start)
    return None


def _unit_follows(text: str, end: int) -> bool:
    """Cheap test: could a scale word, unit, currency or percent follow the number?"""
    c = text[end : end + 1]
    if c and c in " \u00a0\u202f\u2009-":
        end += 1
        c = text[end : end + 1]
    if not c:
        return False
    if c in _SYMBOL_STARTS:
        return True
    if not c.isalpha():
        return False
    j = end
    stop = min(len(text), end + 3)
    while j < stop and text[j].isalpha():
        j += 1
    return text[end:j].lower() in _FIRST3


def _merge(text: str, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    n = len(text)
    for a, b in sorted(windows):
        a, b = max(0, a), min(n, b)
        while a > 0 and (text[a - 1].isdigit() or text[a - 1] in ",. \u00a0\u202f\u2009"):
            a -= 1  # never start inside a number
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _quantity(text: str, m: re.Match[str], lang: str | None) -> Quantity | None:
    raw = m.group()
    prefix = _prefix(text, m.start())
    if prefix is None and not _unit_follows(text, m.end()):
        return None
    after = _AFTER_RE.match(text, m.end())
    assert after is not None  # every part of _AFTER_RE is optional: it always matches
    start, end = m.start(), after.end()
    currency = None
    if prefix:
        code = prefix.group("code") or prefix.group("sym")
        currency = PREFIX_CODES.get(code) or CURRENCY_SYMBOLS[code]
        start -= len(prefix.group())
    kind = None
    if after.group("cur"):
        word = re.sub(r"\s+", " ", after.group("cur").lower())
        currency = currency or CURRENCY_WORDS[word]
        if word == "won" and not (after.group("scale") or after.group("abbr")):
            return None  # "won" is an English verb unless a scale word says otherwise
        kind = "money"
    elif after.group("cursym"):
        currency = currency or CURRENCY_SYMBOLS[after.group("cursym")]
        kind = "money"
    elif after.group("en") or after.group("enw"):
        kind = "energy"
    elif after.group("pw") or after.group("pww"):
        kind = "power"
    elif after.group("pct"):
        kind = "stake"
    elif after.group("sh"):
        kind = "shares"
    elif currency:
        kind = "money"
    if kind is None:
        return None
    if kind != "money" and prefix:
        start += len(prefix.group())  # "$ 5 GW" is not money; keep the span on the number
        currency = None
    value = parse_number(raw, lang)
    if value is None:
        return None
    if is_year(raw) and not prefix and _YEAR_PREP_RE.search(text, max(0, m.start() - 16),
                                                            m.start()):  # fmt: skip
        return None
    mult, scaled = _scale(after, lang)
    if after.group("abbr") and not (prefix or after.group("cur") or after.group("cursym")):
        return None  # "5m" alone is metres, not money
    unit: str | None
    factor = 1.0
    if kind == "power":
        sym = after.group("pw")
        factor = POWER_SYMBOLS[sym.rstrip("ecp")] if sym else _word_factor(after.group("pwp"))
        value, unit = value * mult * factor, "GW"
    elif kind == "energy":
        sym = after.group("en")
        factor = ENERGY_SYMBOLS[sym] if sym else _word_factor(after.group("enp"))
        value, unit = value * mult * factor, "GWh"
    elif kind == "money":
        if _PER_SHARE_RE.match(text, end):
            return None
        value, unit = value * mult, currency
    elif kind == "shares":
        value, unit = value * mult, "shares"
    else:
        if scaled or not _is_stake(text, m.start(), end):
            return None
        unit = "%"
    value = float(f"{value:.12g}")
    if not math.isfinite(value):
        return None  # "10^300 billion dollars": too large for a float, not an amount
    q = Quantity(kind, value, unit, currency if kind == "money" else None, None, start, end)
    _qualify(text, q, lang, mult, factor)
    return q


def _word_factor(prefix: str | None) -> float:
    return PREFIX_FACTOR[(prefix or "").lower()]


def _is_stake(text: str, start: int, end: int) -> bool:
    if _STAKE_AFTER_RE.match(text, end, min(len(text), end + 60)):
        return True
    if _STAKE_ADJ_RE.match(text, end - 1 if text[end - 1] == "-" else end):
        return True
    return bool(_STAKE_BEFORE_RE.search(text, max(0, start - 60), start))


def _qualify(text: str, q: Quantity, lang: str | None, mult: float, factor: float) -> None:
    """Attach a range (lower bound) or a qualifier found just before the quantity.

    Both are looked for in the reversed text before the quantity, with a regex anchored at
    its start: one C call instead of a search over every position of a window."""
    before = text[max(0, q.start - 40) : q.start][::-1]
    if _CONNECTOR_REV_RE.match(before):
        r = _RANGE_RE.search(text, max(0, q.start - 60), q.start)
        if r is not None and _valid_range(r, lang):
            lo = _range_low(r, q, lang, mult, factor)
            if lo is not None and 0 <= lo < q.value:
                q.low, q.qualifier = float(f"{lo:.12g}"), "range"
                if r.group("between"):
                    q.start = r.start("between")
                else:
                    q.start = r.start("locur") if r.group("locur") else r.start("lo")
                return
    m = _QUALIFIER_REV_RE.match(before)
    if m is not None:
        phrase = " ".join(m.group(1)[::-1].lower().split())
        q.qualifier = QUALIFIER_PHRASES[phrase]


def _range_low(
    r: re.Match[str], q: Quantity, lang: str | None, mult: float, factor: float
) -> float | None:
    raw = r.group("lo")
    lo = parse_number(raw, lang)
    if lo is None or (is_year(raw) and q.value >= 1900):
        return None
    ls = (r.group("loscale") or "").lower()
    if ls:
        ls = re.sub(r"\s+", " ", ls)
        lo *= ABBR.get(ls) or SCALES[ls]
        if ls in ("billion", "billions") and (lang or "en") in BILLION_IS_1E12:
            lo *= 1e3
    else:
        lo *= mult
    lounit = r.group("lounit")
    if lounit:
        if q.kind != "power" or lounit not in POWER_SYMBOLS:
            return None if lounit != "%" or q.kind != "stake" else lo
        return lo * POWER_SYMBOLS[lounit]
    return lo * factor


def _valid_range(r: re.Match[str], lang: str | None) -> bool:
    conn = r.group("conn").lower()
    if conn in ("and", "et", "und", "y"):
        return bool(r.group("between"))
    if conn == "a":
        return (lang or "en") in ("es", "pt", "it")
    return True


def _drop_contained(found: list[Quantity]) -> list[Quantity]:
    """Drop quantities whose span lies inside another's (the "$10bn" of "$10bn-$20bn")."""
    if len(found) < 2:
        return found
    found.sort(key=lambda q: (q.start, -q.end))
    out: list[Quantity] = []
    for q in found:
        if out and q.start >= out[-1].start and q.end <= out[-1].end:
            continue
        while out and out[-1].start >= q.start and out[-1].end <= q.end:
            out.pop()
        out.append(q)
    return out
