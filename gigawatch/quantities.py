"""Find and normalise quantities in English, French, German and Spanish text.

Kinds of facts (see also ``warehouse/views/41_facts.sql``):

``power``   electrical power, ``value`` in GW (``unit = 'GW'``): "1.2 GW", "500 MW", "gigawatts",
            "mégawatts", "Gigawatt", "gigavatios", "5-gigawatt".
``energy``  energy, ``value`` in GWh (``unit = 'GWh'``): "GWh", "TWh", "gigawattheures",
            "Gigawattstunden", "gigavatios hora". Energy is never stored as power.
``money``   an amount, ``value`` in the original currency (full units, scale applied), ``currency``
            and ``unit`` its ISO 4217 code; ``amount_usd`` is added by the tagger from the static
            rate table ``gigawatch/defaults/fx_rates.toml``. Scale words: million, billion (10^9 in
            English, 10^12 in French, German and Spanish "billion"/"Billion"/"billón"), bn, m, b,
            trillion, tn, milliard(s), Md, Mds, M€, Mio., Mrd., Milliarde(n), Billion(en),
            millón/millones, mil millones, miles de millones, billón/billones, crore, lakh.
``stake``   a percentage of capital, ``value`` in percent (``unit = '%'``): "a 10% stake",
            "10 % du capital", "eine Beteiligung von 10 Prozent", "el 10 % del capital".
``shares``  a number of shares, ``unit = 'shares'``: "10 million shares", "2 millions d'actions".

Numbers: "1,000" and "1.000" are thousands in English and in French, German and Spanish
respectively; a comma followed by three digits in French, German or Spanish is a decimal comma
unless the group ends with 0 ("1,500 millones" = 1,500 million, "1,125 GW" = 1.125 GW), a dot
followed by three digits in English is a decimal point unless the group is "000". Spaces,
non-breaking and thin spaces group thousands ("1 000 milliards"). Other languages follow the
French/German/Spanish rule except those listed in ``DOT_DECIMAL``.

Qualifiers: ``up_to`` (up to, as much as, jusqu'à, bis zu, hasta), ``more_than`` (more than,
over, at least, plus de, au moins, mehr als, über, mindestens, más de, al menos), ``about``
(about, around, nearly, environ, près de, rund, etwa, knapp, cerca de, alrededor de, unos) and
``range`` ("5 to 10 GW", "5-10 GW", "entre 5 et 10 GW", "zwischen 5 und 10 GW", "de 5 a 10 GW",
"between $10bn and $20bn"): a range keeps its upper bound in ``value`` and its lower bound in
``low``.

Not facts: numbers without a unit, currency or percent sign (years, dates, phone numbers, page
furniture such as "Page 2 of 5"); year-like numbers after a time preposition ("by 2030",
"d'ici 2030", "bis 2030", "para 2030") even when a scale word follows; per-share prices;
percentages that are not shares of capital.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FX = Path(__file__).parent / "defaults" / "fx_rates.toml"
DOT_DECIMAL = frozenset({"en", "zh", "ja", "ko", "th", "he", "hi", "ms", "tl", "ga", "cy"})
BILLION_IS_1E12 = frozenset({"fr", "de", "es", "it", "nl", "pt", "pl", "sv", "da", "no", "nb"})

# Words near which a number is worth parsing; the tagger finds them with its Aho-Corasick
# automaton and only parses numbers around them. Same syntax as taxonomy aliases: a trailing
# "*" is a prefix, a leading "*" a suffix ("5GW"); other words need word boundaries.
# TRIGGERS match case-insensitively, TRIGGERS_CS with their exact case.
TRIGGERS: tuple[str, ...] = (
    "$", "€", "£", "¥", "₹", "₩", "%",
    "dollar*", "dólar*", "dolar*", "euro", "euros", "pound*", "sterling", "pfund", "libra*",
    "yuan*", "renminbi", "riyal*", "dirham*", "rupee*", "roupie*", "rupia*", "franken",
    "milliard*", "million*", "billion*", "trillion*", "mrd", "mio", "bn", "millón", "millon*",
    "billón", "billon*", "lakh*", "crore*", "mil millones",
    "*watt*", "*vatio*",
    "percent", "per cent", "pour cent", "pour-cent", "prozent*", "por ciento", "pct",
    "shares", "actions", "aktien", "acciones", "titres",
)  # fmt: skip
TRIGGERS_CS: tuple[str, ...] = (
    "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "RMB", "INR", "KRW", "SGD", "HKD", "CAD", "AUD",
    "SAR", "AED", "BRL", "TWD", "Rs", "*GW*", "*MW*", "*kW*", "*TW*", "*M€", "*Md€", "*Mds€",
)  # fmt: skip


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


# --------------------------------------------------------------------------- tables

_SCALES: dict[str, float] = {
    "thousand": 1e3, "thousands": 1e3, "tausend": 1e3, "tsd": 1e3, "mille": 1e3, "mil": 1e3,
    "lakh": 1e5, "lakhs": 1e5, "crore": 1e7, "crores": 1e7,
    "million": 1e6, "millions": 1e6, "millionen": 1e6, "mio": 1e6, "mn": 1e6, "mln": 1e6,
    "millón": 1e6, "millon": 1e6, "millones": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "bln": 1e9,
    "milliard": 1e9, "milliards": 1e9, "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9,
    "md": 1e9, "mds": 1e9, "millardo": 1e9, "millardos": 1e9,
    "mil millones": 1e9, "miles de millones": 1e9,
    "trillion": 1e12, "trillions": 1e12, "tn": 1e12, "billionen": 1e12, "bio": 1e12,
    "billón": 1e12, "billones": 1e12, "mille milliards": 1e12,
}  # fmt: skip
_ABBR = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12}
_MSYM = {"k": 1e3, "M": 1e6, "Md": 1e9, "Mds": 1e9, "Mrd": 1e9, "G": 1e9}

_CURRENCY_WORDS: dict[str, str] = {
    "dollars américains": "USD", "dollars americains": "USD", "dollars us": "USD",
    "dollars des états-unis": "USD", "us dollars": "USD", "u.s. dollars": "USD",
    "us-dollar": "USD", "us-dollars": "USD", "dollar": "USD", "dollars": "USD", "usd": "USD",
    "dólar": "USD", "dólares": "USD", "dolares": "USD", "dólares estadounidenses": "USD",
    "canadian dollars": "CAD", "dollars canadiens": "CAD", "cad": "CAD",
    "australian dollars": "AUD", "aud": "AUD", "singapore dollars": "SGD", "sgd": "SGD",
    "hong kong dollars": "HKD", "hkd": "HKD", "twd": "TWD",
    "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
    "livre sterling": "GBP", "livres sterling": "GBP", "pfund": "GBP", "pfund sterling": "GBP",
    "britische pfund": "GBP", "libra": "GBP", "libras": "GBP", "libras esterlinas": "GBP",
    "gbp": "GBP",
    "yuan": "CNY", "yuans": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY",
    "yen": "JPY", "yens": "JPY", "jpy": "JPY",
    "swiss francs": "CHF", "francs suisses": "CHF", "franken": "CHF", "schweizer franken": "CHF",
    "francos suizos": "CHF", "chf": "CHF",
    "rupees": "INR", "roupies": "INR", "rupien": "INR", "rupias": "INR", "inr": "INR",
    "won": "KRW", "krw": "KRW",
    "riyal": "SAR", "riyals": "SAR", "sar": "SAR", "dirham": "AED", "dirhams": "AED", "aed": "AED",
    "reais": "BRL", "brl": "BRL",
}  # fmt: skip
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW"}
_PREFIX_CODES = {
    "US$": "USD", "U.S.$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD",
    "S$": "SGD", "HK$": "HKD", "R$": "BRL", "NT$": "TWD", "Rs": "INR", "Rs.": "INR",
    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "CNY": "CNY", "RMB": "CNY",
    "CHF": "CHF", "INR": "INR", "KRW": "KRW", "SAR": "SAR", "AED": "AED", "CAD": "CAD",
    "AUD": "AUD", "SGD": "SGD", "HKD": "HKD", "BRL": "BRL", "TWD": "TWD",
}  # fmt: skip
_POWER_SYMBOLS = {"W": 1e-9, "kW": 1e-6, "MW": 1e-3, "GW": 1.0, "TW": 1e3}
_ENERGY_SYMBOLS = {"kWh": 1e-6, "MWh": 1e-3, "GWh": 1.0, "TWh": 1e3}
_PREFIX_FACTOR = {"": 1e-9, "kilo": 1e-6, "mega": 1e-3, "méga": 1e-3, "giga": 1.0,
                  "tera": 1e3, "téra": 1e3}  # fmt: skip


def _alt(words) -> str:
    """A regex matching any of ``words`` (lowercase), as a trie so that the engine branches on
    each character instead of trying every word in turn; longer words are preferred; a space
    matches any space."""
    trie: dict = {}
    for w in set(words):
        node = trie
        for ch in w.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        parts = [
            (r"\s" if ch == " " else re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


_SP = r"[\s\u00a0\u202f\u2009]"
# Starts with a plain \d so that the regex engine skips non-digits quickly.
_NUM = r"\d(?:\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3}(?!\d))+(?:[.,]\d+)?|\d*(?:[.,]\d+)*)"
NUM_RE = re.compile(_NUM)

_AFTER_RE = re.compile(
    rf"""
    (?:
        [\s-]?(?P<scale>{_alt(_SCALES)})(?!\w)(?:(?<=mrd|mio|tsd|bio|mds)\.|(?<=md)\.)?
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
      | \s?(?P<cur>{_alt(_CURRENCY_WORDS)})(?!\w)
      | \s?(?P<cursym>[$€£¥₹₩])
      | [\s-]?(?P<pct>%|pour[\s-]?cent|percent|per[\s-]cent|prozent\w*|por\s?ciento|pct\.?)
      | \s?(?:(?:its|the|their|ses|ces|seine[nr]?|ihre[nr]?|sus|las|les)\s)?
            (?:(?:new|ordinary|common|nouvelles|ordinaires|neue|neuen|nuevas)\s|(?-i:[A-Z][\w-]*)\s)?
            (?P<sh>shares|actions|aktien|acciones|titres)(?!\w)
    )?
    """,
    re.I | re.X,
)
_SYMBOL_STARTS = frozenset("%$€£¥₹₩")
_FIRST3 = frozenset(
    w.lower()[:3]
    for w in (
        *_SCALES, *_ABBR, *_MSYM, *_CURRENCY_WORDS, *_POWER_SYMBOLS, *_ENERGY_SYMBOLS,
        "kilowatt", "megawatt", "mégawatt", "gigawatt", "terawatt", "térawatt", "watt", "vatio",
        "kilovatio", "megavatio", "gigavatio", "teravatio", "MWe", "GWe", "MWc", "MWp",
        "pour", "percent", "per", "prozent", "por", "pct",
        "shares", "actions", "aktien", "acciones", "titres",
        "new", "ordinary", "common", "nouvelles", "neue", "neuen", "nuevas",
    )
)  # fmt: skip
_PREFIX_RE = re.compile(
    r"(?:(?<![A-Za-z])(?P<code>US\$|U\.S\.\$|CA\$|AU\$|HK\$|NT\$|C\$|A\$|S\$|R\$|USD|EUR|GBP|JPY"
    r"|CNY|RMB|CHF|INR|KRW|SAR|AED|CAD|AUD|SGD|HKD|BRL|TWD|Rs\.?)|(?P<sym>[$€£¥₹₩]))"
    r"[\s\u00a0\u202f\u2009]?\Z"
)
_QUALIFIER_PHRASES = {
    phrase: name
    for name, phrases in (
        ("up_to", "up to|as much as|as many as|jusqu'à|jusqu’à|jusqu'a|jusqu’a|bis zu|hasta"
                  "|maximum of|au maximum|de hasta|hasta unos"),
        ("more_than", "more than|over|above|exceeding|at least|plus de|au moins|d'au moins"
                      "|d’au moins|mehr als|über|mindestens|más de|mas de|al menos"
                      "|por encima de|de más de|well over|con holgura|largement|plus d'|plus d’"),
        ("about", "about|around|approximately|roughly|nearly|almost|some|circa|ca.|environ"
                  "|près de|près d'|près d’|quelque|rund|etwa|knapp|fast|cerca de|alrededor de"
                  "|aproximadamente|casi|unos|unas|d'environ|d’environ|de unos|von rund"
                  "|von etwa|von knapp"),
    )
    for phrase in phrases.split("|")
}  # fmt: skip
_QUALIFIER_REV_RE = re.compile(
    r"\s*(" + _alt(p[::-1] for p in _QUALIFIER_PHRASES).replace(r"\s", r"\s+") + r")(?!\w)", re.I
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
    (?<![\w.,])(?P<lo>{_NUM})
    (?:[\s-]?(?P<loscale>{_alt(_SCALES)}|bn|mn|m|b|k)(?!\w)(?:(?<=mrd|mio|tsd|bio)\.)?)?
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
    r"\s*(?:per|a|par|je|por|pro)\s+(?:share|action|Aktie|acción|accion)\b", re.I
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


# --------------------------------------------------------------------------- numbers


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


def _scale(m: re.Match, lang: str | None) -> tuple[float, bool]:
    """Multiplier of the scale word after a number, and whether there was one."""
    word = m.group("scale")
    if word:
        w = re.sub(r"\s+", " ", word.lower())
        if w in ("billion", "billions") and (lang or "en") in BILLION_IS_1E12:
            return 1e12, True
        return _SCALES[w], True
    if m.group("abbr"):
        return _ABBR[m.group("abbr").lower()], True
    if m.group("msym"):
        return _MSYM[m.group("msym")], True
    return 1.0, False


def _is_year(raw: str) -> bool:
    return len(raw) == 4 and raw.isdigit() and 1900 <= int(raw) <= 2100


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
            if start and (text[start - 1].isalnum() or text[start - 1] in ".,_/"):
                continue
            q = _quantity(text, m, lang)
            if q is not None:
                found.append(q)
    if unit_words:
        found.extend(_word_quantities(text, unit_words, lang))
    return _drop_contained(found)


_BY_WORDS = frozenset({"by", "to", "um", "auf", "à", "a", "de", "d'", "d’", "hasta"})
_UNIT_WORD_RE = re.compile(r"watt|vatio|illi|illó|illo", re.I)
_ONE_REV_RE = re.compile(
    r"\s+(?:(?:"
    + _alt(
        w[::-1]
        for w in (
            "additional", "extra", "further", "zusätzliche", "zusätzliches", "zusätzlichen",
            "zusätzlicher", "zusätzlichem", "weitere", "weiteres", "weiteren", "weiterer",
            "weiterem", "supplémentaire", "adicional",
        )
    )
    + r")\s+)?(?P<one>"
    + _alt(w[::-1] for w in ("a", "an", "one", "un", "une", "ein", "eine", "einer", "einem",
                             "einen", "uno", "una"))
    + r")(?!\w)",
    re.I,
)  # fmt: skip


def _word_quantities(
    text: str, unit_words: list[tuple[int, int]], lang: str | None
) -> list[Quantity]:
    """Quantities written with a word for one: "one gigawatt", "well over a gigawatt", "um ein
    zusätzliches Gigawatt", "más de un gigavatio", "plus d'un milliard d'euros". With an
    article ("a", "un", "ein") only after a qualifier or "by"/"to"/"um"/"de": "building a
    gigawatt costs ..." is generic. Never "a gigawatt-scale campus" nor bare "gigawatts".

    ``unit_words`` are spans inside unit or scale words ("watt" of "gigawatts"); the word for
    one is looked for right before each word, in the reversed text."""
    out = []
    seen: set[int] = set()
    for s, _e in unit_words:
        ws = s
        while ws > 0 and text[ws - 1].isalpha() and s - ws < 8:
            ws -= 1
        if ws in seen:
            continue
        seen.add(ws)
        m = _ONE_REV_RE.match(text[max(0, ws - 40) : ws][::-1])
        if m is None:
            continue
        one_start = ws - m.end()
        one = text[one_start : one_start + len(m.group("one"))].lower()
        after = _AFTER_RE.match(text, ws)
        end = after.end()
        if after.group("pww") or after.group("enw"):
            nxt = text[end : end + 7].lower()
            if nxt.startswith(("-", " scale", " class", "s")):
                continue
            kind = "energy" if after.group("enw") else "power"
            word = after.group("enp") if kind == "energy" else after.group("pwp")
            q = Quantity(kind, _word_factor(word), "GWh" if kind == "energy" else "GW", None,
                         None, one_start, end)  # fmt: skip
        elif (after.group("scale") and (after.group("cur") or after.group("cursym"))
              and not after.group("scale").lower().endswith("s")):  # fmt: skip
            mult, _ = _scale(after, lang)
            if after.group("cur"):
                currency = _CURRENCY_WORDS[re.sub(r"\s+", " ", after.group("cur").lower())]
            else:
                currency = _CURRENCY_SYMBOLS[after.group("cursym")]
            q = Quantity("money", mult, currency, currency, None, one_start, end)
        else:
            continue
        before = text[max(0, one_start - 32) : one_start]
        qm = _QUALIFIER_REV_RE.match(before[::-1])
        if qm is not None:
            q.qualifier = _QUALIFIER_PHRASES[" ".join(qm.group(1)[::-1].lower().split())]
        elif one not in ("one", "uno") and (
            not before.split() or before.split()[-1].lower() not in _BY_WORDS
        ):
            continue  # "building a gigawatt costs ...": generic, not an amount
        out.append(q)
    return out


def _prefix(text: str, start: int) -> re.Match | None:
    """A currency symbol or code right before the number ("$5", "US$ 5", "EUR 5", "Rs 5")."""
    if not start:
        return None
    c = text[start - 1]
    if c.isspace() and start > 1:
        c = text[start - 2]
    if c in _CURRENCY_SYMBOLS or c.isupper() or c in ".s":
        return _PREFIX_RE.search(text, max(0, start - 12), start)
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


def _quantity(text: str, m: re.Match, lang: str | None) -> Quantity | None:
    raw = m.group()
    prefix = _prefix(text, m.start())
    if prefix is None and not _unit_follows(text, m.end()):
        return None
    after = _AFTER_RE.match(text, m.end())
    start, end = m.start(), after.end()
    currency = None
    if prefix:
        code = prefix.group("code") or prefix.group("sym")
        currency = _PREFIX_CODES.get(code) or _CURRENCY_SYMBOLS[code]
        start -= len(prefix.group())
    kind = None
    if after.group("cur"):
        word = re.sub(r"\s+", " ", after.group("cur").lower())
        currency = currency or _CURRENCY_WORDS[word]
        if word == "won" and not (after.group("scale") or after.group("abbr")):
            return None  # "won" is an English verb unless a scale word says otherwise
        kind = "money"
    elif after.group("cursym"):
        currency = currency or _CURRENCY_SYMBOLS[after.group("cursym")]
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
    if _is_year(raw) and not prefix and _YEAR_PREP_RE.search(text, max(0, m.start() - 16),
                                                            m.start()):  # fmt: skip
        return None
    mult, scaled = _scale(after, lang)
    if after.group("abbr") and not (prefix or after.group("cur") or after.group("cursym")):
        return None  # "5m" alone is metres, not money
    unit: str | None
    factor = 1.0
    if kind == "power":
        sym = after.group("pw")
        factor = _POWER_SYMBOLS[sym.rstrip("ecp")] if sym else _word_factor(after.group("pwp"))
        value, unit = value * mult * factor, "GW"
    elif kind == "energy":
        sym = after.group("en")
        factor = _ENERGY_SYMBOLS[sym] if sym else _word_factor(after.group("enp"))
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
    return _PREFIX_FACTOR[(prefix or "").lower()]


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
        q.qualifier = _QUALIFIER_PHRASES[phrase]


def _range_low(r: re.Match, q: Quantity, lang: str | None, mult: float, factor: float):
    raw = r.group("lo")
    lo = parse_number(raw, lang)
    if lo is None or (_is_year(raw) and q.value >= 1900):
        return None
    ls = (r.group("loscale") or "").lower()
    if ls:
        ls = re.sub(r"\s+", " ", ls)
        lo *= _ABBR.get(ls) or _SCALES[ls]
        if ls in ("billion", "billions") and (lang or "en") in BILLION_IS_1E12:
            lo *= 1e3
    else:
        lo *= mult
    lounit = r.group("lounit")
    if lounit:
        if q.kind != "power" or lounit not in _POWER_SYMBOLS:
            return None if lounit != "%" or q.kind != "stake" else lo
        return lo * _POWER_SYMBOLS[lounit]
    return lo * factor


def _valid_range(r: re.Match, lang: str | None) -> bool:
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


# --------------------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "st", "inc", "corp", "co", "ltd", "jr", "sr", "vs", "etc",
    "no", "nr", "mrd", "mio", "bio", "tsd", "ca", "bzw", "z.b", "u.a", "mme", "md", "mds", "sa",
    "s.a", "av", "approx", "dept", "gov", "sen", "rep", "fig", "art", "e.g", "i.e", "u.s", "e.u",
    "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "janv", "févr", "déc", "hr", "hrs", "mm", "m", "mn", "bn", "ggf", "evtl", "vgl", "usw", "sra",
    "dña", "núm", "pág", "p", "pp", "vol",
))  # fmt: skip


_ENDERS = ".!?…;\n"
_OPENERS = "\"'«“‘([¿¡-–—"


_END_AT_RE = re.compile(
    r"\n|[.!?…;][\"'»”’)\]]*(?:[^\S\n]*\n|[^\S\n]+(?:\Z|(?=[\"'«“‘(\[¿¡\-–—]?[^\W_a-zß-ÿ])))"
)


def _next_start(text: str, i: int) -> int | None:
    """If ``text[i]`` ends a sentence, where the next one starts; else None.

    A sentence ends at a newline, or at . ! ? … ; followed (after closing quotes) by spaces and
    a capital, a digit or an opening quote; a dot after an abbreviation ("Mrd.", "U.S.", "Dr.")
    or an initial ("J. Smith") does not end a sentence."""
    m = _END_AT_RE.match(text, i)
    if m is None:
        return None
    if text[i] == "." and text[m.end() - 1] != "\n":
        w = max(text.rfind(" ", max(0, i - 12), i), text.rfind("\n", max(0, i - 12), i))
        word = text[w + 1 : i].lstrip(_OPENERS).lower()
        if len(word) == 1 or word in _ABBREVIATIONS:
            return None
    return m.end()


_ENDER_RE = re.compile(r"[.!?…;\n]")


def sentence_span(text: str, start: int, end: int, reach: int = 1000) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, found locally (at most ``reach`` characters
    either side), so that a few quantities do not cost a pass over the whole text."""
    s = max(0, start - reach)
    if s:
        s = text.find(" ", s, start) + 1 or s  # do not start inside a word
    hi = start
    for back in (200, reach):
        lo = max(0, start - back)
        found = None
        for i in reversed([m.start() for m in _ENDER_RE.finditer(text, lo, hi)]):
            nxt = _next_start(text, i)
            if nxt is not None and nxt <= start:
                found = nxt
                break
        if found is not None:
            s = found
            break
        if lo == 0:
            s = 0
            break
        hi = lo + 1
    e = min(len(text), end + reach)
    for m in _ENDER_RE.finditer(text, end, e):
        if _next_start(text, m.start()) is not None:
            e = m.start() + 1
            break
    return s, e


# --------------------------------------------------------------------------- exchange rates


def load_fx(path: Path | str | None = None) -> dict[str, float]:
    """USD per unit of each currency from the static rate table (``fx_rates.toml``)."""
    path = Path(path) if path is not None else DEFAULT_FX
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    rates = data.get("usd_per_unit")
    if not isinstance(rates, dict):
        raise ValueError(f"{path.name}: missing table [usd_per_unit]")
    out: dict[str, float] = {}
    for code, rate in rates.items():
        if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
            raise ValueError(f"{path.name}: usd_per_unit.{code}: expected a positive number")
        out[code.upper()] = float(rate)
    out.setdefault("USD", 1.0)
    return out
