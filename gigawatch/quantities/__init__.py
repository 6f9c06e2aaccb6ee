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
