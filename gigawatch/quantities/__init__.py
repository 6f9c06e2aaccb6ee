"""Find and normalise quantities in English, French, German and Spanish text.

Kinds of facts (see also ``warehouse/views/41_facts.sql``):

``power``   electrical power, ``value`` in GW (``unit = 'GW'``): "1.2 GW", "500 MW", "gigawatts",
            "mégawatts", "Gigawatt", "gigavatios", "5-gigawatt", "ein 500-Megawatt-Rechenzentrum".
``energy``  energy, ``value`` in GWh (``unit = 'GWh'``): "GWh", "TWh", "gigawattheures",
            "Gigawattstunden", "gigavatios hora". Energy is never stored as power.
``money``   an amount, ``value`` in the original currency (full units, scale applied), ``currency``
            and ``unit`` its ISO 4217 code; ``amount_usd`` is added by the tagger from the static
            rate table ``gigawatch/defaults/fx_rates.toml``. Scale words: million, billion (10^9 in
            English, 10^12 in French, German and Spanish "billion"/"Billion"/"billón"), bn, m, b,
            trillion, tn, bln, mln, milliard(s), Md, Mds, M€, Mio., Mrd., Milliarde(n),
            Billion(en), millón/millones, mil millones, miles de millones, billón/billones,
            crore, lakh.
            Hyphenated: "a 12-billion-dollar campus", "der 250-Milliarden-Dollar-Deal".
            Currency prefixes include the Latin-American "U$S 8.000 millones", "u$s40.000
            millones" (glued), "US$ 2.000 millones", "USD 500 millones".
``stake``   a percentage of capital, ``value`` in percent (``unit = '%'``): "a 10% stake",
            "10 % du capital", "eine Beteiligung von 10 Prozent", "el 10 % del capital".
``shares``  a number of shares, ``unit = 'shares'``: "10 million shares", "2 millions d'actions".

Numbers: "1,000" and "1.000" are thousands in English and in French, German and Spanish
respectively; a comma followed by three digits in French, German or Spanish is a decimal comma
unless the group ends with 0 ("1,500 millones" = 1,500 million, "1,125 GW" = 1.125 GW), a dot
followed by three digits in English is a decimal point unless the group is "000". Spaces,
non-breaking and thin spaces group thousands ("1 000 milliards"). Other languages follow the
French/German/Spanish rule except those listed in ``DOT_DECIMAL``.

Numbers written as words (``gigawatch/quantities/words.py``), before a unit, scale or percent
word only (the tagger's trigger words; the text is never scanned for number words): cardinals
read by text2num in en/fr/de/es (and pt), of any size, and their compounds ("ten gigawatts",
"zwölf Gigawatt", "ocho gigavatios", "vingt-trois", "dreiundzwanzig", "veintitrés", "two hundred
and fifty", "tausend", "quatre-vingt-dix"), followed by scale words ("thirty billion euros" =
EUR 30e9, "quarante-cinq milliards de dollars", "acht Billionen Dollar" = USD 8e12, "ocho mil
millones de dólares" = USD 8e9, "dos billones" = 2e12 in Spanish, "a ten-billion-dollar
campus"), decimals ("nineteen point four", "zwei Komma fünf", "dos coma cinco"), and the forms
text2num does not read, as data in ``lexicon.py``: "a dozen"/"une douzaine de"/"ein
Dutzend"/"una docena de", "half a", "un demi-", "ein halbes", "medio", "two and a half",
"zweieinhalb", "anderthalb", "cuatro gigavatios y medio", "un gigawatt et demi", "veintiún", and
"une centaine de", "un centenar de" (qualifier ``about``). Money from words needs a scale word
("thirty euros" is not a fact). A bare article for one ("a gigawatt", "un milliard") counts only
after a qualifier or "by"/"to"/"um"/"von"/"mit"/"de": "building a gigawatt costs" is generic.
Not numbers: a capitalised number word inside a sentence (a name: "the Two Sigma fund", "Grupo
Mil"), ordinals ("the first gigawatt"), "ones", "hundreds of", "miles de millones", a number
after "several"/"mehrere"/"plusieurs"/"varios" ("mehreren zehn Milliarden Dollar"), "two
billion-dollar deals", "two gigawatt-scale sites". Portuguese scale words: milhões, mil milhões
(10^9), bilhões (Brazil, 10^9), biliões (Portugal, 10^12).

Qualifiers: ``up_to`` (up to, as much as, jusqu'à, bis zu, hasta), ``more_than`` (more than,
over, at least, plus de, au moins, mehr als, über, mindestens, más de, al menos), ``about``
(about, around, nearly, almost, environ, près de, rund, etwa, knapp, cerca de, alrededor de,
unos) and ``range`` ("5 to 10 GW", "5-10 GW", "entre 5 et 10 GW", "zwischen 5 und 10 GW", "de 5
a 10 GW", "between $10bn and $20bn", "two to three gigawatts", "entre deux et trois
gigawatts", "zwischen zwei und drei Gigawatt", "de dos a tres gigavatios"): a range keeps its
upper bound in ``value`` and its lower bound in ``low``.

Not facts: numbers without a unit, currency or percent sign (years, dates, phone numbers, page
furniture such as "Page 2 of 5"); year-like numbers after a time preposition ("by 2030",
"d'ici 2030", "bis 2030", "para 2030") even when a scale word follows; per-share prices;
percentages that are not shares of capital.
"""

from gigawatch.config import DEFAULT_FX, load_fx
from gigawatch.quantities.extract import (
    WINDOW_AFTER,
    WINDOW_BEFORE,
    Quantity,
    find_quantities,
)
from gigawatch.quantities.lexicon import (
    BILLION_IS_1E12,
    CURRENCIES,
    DOT_DECIMAL,
    TRIGGERS,
    TRIGGERS_CS,
)
from gigawatch.quantities.numbers import NUM_RE, parse_number
from gigawatch.sentences import sentence_span

__all__ = [
    "BILLION_IS_1E12",
    "CURRENCIES",
    "DEFAULT_FX",
    "DOT_DECIMAL",
    "NUM_RE",
    "TRIGGERS",
    "TRIGGERS_CS",
    "WINDOW_AFTER",
    "WINDOW_BEFORE",
    "Quantity",
    "find_quantities",
    "load_fx",
    "parse_number",
    "sentence_span",
]
