"""Quantities per language and form: power, energy, money, stakes, shares; numbers and traps."""

from __future__ import annotations

import pytest

from gigawatch.quantities import find_quantities, load_fx, parse_number, sentence_span


def one(text: str, lang: str):
    found = find_quantities(text, lang)
    assert len(found) == 1, [(q.kind, q.value, text[q.start : q.end]) for q in found]
    return found[0]


def facts(text: str, lang: str):
    return [(q.kind, q.value, q.unit, q.currency, q.qualifier) for q in find_quantities(text, lang)]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("raw", "lang", "value"),
    [
        ("1,500", "en", 1500.0),   # English thousands
        ("1.5", "en", 1.5),
        ("1.000", "en", 1000.0),   # "000" group: thousands even in English
        ("1.125", "en", 1.125),
        ("1,000,000", "en", 1e6),
        ("1,234.5", "en", 1234.5),
        ("2,5", "fr", 2.5),        # decimal comma
        ("1,125", "de", 1.125),
        ("1,500", "es", 1500.0),   # trailing zero: thousands (Latin American style)
        ("1.500", "de", 1500.0),   # dot thousands
        ("100.000", "es", 100000.0),
        ("1.234,5", "de", 1234.5),
        ("1 000", "fr", 1000.0),
        ("1\u00a0000", "fr", 1000.0),  # no-break space
        ("1\u202f400", "fr", 1400.0),  # narrow no-break space
        ("12,75", "es", 12.75),
        ("10.5.2024", "de", None),  # a date, not a number
    ],
)  # fmt: skip
def test_parse_number(raw, lang, value):
    assert parse_number(raw, lang) == value


# --------------------------------------------------------------------------- power and energy


@pytest.mark.parametrize(
    ("lang", "text", "gw"),
    [
        ("en", "The campus will draw 1.2 GW once complete.", 1.2),
        ("en", "a 500 MW first phase", 0.5),
        ("en", "OpenAI will deploy 10 gigawatts of accelerators.", 10.0),
        ("en", "a 1-gigawatt campus", 1.0),
        ("en", "It uses 300 megawatts.", 0.3),
        ("en", "a 2GW site", 2.0),
        ("en", "the 750 kW pilot", 0.00075),
        ("en", "The plant has 1,500 MW of capacity.", 1.5),
        ("fr", "Le site atteindra 1,5 GW en 2028.", 1.5),
        ("fr", "une puissance de 1 400 mégawatts", 1.4),
        ("fr", "un projet de 2 gigawatts", 2.0),
        ("de", "Das Rechenzentrum soll 1,5 Gigawatt erreichen.", 1.5),
        ("de", "mit einer Leistung von 1.200 MW", 1.2),
        ("de", "ein 300-Megawatt-Campus", 0.3),
        ("es", "El campus tendrá 2 gigavatios.", 2.0),
        ("es", "una primera fase de 1.000 MW", 1.0),
        ("es", "una planta de 250 megavatios", 0.25),
    ],
)
def test_power(lang, text, gw):
    q = one(text, lang)
    assert (q.kind, q.unit) == ("power", "GW")
    assert q.value == pytest.approx(gw)


@pytest.mark.parametrize(
    ("lang", "text", "gwh"),
    [
        ("en", "It will produce 4 TWh a year.", 4000.0),
        ("en", "a 300 GWh battery", 300.0),
        ("fr", "une production de 12 térawattheures", 12000.0),
        ("de", "ein Verbrauch von 500 Gigawattstunden", 500.0),
        ("es", "una demanda de 80 gigavatios hora", 80.0),
    ],
)
def test_energy_is_not_power(lang, text, gwh):
    q = one(text, lang)
    assert (q.kind, q.unit, q.value) == ("energy", "GWh", pytest.approx(gwh))


@pytest.mark.parametrize(
    ("lang", "text", "kind", "value", "qualifier"),
    [
        ("en", "The deal brings well over a gigawatt of capacity.", "power", 1.0, "more_than"),
        ("en", "It starts with one gigawatt in 2026.", "power", 1.0, None),
        ("fr", "un campus d'un gigawatt", "power", 1.0, None),
        ("de", "Der Bedarf steigt um ein zusätzliches Gigawatt.", "power", 1.0, None),
        ("es", "La capacidad superará con holgura un gigavatio.", "power", 1.0, "more_than"),
        ("en", "Investors put in more than a billion dollars.", "money", 1e9, "more_than"),
        ("fr", "plus d'un milliard d'euros", "money", 1e9, "more_than"),
    ],
)
def test_one_written_as_a_word(lang, text, kind, value, qualifier):
    q = one(text, lang)
    assert (q.kind, q.value, q.qualifier) == (kind, value, qualifier)


def test_generic_gigawatt_is_not_a_fact():
    text = "Building a gigawatt costs a lot; a gigawatt-scale site; gigawatts of demand."
    assert facts(text, "en") == []


def test_gw_inside_other_words_is_nothing():
    assert facts("GWEN 5 and the GWR 2 report; 5 GWX units; 12 mW; KW 14; 3 W-2 forms", "en") == []


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("lang", "text", "value", "currency"),
    [
        ("en", "Nvidia will invest $100 billion.", 100e9, "USD"),
        ("en", "a US$40bn facility", 40e9, "USD"),
        ("en", "worth €3.5bn", 3.5e9, "EUR"),
        ("en", "a £2bn plan", 2e9, "GBP"),
        ("en", "a $500m round", 500e6, "USD"),
        ("en", "a $1.5 trillion programme", 1.5e12, "USD"),
        ("en", "40 billion dollars", 40e9, "USD"),
        ("en", "500 million yuan", 500e6, "CNY"),
        ("en", "3 trillion won", 3e12, "KRW"),
        ("en", "Rs 10,000 crore", 1e11, "INR"),
        ("en", "USD 5 billion", 5e9, "USD"),
        ("en", "it cost $30,000", 30000.0, "USD"),
        ("fr", "un investissement de 2,5 milliards d'euros", 2.5e9, "EUR"),
        ("fr", "109 milliards d’euros", 109e9, "EUR"),
        ("fr", "1 000 milliards de dollars", 1e12, "USD"),
        ("fr", "30 milliards de dollars américains", 30e9, "USD"),
        ("fr", "un budget de 300 M€", 300e6, "EUR"),
        ("fr", "1,5 Md€", 1.5e9, "EUR"),
        ("fr", "2 billions d'euros", 2e12, "EUR"),  # French billion = 10^12
        ("fr", "1\u202f000\u00a0milliards\u00a0d’euros", 1e12, "EUR"),
        ("de", "10 Mrd. Euro", 10e9, "EUR"),
        ("de", "500 Mio. €", 500e6, "EUR"),
        ("de", "100 Milliarden US-Dollar", 100e9, "USD"),
        ("de", "1 Billion Euro", 1e12, "EUR"),  # German Billion = 10^12
        ("de", "2,5 Billionen Dollar", 2.5e12, "USD"),
        ("es", "100.000 millones de dólares", 100e9, "USD"),
        ("es", "5 mil millones de euros", 5e9, "EUR"),
        ("es", "3 miles de millones de dólares", 3e9, "USD"),
        ("es", "1,5 billones de euros", 1.5e12, "EUR"),
        ("es", "750 millones de euros", 750e6, "EUR"),
    ],
)
def test_money(lang, text, value, currency):
    q = one(text, lang)
    assert (q.kind, q.currency, q.unit) == ("money", currency, currency)
    assert q.value == pytest.approx(value)


def test_money_traps():
    # years before scale words, years and dates, phone numbers, page furniture, per-share prices
    assert facts("By 2030 billions of dollars will flow into the grid.", "en") == []
    assert facts("D'ici 2030 milliards d'euros seront investis.", "fr") == []
    assert facts("Bis 2030 Milliarden Euro für Netze.", "de") == []
    assert facts("Para 2030 millones de euros llegarán.", "es") == []
    assert facts("Call +1 555 010 2030 or 01 45 67 89 10. Page 2 of 5.", "en") == []
    assert facts("Updated 12.03.2025, 10:45.", "de") == []
    assert facts("Published 3 min ago · 12 comments · © 2025", "en") == []
    assert facts("Shares traded at $120 per share.", "en") == []
    assert facts("He won 3 games and ran 5m.", "en") == []


def test_fx_table_and_amount():
    fx = load_fx()
    assert fx["USD"] == 1.0
    assert 0.5 < fx["EUR"] < 2 and fx["JPY"] < 0.05
    assert {"EUR", "GBP", "CNY", "JPY", "CHF", "INR", "KRW"} <= set(fx)


# --------------------------------------------------------------------------- stakes and shares


@pytest.mark.parametrize(
    ("lang", "text", "pct"),
    [
        ("en", "SoftBank will take a 10% stake in the venture.", 10.0),
        ("en", "a 4.9 percent equity stake", 4.9),
        ("en", "It bought 49% of the company.", 49.0),
        ("en", "a holding of roughly 4 per cent", 4.0),
        ("en", "Blue Owl will hold 80% of the venture.", 80.0),
        ("en", "worth about 10 per cent of the group", 10.0),
        ("fr", "Meta conservera les 20 % restants.", 20.0),
        ("fr", "Bpifrance détiendra 10 % du capital.", 10.0),
        ("fr", "une participation de 15 % dans la société", 15.0),
        ("de", "eine Beteiligung von 49 Prozent", 49.0),
        ("de", "eine 10-prozentige Beteiligung", 10.0),
        ("es", "una participación del 20 % en la empresa", 20.0),
        ("es", "el 5 % del capital", 5.0),
    ],
)
def test_stakes(lang, text, pct):
    q = one(text, lang)
    assert (q.kind, q.unit, q.value) == ("stake", "%", pct)


def test_percentages_that_are_not_stakes():
    assert facts("Shares rose 5% on Monday and demand grew 30 % a year.", "en") == []
    assert facts("La demande a augmenté de 12 % en un an.", "fr") == []


@pytest.mark.parametrize(
    ("lang", "text", "count"),
    [
        ("en", "It issued 10 million new shares.", 10e6),
        ("en", "a warrant over 160 million of its ordinary shares", 160e6),
        ("en", "a warrant for 160 million AMD shares", 160e6),
        ("fr", "2 millions d'actions nouvelles", 2e6),
        ("de", "1,2 Millionen Aktien", 1.2e6),
        ("es", "3 millones de acciones", 3e6),
    ],
)
def test_shares(lang, text, count):
    q = one(text, lang)
    assert (q.kind, q.unit, q.value) == ("shares", "shares", pytest.approx(count))


# --------------------------------------------------------------------------- qualifiers and ranges


@pytest.mark.parametrize(
    ("lang", "text", "qualifier"),
    [
        ("en", "up to 5 GW", "up_to"),
        ("en", "as much as $100 billion", "up_to"),
        ("fr", "jusqu'à 1 000 milliards de dollars", "up_to"),
        ("fr", "jusqu’à 2 GW", "up_to"),
        ("de", "bis zu 2.000 MW", "up_to"),
        ("es", "hasta 3 GW", "up_to"),
        ("en", "more than 2 GW", "more_than"),
        ("fr", "plus de 1 GW", "more_than"),
        ("de", "mehr als 500 MW", "more_than"),
        ("es", "más de 200 MW", "more_than"),
        ("en", "about $3bn", "about"),
        ("fr", "environ 300 MW", "about"),
        ("de", "rund 10 Mrd. Euro", "about"),
        ("es", "unos 500 millones de euros", "about"),
        ("en", "exactly 5 GW", None),
    ],
)
def test_qualifiers(lang, text, qualifier):
    assert one(text, lang).qualifier == qualifier


@pytest.mark.parametrize(
    ("lang", "text", "low", "high", "span"),
    [
        ("en", "a 5 to 10 GW build-out", 5.0, 10.0, "5 to 10 GW"),
        ("en", "a 5-10 GW build-out", 5.0, 10.0, "5-10 GW"),
        ("en", "from 500 MW to 1 GW", 0.5, 1.0, "500 MW to 1 GW"),
        ("en", "between $10 billion and $20 billion", 10e9, 20e9,
         "between $10 billion and $20 billion"),
        ("en", "$10bn-$20bn", 10e9, 20e9, "$10bn-$20bn"),
        ("fr", "entre 5 et 10 GW", 5.0, 10.0, "entre 5 et 10 GW"),
        ("fr", "de 10 à 20 milliards d'euros", 10e9, 20e9, "10 à 20 milliards d'euros"),
        ("de", "zwischen 1 und 2 GW", 1.0, 2.0, "zwischen 1 und 2 GW"),
        ("de", "10 bis 20 Mrd. Euro", 10e9, 20e9, "10 bis 20 Mrd. Euro"),
        ("es", "de 1 a 2 GW", 1.0, 2.0, "1 a 2 GW"),
        ("es", "entre 5 y 10 GW", 5.0, 10.0, "entre 5 y 10 GW"),
    ],
)  # fmt: skip
def test_ranges_keep_both_bounds(lang, text, low, high, span):
    q = one(text, lang)
    assert q.qualifier == "range"
    assert (q.low, q.value) == (pytest.approx(low), pytest.approx(high))
    assert text[q.start : q.end] == span


def test_not_ranges():
    # "a" is a connector in Spanish only; years and descending pairs are not ranges
    assert one("Phase 1 a 5 GW campus", "en").qualifier is None
    assert one("From 2024-10 GW were added", "en").qualifier is None
    assert facts("The 2024-2025 season", "en") == []


# --------------------------------------------------------------------------- spans and sentences


def test_span_and_sentence():
    text = "Der Konzern investiert 10 Mrd. Euro in Bayern. Die U.S. Regierung sagt: 2 GW. Ende."
    money, power = find_quantities(text, "de")
    assert text[money.start : money.end] == "10 Mrd. Euro"
    s, e = sentence_span(text, money.start, money.end)
    assert text[s:e] == "Der Konzern investiert 10 Mrd. Euro in Bayern."
    s, e = sentence_span(text, power.start, power.end)
    assert text[s:e] == "Die U.S. Regierung sagt: 2 GW."


# --------------------------------------------------------------------------- the currency table


def test_every_form_in_the_currency_table_is_read_as_that_currency():
    from gigawatch.quantities import CURRENCIES, TRIGGERS, TRIGGERS_CS

    for c in CURRENCIES:
        before = [c.code, *c.codes, *c.prefixes, *([c.symbol] if c.symbol else [])]
        for form in before:
            gap = " " if form[-1].isalpha() or form.endswith(".") else ""
            q = one(f"They raised {form}{gap}5 billion for it.", "en")
            assert (q.kind, q.currency, q.value) == ("money", c.code, 5e9), form
        for word in (*c.words, c.code.lower()):
            q = one(f"They raised 5 billion {word} for it.", "en")
            assert (q.kind, q.currency, q.value) == ("money", c.code, 5e9), word
        assert c.code in TRIGGERS_CS and (c.symbol is None or c.symbol in TRIGGERS)


def test_a_bad_exchange_rate_names_the_file_and_the_currency(tmp_path):
    path = tmp_path / "fx.toml"
    path.write_text("[usd_per_unit]\nEUR = 1.1\nGBP = -1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"fx.toml: usd_per_unit.GBP: expected a positive number"):
        load_fx(path)
    path.write_text("as_of = 'today'\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"fx.toml: missing table \[usd_per_unit\]"):
        load_fx(path)
    path.write_text("[usd_per_unit]\neur = 1.1\n", encoding="utf-8")
    assert load_fx(path) == {"EUR": 1.1, "USD": 1.0}
