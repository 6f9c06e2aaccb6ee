"""Facts as the tagger returns them: sentence, span, attribution, USD amount, repeats."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from gigawatch.candidates import Candidate
from gigawatch.tagger import Fact, Mention, Tagger
from gigawatch.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_taxonomy(), fx={"USD": 1.0, "EUR": 1.25})


def test_english_facts_with_attribution(tagger):
    text = (
        "OpenAI and Broadcom will deploy up to 10 GW of custom accelerators by 2029. "
        "Separately, Oracle agreed to buy $40 billion of Nvidia chips. The weather was fine."
    )
    tags = tagger.tag("OpenAI signs 10 GW deal", text)
    power, money = tags.facts
    assert (power.kind, power.value, power.unit, power.qualifier) == ("power", 10.0, "GW", "up_to")
    assert power.orgs == ["OpenAI", "Broadcom"]
    assert power.sentence.startswith("OpenAI and Broadcom") and power.sentence.endswith("2029.")
    assert text[power.span[0] : power.span[1]] == "10 GW"
    assert (money.kind, money.value, money.currency, money.amount_usd) == (
        "money", 40e9, "USD", 40e9,
    )  # fmt: skip
    assert money.orgs == ["Oracle", "Nvidia"]


def test_french_facts(tagger):
    text = (
        "EDF fournira 1,5 GW au campus de Fluidstack, un projet de 10 milliards d'euros. "
        "Bpifrance prendra 10 % du capital d'ici 2030."
    )
    tags = tagger.tag("", text)
    assert [(f.kind, f.value) for f in tags.facts] == [
        ("power", 1.5), ("money", 10e9), ("stake", 10.0),
    ]  # fmt: skip
    assert tags.facts[1].amount_usd == pytest.approx(12.5e9)
    assert tags.facts[0].orgs == ["EDF", "Fluidstack"]
    assert tags.facts[2].orgs == ["Bpifrance"]


def test_german_facts(tagger):
    text = "Die Telekom investiert rund 1 Mrd. Euro. RWE liefert bis zu 200 MW für das Netz."
    tags = tagger.tag("", text)
    money, power = tags.facts
    assert (money.value, money.qualifier, money.orgs) == (1e9, "about", ["Deutsche Telekom"])
    assert (power.value, power.qualifier, power.orgs) == (0.2, "up_to", ["RWE"])


def test_spanish_facts(tagger):
    text = "Iberdrola invertirá 3.000 millones de euros en un centro de datos de 1 GW con Echelon."
    tags = tagger.tag("", text)
    assert [(f.kind, f.value, f.currency) for f in tags.facts] == [
        ("money", 3e9, "EUR"), ("power", 1.0, None),
    ]  # fmt: skip
    assert tags.facts[0].orgs == ["Iberdrola", "Echelon Data Centres"]


def test_no_facts_from_years_dates_and_furniture(tagger):
    text = (
        "Updated 12/03/2025 10:45. By 2030 the site will be finished, d'ici 2030 aussi. "
        "Call 555-0100. Page 2 of 5. 3 min read."
    )
    assert tagger.tag("", text).facts == []


def test_repeated_facts_are_flagged(tagger):
    text = "Nscale plans 1 GW in Norway. The 1 GW campus follows a 500 MW phase. Again, 1 GW."
    tags = tagger.tag("", text)
    assert [(f.value, f.repeated) for f in tags.facts] == [
        (1.0, False), (1.0, True), (0.5, False), (1.0, True),
    ]  # fmt: skip


def test_unknown_currency_rate_leaves_usd_empty(tagger):
    (fact,) = tagger.tag("", "SoftBank pays £2bn for the site.").facts
    assert (fact.currency, fact.amount_usd) == ("GBP", None)


def test_title_facts_are_not_stored(tagger):
    tags = tagger.tag("A 5 GW campus", "The plan was announced on Monday.")
    assert tags.facts == []


def test_tags_pickle_back_whole(tagger):
    """Tags go between processes (the extraction pool, Dask workers) through the tuple each
    class's ``__reduce__`` gives: every field comes back, with its value."""
    tags = tagger.tag(
        "Nscale and Aker sign with OpenAI",
        "Nscale will build a 230 MW site in Norway for OpenAI, a deal worth up to $6.2 "
        "billion. Brookfield Ridge Capital will fund 40 % of the project alongside Aker.",
        "en",
    )
    assert tags.mentions and tags.facts
    tags.candidates.append(Candidate("Brookfield Ridge Capital", "investor", "Brookfield ..."))
    back = pickle.loads(pickle.dumps(tags))
    assert back == tags
    for obj in (tags.mentions[0], tags.facts[0], tags.candidates[0]):
        fields = dataclasses.fields(obj)
        assert len(obj.__reduce__()[1]) == len(fields), type(obj)  # a new field is not dropped
        assert all(getattr(pickle.loads(pickle.dumps(obj)), f.name) == getattr(obj, f.name)
                   for f in fields)  # fmt: skip
    fact = dataclasses.replace(tags.facts[0], low=1.5, repeated=True)
    assert pickle.loads(pickle.dumps(fact)) == fact
    assert isinstance(pickle.loads(pickle.dumps(Mention("org", "Aker", 2))), Mention)
    assert isinstance(back.facts[0], Fact)
