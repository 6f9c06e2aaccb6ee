"""The words and symbols quantities are written with, as data (like trafilatura's xpaths.py).

Everything :mod:`gigawatch.quantities.extract` recognises is listed here: currencies (one
:data:`CURRENCIES` table from which the currency words, symbols, prefixes before a number,
trigger words and the prefix regex are generated), scale words, units, qualifiers and the words
for "one". The regular expressions that combine them stay in ``extract.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

DOT_DECIMAL = frozenset({"en", "zh", "ja", "ko", "th", "he", "hi", "ms", "tl", "ga", "cy"})
BILLION_IS_1E12 = frozenset({"fr", "de", "es", "it", "nl", "pt", "pl", "sv", "da", "no", "nb"})

# --------------------------------------------------------------------------- currencies


class Currency(NamedTuple):
    code: str  # ISO 4217; also recognised before a number ("USD 5bn") and after it ("5bn usd")
    symbol: str | None = None  # "$5bn", "5 Mrd. €"
    prefixes: tuple[str, ...] = ()  # other forms before a number, exact case ("US$", "Rs")
    words: tuple[str, ...] = ()  # after a number, any case ("5 billion dollars")
    codes: tuple[str, ...] = ()  # other codes ("RMB")


CURRENCIES: tuple[Currency, ...] = (
    Currency("USD", "$", ("US$", "U.S.$", "U$S", "U$s", "u$s", "u$S"), (
        "dollars américains", "dollars americains", "dollars us", "dollars des états-unis",
        "us dollars", "u.s. dollars", "us-dollar", "us-dollars", "dollar", "dollars", "dólar",
        "dólares", "dolares", "dólares estadounidenses")),
    Currency("EUR", "€", (), ("euro", "euros")),
    Currency("GBP", "£", (), (
        "pound", "pounds", "pounds sterling", "sterling", "livre sterling", "livres sterling",
        "pfund", "pfund sterling", "britische pfund", "libra", "libras", "libras esterlinas")),
    Currency("CHF", None, (), (
        "swiss francs", "francs suisses", "franken", "schweizer franken", "francos suizos")),
    Currency("JPY", "¥", (), ("yen", "yens")),
    Currency("CNY", None, (), ("yuan", "yuans", "renminbi"), ("RMB",)),
    Currency("INR", "₹", ("Rs", "Rs."), ("rupees", "roupies", "rupien", "rupias")),
    Currency("KRW", "₩", (), ("won",)),
    Currency("SGD", None, ("S$",), ("singapore dollars",)),
    Currency("HKD", None, ("HK$",), ("hong kong dollars",)),
    Currency("CAD", None, ("C$", "CA$"), ("canadian dollars", "dollars canadiens")),
    Currency("AUD", None, ("A$", "AU$"), ("australian dollars",)),
    Currency("SAR", None, (), ("riyal", "riyals")),
    Currency("AED", None, (), ("dirham", "dirhams")),
    Currency("BRL", None, ("R$",), ("reais",)),
    Currency("TWD", None, ("NT$",)),
    Currency("SEK", None, (), (
        "kronor", "swedish kronor", "swedish crowns", "schwedische kronen", "couronnes suédoises",
        "coronas suecas")),
    Currency("NOK", None, (), (
        "norwegian kroner", "norwegische kronen", "couronnes norvégiennes", "coronas noruegas")),
    Currency("DKK", None, (), (
        "danish kroner", "dänische kronen", "couronnes danoises", "coronas danesas")),
)  # fmt: skip

_ALL_CODES = tuple(code for c in CURRENCIES for code in (c.code, *c.codes))
CURRENCY_WORDS: dict[str, str] = {
    word: c.code
    for c in CURRENCIES
    for word in (*c.words, *(k.lower() for k in (c.code, *c.codes)))
}
CURRENCY_SYMBOLS: dict[str, str] = {c.symbol: c.code for c in CURRENCIES if c.symbol}
# prefixes that may be glued to the number although they end with a letter ("u$s40.000")
GLUED_PREFIXES = tuple(f for c in CURRENCIES for f in c.prefixes if f[-1].isalpha() and "$" in f)
SYMBOLS = "".join(CURRENCY_SYMBOLS)  # "$€£¥₹₩"
PREFIX_CODES: dict[str, str] = {
    form: c.code for c in CURRENCIES for form in (*c.prefixes, c.code, *c.codes)
}
# A currency code or symbol right before a number ("US$ 5", "EUR 5", "Rs. 5", "€5"); the
# longest forms first.
PREFIX_RE = re.compile(
    r"(?:(?<![A-Za-z])(?P<code>"
    + "|".join(re.escape(f) for f in sorted(PREFIX_CODES, key=len, reverse=True))
    + r")|(?P<sym>["
    + re.escape(SYMBOLS)
    + r"]))[\s\u00a0\u202f\u2009]?\Z"
)

# --------------------------------------------------------------------------- trigger words

# Words near which a number is worth parsing; the tagger finds them with its Aho-Corasick
# automaton and only parses numbers around them. Same syntax as taxonomy aliases: a trailing
# "*" is a prefix, a leading "*" a suffix ("5GW"); other words need word boundaries.
# TRIGGERS match case-insensitively, TRIGGERS_CS with their exact case.
TRIGGERS: tuple[str, ...] = (
    *(c.symbol for c in CURRENCIES if c.symbol), "%",
    "dollar*", "dólar*", "dolar*", "euro", "euros", "pound*", "sterling", "pfund", "libra*",
    "yuan*", "renminbi", "riyal*", "dirham*", "rupee*", "roupie*", "rupia*", "franken",
    "milliard*", "million*", "billion*", "trillion*", "mrd", "mio", "bn", "bln", "mln",
    "millón", "millon*", "millardo*", "milhão", "milhões", "bilhão", "bilhões", "bilião",
    "biliões",
    "billón", "billon*", "lakh*", "crore*", "mil millones",
    "*watt*", "*vatio*",
    "percent", "per cent", "pour cent", "pour-cent", "prozent*", "por ciento", "pct",
    "shares", "actions", "aktien", "acciones", "titres",
)  # fmt: skip
TRIGGERS_CS: tuple[str, ...] = (
    *_ALL_CODES,
    *dict.fromkeys(f.rstrip(".") for c in CURRENCIES for f in c.prefixes if "$" not in f),
    "*GW*", "*MW*", "*kW*", "*TW*", "*M€", "*Md€", "*Mds€",
)  # fmt: skip

# --------------------------------------------------------------------------- scales and units

SCALES: dict[str, float] = {
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
    "milhão": 1e6, "milhões": 1e6, "mil milhões": 1e9, "bilhão": 1e9, "bilhões": 1e9,  # pt
    "bilião": 1e12, "biliões": 1e12,  # pt-PT long scale; pt-BR bilhão = 10^9
}  # fmt: skip
ABBR = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12}
MSYM = {"k": 1e3, "M": 1e6, "Md": 1e9, "Mds": 1e9, "Mrd": 1e9, "G": 1e9}
POWER_SYMBOLS = {"W": 1e-9, "kW": 1e-6, "MW": 1e-3, "GW": 1.0, "TW": 1e3}
ENERGY_SYMBOLS = {"kWh": 1e-6, "MWh": 1e-3, "GWh": 1.0, "TWh": 1e3}
PREFIX_FACTOR = {"": 1e-9, "kilo": 1e-6, "mega": 1e-3, "méga": 1e-3, "giga": 1.0,
                  "tera": 1e3, "téra": 1e3}  # fmt: skip

# --------------------------------------------------------------------------- qualifiers

QUALIFIER_PHRASES = {
    phrase: name
    for name, phrases in (
        ("up_to", "up to|as much as|as many as|jusqu'à|jusqu’à|jusqu'a|jusqu’a|bis zu|hasta"
                  "|maximum of|au maximum|de hasta|hasta unos|até"),
        ("more_than", "more than|over|above|exceeding|at least|plus de|au moins|d'au moins"
                      "|d’au moins|mehr als|über|mindestens|más de|mas de|al menos"
                      "|por encima de|de más de|well over|con holgura|largement|plus d'|plus d’"
                      "|mais de"),
        ("about", "about|around|approximately|roughly|nearly|almost|some|circa|ca.|environ"
                  "|près de|près d'|près d’|quelque|rund|etwa|knapp|fast|cerca de|alrededor de"
                  "|aproximadamente|casi|unos|unas|d'environ|d’environ|de unos|von rund"
                  "|von etwa|von knapp|quase"),
    )
    for phrase in phrases.split("|")
}  # fmt: skip
BY_WORDS = frozenset({
    "by", "to", "um", "auf", "von", "mit", "à", "a", "de", "d'", "d’", "hasta",
})  # fmt: skip
ONE_WORDS = ("a", "an", "one", "un", "une", "ein", "eine", "einer", "einem", "einen", "uno", "una")
ADDITIONAL_WORDS = (
    "additional", "extra", "further", "zusätzliche", "zusätzliches", "zusätzlichen",
    "zusätzlicher", "zusätzlichem", "weitere", "weiteres", "weiteren", "weiterer", "weiterem",
    "supplémentaire", "adicional",
)  # fmt: skip


# --------------------------------------------------------------------------- number words

# Cardinals written as words ("ten", "vingt-trois", "dreiundzwanzig", "doscientos cincuenta")
# are parsed by text2num (``gigawatch/quantities/words.py``), in these languages:
WORD_NUMBER_LANGS = frozenset({"en", "fr", "de", "es", "pt"})
# what text2num does not cover, or reads in a way that is wrong before a unit:
CONNECTOR_WORDS = frozenset({"and", "et", "und", "y"})  # "two hundred and fifty"
NOT_NUMBER_WORDS = frozenset({  # text2num reads them as 1, 100, 1000 or 0; alone they are not
    "ones", "unos", "unas", "hundreds", "thousands", "cents", "cientos", "miles", "milles", "o",
    "zero", "zéro", "cero", "null", "nought",
})  # fmt: skip
ARTICLE_ONE_WORDS = frozenset(ONE_WORDS) - {"one", "uno"}  # "a gigawatt" may be generic
WORD_NUMBER_FORMS = {  # forms text2num rejects, as text2num reads them
    "veintiún": "veintiuno", "veintiun": "veintiuno", "ún": "uno",
}  # fmt: skip
DOZEN_WORDS = frozenset({"dozen", "douzaine", "dutzend", "docena"})  # "a dozen", "une douzaine de"
APPROXIMATE_NUMBER_WORDS = {  # "une centaine de gigawatts": about 100 GW (qualifier "about")
    "dizaine": 10.0, "quinzaine": 15.0, "vingtaine": 20.0, "trentaine": 30.0,
    "quarantaine": 40.0, "cinquantaine": 50.0, "soixantaine": 60.0, "centaine": 100.0,
    "millier": 1000.0, "decena": 10.0, "veintena": 20.0, "treintena": 30.0, "centenar": 100.0,
    "millar": 1000.0,
}  # fmt: skip
HALF_WORDS = frozenset({  # "un demi-gigawatt", "ein halbes Gigawatt", "medio gigavatio"
    "demi", "halbes", "halbe", "halben", "halber", "medio",
})  # fmt: skip
HALF_SUFFIX = "einhalb"  # "zweieinhalb Gigawatt" = 2.5, "eineinhalb" = 1.5
FRACTION_WORDS = {"anderthalb": 1.5}
HALF_AFTER_UNIT = ("and a half", "et demi", "et demie", "y medio", "y media", "und ein halb")
DECIMAL_POINT_WORDS = frozenset({"point", "virgule", "komma", "coma", "punto"})  # "four point five"
BETWEEN_WORDS = frozenset({"between", "entre", "zwischen"})  # "between two and three"
RANGE_WORDS = frozenset({"to", "à", "au", "bis"})  # "two to three gigawatts"; "a" in Spanish
VAGUE_WORDS = frozenset({  # "mehrerer zehn Milliarden Dollar" = several tens of billions
    "several", "mehrere", "mehrerer", "mehreren", "einige", "einiger", "einigen", "plusieurs",
    "quelques", "varios", "varias", "multiple",
})  # fmt: skip
FOLLOWING_NOT_AMOUNT = ("scale", "class", "sized", "size", "level", "type")  # "two gigawatt-scale"


_Trie = dict[str, "_Trie"]


def words_alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (lowercase), as a trie so that the engine branches on
    each character instead of trying every word in turn; longer words are preferred; a space
    matches any space."""
    trie: _Trie = {}
    for w in set(words):
        node = trie
        for ch in w.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
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
