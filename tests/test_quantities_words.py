"""Quantities written with words, compounds and regional markers, per language and kind.

Every case is checked twice: by ``find_quantities`` over the whole text, and through the
tagger, which only looks near the trigger words its automaton found (so a form whose word is
not a trigger would pass the first check and fail the second).
"""

from __future__ import annotations

import pytest

from gigawatch.quantities import find_quantities
from gigawatch.quantities.words import cardinal
from gigawatch.tagger import Tagger
from gigawatch.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_taxonomy(), fx={"USD": 1.0, "EUR": 1.25})


def found(text: str, lang: str, tagger: Tagger) -> list[tuple]:
    """(kind, value, unit, qualifier, low, span text) of every quantity; the tagger agrees."""
    direct = [
        (q.kind, q.value, q.unit, q.qualifier, q.low, text[q.start : q.end])
        for q in find_quantities(text, lang)
    ]
    tagged = [
        (f.kind, f.value, f.unit, f.qualifier, f.low, text[f.span[0] : f.span[1]])
        for f in tagger.tag("", text, lang).facts
    ]
    assert tagged == direct
    return direct


def only(text: str, lang: str, tagger: Tagger) -> tuple:
    got = found(text, lang, tagger)
    assert len(got) == 1, got
    return got[0]


# --------------------------------------------------------------------------- text2num itself


@pytest.mark.parametrize(
    ("words", "lang", "value"),
    [
        ("ten", "en", 10), ("two hundred and fifty", "en", 250), ("twenty-three", "en", 23),
        ("nine hundred and ninety-nine", "en", 999), ("thousand", "en", 1000),
        ("vingt-trois", "fr", 23), ("quarante-cinq", "fr", 45), ("soixante et onze", "fr", 71),
        ("quatre-vingt-dix", "fr", 90), ("deux cents", "fr", 200), ("mille", "fr", 1000),
        ("zwölf", "de", 12), ("dreiundzwanzig", "de", 23), ("zweihundertfünfzig", "de", 250),
        ("tausend", "de", 1000), ("dreißig", "de", 30),
        ("ocho", "es", 8), ("veintitrés", "es", 23), ("treinta y cinco", "es", 35),
        ("doscientos cincuenta", "es", 250), ("mil", "es", 1000),
        ("veintiún", "es", 21),  # apocope before a masculine noun: rewritten in lexicon.py
    ],
)  # fmt: skip
def test_cardinals_read_by_text2num(words, lang, value):
    assert cardinal(words, lang) == value


@pytest.mark.parametrize(
    ("words", "lang"), [("first", "en"), ("the", "en"), ("a dozen", "en"), ("premier", "fr")]
)
def test_words_that_are_not_cardinals(words, lang):
    assert cardinal(words, lang) is None


# --------------------------------------------------------------------------- power and energy


@pytest.mark.parametrize(
    ("lang", "text", "gw", "span"),
    [
        ("en", "OpenAI will deploy ten gigawatts of accelerators.", 10.0, "ten gigawatts"),
        ("en", "Ten gigawatts were announced on Monday.", 10.0, "Ten gigawatts"),
        ("en", "a campus of two hundred and fifty megawatts", 0.25, None),
        ("en", "The first phase adds nine hundred and ninety-nine megawatts.", 0.999, None),
        ("en", "The buyer wants a thousand megawatts by then.", 1.0, "thousand megawatts"),
        ("en", "It plans twenty-three gigawatts in total.", 23.0, None),
        ("en", "a ten-gigawatt campus in Texas", 10.0, "ten-gigawatt"),
        ("en", "two additional gigawatts for the second site", 2.0, None),
        ("en", "a dozen gigawatts of new demand", 12.0, "a dozen gigawatts"),
        ("en", "two and a half gigawatts", 2.5, None),
        ("en", "half a gigawatt of solar", 0.5, "half a gigawatt"),
        ("en", "fifteen hundred megawatts", 1.5, None),
        ("fr", "Le site consommera deux gigawatts.", 2.0, "deux gigawatts"),
        ("fr", "un parc de vingt-trois gigawatts", 23.0, "vingt-trois gigawatts"),
        ("fr", "quatre-vingt-dix mégawatts", 0.09, None),
        ("fr", "cinq cents mégawatts supplémentaires", 0.5, "cinq cents mégawatts"),
        ("fr", "Il faudra mille mégawatts.", 1.0, None),
        ("fr", "une douzaine de gigawatts", 12.0, "une douzaine de gigawatts"),
        ("fr", "un demi-gigawatt", 0.5, None),
        ("de", "Das Projekt soll zwölf Gigawatt liefern.", 12.0, "zwölf Gigawatt"),
        ("de", "dreiundzwanzig Gigawatt bis zum Ende des Jahrzehnts", 23.0, None),
        ("de", "ein Campus mit zweihundertfünfzig Megawatt", 0.25, None),
        ("de", "Geplant sind tausend Megawatt.", 1.0, "tausend Megawatt"),
        ("de", "zweieinhalb Gigawatt", 2.5, None),
        ("de", "Dazu kommt ein halbes Gigawatt.", 0.5, "ein halbes Gigawatt"),
        ("de", "ein Dutzend Gigawatt", 12.0, None),
        ("de", "zwei weitere Gigawatt", 2.0, None),
        ("es", "El campus tendrá ocho gigavatios.", 8.0, "ocho gigavatios"),
        ("es", "veintitrés gigavatios de capacidad", 23.0, None),
        ("es", "veintiún gigavatios", 21.0, None),
        ("es", "doscientos cincuenta megavatios", 0.25, None),
        ("es", "mil megavatios", 1.0, None),
        ("es", "una docena de gigavatios", 12.0, None),
        ("es", "medio gigavatio", 0.5, None),
        ("es", "cuatro gigavatios y medio de capacidad", 4.5, "cuatro gigavatios y medio"),
        ("fr", "deux gigawatts et demi", 2.5, None),
        ("fr", "un campus d'un gigawatt et demi", 1.5, "un gigawatt et demi"),
        ("en", "one point five gigawatts", 1.5, None),
        ("en", "two point two five gigawatts", 2.25, None),
        ("de", "zwei Komma fünf Gigawatt", 2.5, None),
        ("es", "dos coma cinco gigavatios", 2.5, None),
        ("de", "Die erste Stufe von einem Gigawatt ist geplant.", 1.0, "einem Gigawatt"),
    ],
)
def test_power_in_words(tagger, lang, text, gw, span):
    kind, value, unit, _qual, _low, got_span = only(text, lang, tagger)
    assert (kind, unit) == ("power", "GW")
    assert value == pytest.approx(gw)
    assert got_span == (span or got_span)


@pytest.mark.parametrize(
    ("lang", "text", "gwh"),
    [
        ("en", "ten terawatt-hours a year", 10_000.0),
        ("fr", "deux térawattheures", 2000.0),
        ("de", "zehn Terawattstunden pro Jahr", 10_000.0),
        ("es", "cinco gigavatios hora", 5.0),
    ],
)
def test_energy_in_words(tagger, lang, text, gwh):
    kind, value, unit, *_ = only(text, lang, tagger)
    assert (kind, unit, value) == ("energy", "GWh", pytest.approx(gwh))


# --------------------------------------------------------------------------- qualifiers, ranges


@pytest.mark.parametrize(
    ("lang", "text", "value", "qualifier"),
    [
        ("en", "The site will draw almost two gigawatts.", 2.0, "about"),
        ("en", "more than five gigawatts", 5.0, "more_than"),
        ("en", "up to ten gigawatts", 10.0, "up_to"),
        ("fr", "près de trois gigawatts", 3.0, "about"),
        ("fr", "jusqu'à dix gigawatts", 10.0, "up_to"),
        ("de", "rund zwölf Gigawatt", 12.0, "about"),
        ("de", "mehr als zwei Gigawatt", 2.0, "more_than"),
        ("es", "unos diez gigavatios", 10.0, "about"),
        ("es", "hasta ocho gigavatios", 8.0, "up_to"),
        ("en", "more than a dozen gigawatts", 12.0, "more_than"),
        ("en", "nearly thirty billion euros", 30e9, "about"),
        ("fr", "contre une centaine de gigawatts aujourd'hui", 100.0, "about"),
        ("fr", "une dizaine de milliards d'euros", 10e9, "about"),
        ("es", "un centenar de megavatios", 0.1, "about"),
    ],
)
def test_qualifiers_before_words(tagger, lang, text, value, qualifier):
    _kind, got, _unit, qual, _low, _span = only(text, lang, tagger)
    assert (got, qual) == (pytest.approx(value), qualifier)


@pytest.mark.parametrize(
    ("lang", "text", "low", "high", "span"),
    [
        ("en", "two to three gigawatts", 2.0, 3.0, "two to three gigawatts"),
        ("en", "between two and three gigawatts", 2.0, 3.0, "between two and three gigawatts"),
        ("en", "five to ten billion dollars", 5e9, 10e9, "five to ten billion dollars"),
        ("fr", "entre deux et trois gigawatts", 2.0, 3.0, "entre deux et trois gigawatts"),
        ("fr", "deux à trois gigawatts", 2.0, 3.0, None),
        ("de", "zwischen zwei und drei Gigawatt", 2.0, 3.0, None),
        ("de", "zwei bis drei Gigawatt", 2.0, 3.0, None),
        ("es", "de dos a tres gigavatios", 2.0, 3.0, "dos a tres gigavatios"),
        ("es", "entre dos y tres gigavatios", 2.0, 3.0, None),
    ],
)
def test_ranges_in_words(tagger, lang, text, low, high, span):
    _kind, value, _unit, qual, got_low, got_span = only(text, lang, tagger)
    assert (qual, got_low, value) == ("range", pytest.approx(low), pytest.approx(high))
    assert got_span == (span or got_span)


def test_a_number_with_and_inside_is_not_a_range(tagger):
    _kind, value, _unit, qual, low, _span = only("two hundred and fifty megawatts", "en", tagger)
    assert (value, qual, low) == (0.25, None, None)


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("lang", "text", "value", "currency"),
    [
        ("en", "It will cost thirty billion euros.", 30e9, "EUR"),
        ("en", "a ten-billion-dollar campus", 10e9, "USD"),
        ("en", "two hundred million dollars", 200e6, "USD"),
        ("en", "half a billion dollars", 0.5e9, "USD"),
        ("en", "one billion dollars", 1e9, "USD"),
        ("en", "twelve trillion yen", 12e12, "JPY"),
        ("fr", "quarante-cinq milliards de dollars", 45e9, "USD"),
        ("fr", "deux billions d'euros", 2e12, "EUR"),  # long scale
        ("fr", "vingt millions d'euros", 20e6, "EUR"),
        ("de", "acht Billionen Dollar", 8e12, "USD"),
        ("de", "zwei Milliarden Euro", 2e9, "EUR"),
        ("de", "fünfhundert Millionen Euro", 500e6, "EUR"),
        ("de", "zwei Mrd. Euro", 2e9, "EUR"),
        ("es", "ocho mil millones de dólares", 8e9, "USD"),
        ("es", "dos billones de dólares", 2e12, "USD"),
        ("es", "mil millones de dólares", 1e9, "USD"),
        ("es", "quinientos millones de euros", 500e6, "EUR"),
        ("es", "veintiún millones de euros", 21e6, "EUR"),
        ("es", "cien mil millones de dólares", 100e9, "USD"),
        ("es", "doscientos mil millones de euros", 200e9, "EUR"),
        ("en", "It can grow to nineteen point four billion dollars.", 19.4e9, "USD"),
        ("de", "Für ein Projekt von einer Milliarde Euro ist das viel.", 1e9, "EUR"),
        ("de", "fünfundneunzig Milliarden schwedische Kronen", 95e9, "SEK"),
        ("fr", "95 milliards de couronnes suédoises", 95e9, "SEK"),
        ("es", "95.000 millones de coronas suecas", 95e9, "SEK"),
        ("en", "up to SEK 95 billion", 95e9, "SEK"),
        ("en", "NOK 20 billion", 20e9, "NOK"),
        ("fr", "trois cents milliards de dollars", 300e9, "USD"),
        ("fr", "quatre-vingts milliards de dollars", 80e9, "USD"),
    ],
)
def test_money_in_words(tagger, lang, text, value, currency):
    kind, got, unit, *_ = only(text, lang, tagger)
    assert (kind, unit) == ("money", currency)
    assert got == pytest.approx(value)


@pytest.mark.parametrize(
    ("lang", "text", "value", "currency", "span"),
    [
        ("en", "a 12-billion-dollar campus", 12e9, "USD", "12-billion-dollar"),
        ("en", "a 1.5-billion-euro plan", 1.5e9, "EUR", "1.5-billion-euro"),
        ("de", "der 250-Milliarden-Dollar-Deal", 250e9, "USD", "250-Milliarden-Dollar"),
        ("de", "ein 10-Milliarden-Euro-Programm", 10e9, "EUR", None),
        ("es", "U$S 8.000 millones", 8e9, "USD", "U$S 8.000 millones"),
        ("es", "una inversión de u$s40.000 millones", 40e9, "USD", "u$s40.000 millones"),
        ("es", "US$ 2.000 millones", 2e9, "USD", None),
        ("es", "USD 500 millones", 500e6, "USD", None),
        ("es", "U$s 1.500 millones", 1.5e9, "USD", None),
        ("en", "a $15 bln facility", 15e9, "USD", "$15 bln"),
        ("en", "15 bln dollars", 15e9, "USD", None),
        ("fr", "une aide de €2 mln", 2e6, "EUR", None),
        ("en", "EUR 2 mln", 2e6, "EUR", None),
        ("de", "5 Mrd. Euro", 5e9, "EUR", None),
        ("de", "5 Mrd Dollar", 5e9, "USD", None),
        ("de", "300 Mio. Euro", 300e6, "EUR", None),
    ],
)
def test_compounds_markers_and_abbreviations(tagger, lang, text, value, currency, span):
    kind, got, unit, _q, _l, got_span = only(text, lang, tagger)
    assert (kind, unit) == ("money", currency)
    assert got == pytest.approx(value)
    assert got_span == (span or got_span)


@pytest.mark.parametrize(
    ("lang", "text", "gw"),
    [
        ("de", "ein 500-Megawatt-Rechenzentrum", 0.5),
        ("en", "a 1.5-gigawatt campus", 1.5),
        ("de", "das 2-Gigawatt-Projekt", 2.0),
    ],
)
def test_hyphenated_power(tagger, lang, text, gw):
    kind, value, *_ = only(text, lang, tagger)
    assert (kind, value) == ("power", pytest.approx(gw))


@pytest.mark.parametrize(
    ("text", "value", "currency", "qualifier"),
    [
        ("vai investir dez mil milhões de dólares", 10e9, "USD", None),
        ("mais de 8,6 mil milhões de euros", 8.6e9, "EUR", "more_than"),
        ("uma fábrica de dois mil milhões de euros", 2e9, "EUR", None),
        ("R$ 5 bilhões", 5e9, "BRL", None),  # Brazilian short scale
        ("até três biliões de euros", 3e12, "EUR", "up_to"),  # European Portuguese long scale
    ],
)
def test_portuguese_money(tagger, text, value, currency, qualifier):
    kind, got, unit, qual, *_ = only(text, "pt", tagger)
    assert (kind, unit, qual) == ("money", currency, qualifier)
    assert got == pytest.approx(value)


# --------------------------------------------------------------------------- stakes and shares


@pytest.mark.parametrize(
    ("lang", "text", "pct"),
    [
        ("en", "It will own fifty-one percent of the company.", 51.0),
        ("en", "a ten per cent stake", 10.0),
        ("fr", "dix pour cent du capital", 10.0),
        ("de", "eine Beteiligung von zehn Prozent", 10.0),
        ("es", "el diez por ciento de las acciones", 10.0),
    ],
)
def test_stakes_in_words(tagger, lang, text, pct):
    kind, value, unit, *_ = only(text, lang, tagger)
    assert (kind, unit, value) == ("stake", "%", pct)


@pytest.mark.parametrize(
    ("lang", "text", "count"),
    [
        ("en", "It issued two million shares.", 2e6),
        ("fr", "cinq millions d'actions", 5e6),
        ("de", "zwei Millionen Aktien", 2e6),
        ("es", "tres millones de acciones", 3e6),
    ],
)
def test_shares_in_words(tagger, lang, text, count):
    kind, value, unit, *_ = only(text, lang, tagger)
    assert (kind, unit, value) == ("shares", "shares", count)


# --------------------------------------------------------------------------- what is no figure


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "one of the two gigawatt-scale sites"),
        ("en", "ten gigawatt-class campuses"),
        ("en", "The first gigawatt came online in March."),
        ("en", "the ones with gigawatts of demand"),
        ("en", "hundreds of megawatts"),
        ("en", "thousands of megawatts"),
        ("en", "tens of billions of dollars"),
        ("en", "Building a gigawatt costs a lot; a gigawatt-scale site; gigawatts of demand."),
        ("en", "a billion-dollar company"),
        ("en", "It paid thirty euros."),  # no scale word: not an amount of interest
        ("en", "two percent growth a year"),  # not a stake
        ("en", "a multi-gigawatt campus"),
        ("en", "the Two Gigawatt Fund"),
        ("es", "miles de millones de dólares"),
        ("es", "El fondo Mil Millones de Dólares invirtió en la zona."),
        ("es", "la empresa Mil Megavatios anunció planes"),
        ("fr", "des centaines de mégawatts"),
        ("fr", "deux centaines de mégawatts"),
        ("es", "a 23,28 dólares por título"),  # a price per share
        ("fr", "à 23,28 dollars par titre"),
        ("fr", "Le premier gigawatt sera livré en 2027."),
        ("de", "Hunderte Megawatt"),
        ("de", "das erste Gigawatt"),
        ("de", "im Bereich von mehreren zehn Milliarden Dollar"),  # several tens of billions
        ("en", "several ten-gigawatt campuses"),
        ("en", "the two billion-dollar deals"),  # two deals of a billion each
        ("de", "zwei Milliarden-Euro-Projekte"),
        ("en", "a few billion dollars"),
        ("en", "a couple of gigawatts"),
        ("en", "ten times more gigawatts"),
        ("en", "ten per cent of revenue"),
        ("en", "zero gigawatts"),
        ("es", "cero megavatios"),
    ],
)
def test_no_figure(tagger, lang, text):
    assert found(text, lang, tagger) == []


def test_a_name_before_a_figure_does_not_change_it(tagger):
    text = "the Two Sigma fund put ten billion dollars into the campus"
    assert only(text, "en", tagger)[:3] == ("money", 10e9, "USD")


def test_years_and_per_share_prices_stay_out(tagger):
    assert found("By 2030 billions of dollars will flow.", "en", tagger) == []
    assert found("Shares traded at two dollars a share.", "en", tagger) == []
    assert found("It paid ten billion dollars a share.", "en", tagger) == []


def test_words_and_digits_in_one_sentence(tagger):
    text = "The 1.2 GW first phase is followed by two gigawatts and thirty billion dollars."
    got = [(k, v) for k, v, *_ in found(text, "en", tagger)]
    assert got == [("power", 1.2), ("power", 2.0), ("money", 30e9)]
