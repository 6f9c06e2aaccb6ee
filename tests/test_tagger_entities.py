"""Entities per language: organisations, accelerators, topics, places; ambiguity traps."""

from __future__ import annotations

import pickle

import pytest

from gigawatch.tagger import Tagger, tag_batch
from gigawatch.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_taxonomy())


def names(tagger: Tagger, text: str, kind: str, title: str = "", lang: str | None = None):
    return tagger.tag(title, text, lang).names(kind)


# --------------------------------------------------------------------------- English


def test_english_entities(tagger):
    text = (
        "Nvidia and OpenAI agreed that Microsoft Azure would host the first GB300 racks in Texas, "
        "while AMD's MI450 accelerators go to a second data center built by Crusoe. "
        "Amazon Web Services answered with Trainium2 chips; Meta Platforms stayed quiet."
    )
    tags = tagger.tag("", text)
    assert tags.language == "en"
    assert tags.names("org") == {
        "Nvidia": 1, "OpenAI": 1, "Microsoft": 1, "AMD": 1, "Crusoe": 1, "Amazon": 1, "Meta": 1,
    }  # fmt: skip
    assert tags.names("chip") == {
        "GB300": 1, "MI450": 1, "Trainium2": 1,
    }  # fmt: skip
    assert tags.names("place") == {"Texas": 1}
    assert {"data centers", "chips and supply chain"} <= set(tags.names("topic"))


def test_english_traps(tagger):
    text = (
        "The AMDX index rose. A meta review of artificial intelligence work in the Big Apple "
        "found that intelligence agencies keep an arm's length from Intelligence Corp. "
        "Robinson Crusoe read about the Amazon rainforest and the Vera C. Rubin Observatory."
    )
    assert names(tagger, text, "org", lang="en") == {}
    assert names(tagger, text, "chip", lang="en") == {}


def test_plural_chips_and_possessives(tagger):
    text = "xAI bought 100,000 H100s and Nvidia's B200s for Colossus, not TPUs."
    tags = tagger.tag("", text, "en")
    assert tags.names("chip") == {"H100": 1, "B200": 1, "TPU": 1}
    assert tags.names("org") == {"xAI": 1, "Nvidia": 1}


def test_longest_match_wins_and_kinds_overlap(tagger):
    text = "Google Cloud signed with Texas Instruments; the Qatar Investment Authority invested."
    tags = tagger.tag("", text, "en")
    assert tags.names("org") == {"Google": 1, "Qatar Investment Authority": 1}
    assert tags.names("place") == {}  # neither Texas nor Qatar: both are parts of longer names
    both = tagger.tag("", "Nvidia H100 systems", "en")
    assert both.names("org") == {"Nvidia": 1} and both.names("chip") == {"H100": 1}


def test_title_counts_and_case(tagger):
    tags = tagger.tag("NVIDIA and AMD sign deal", "Nvidia said the deal with AMD closes soon.")
    assert tags.names("org") == {"Nvidia": 2, "AMD": 2}


# --------------------------------------------------------------------------- French


def test_french_entities(tagger):
    text = (
        "Mistral AI et EDF ont annoncé la construction d'un centre de données en Essonne, "
        "raccordé par RTE. Les Émirats arabes unis, via MGX, et Bpifrance financent le campus, "
        "équipé de puces Nvidia Blackwell, comme prévu par le plan France 2030."
    )
    tags = tagger.tag("", text)
    assert tags.language == "fr"
    assert tags.names("org") == {
        "Mistral AI": 1, "EDF": 1, "RTE": 1, "MGX": 1, "Bpifrance": 1, "Nvidia": 1,
        "France 2030": 1,
    }  # fmt: skip
    assert tags.names("chip") == {"Blackwell": 1}
    assert tags.names("place") == {"United Arab Emirates": 1}
    assert {"data centers", "power and grid"} <= set(tags.names("topic"))


def test_french_traps(tagger):
    text = (
        "Le mistral souffle sur la Provence. Un appel d'offres a été lancé ; "
        "un orange pressé et une pomme (apple en anglais) suffisent. Le Chili exporte du cuivre."
    )
    tags = tagger.tag("", text, "fr")
    assert tags.names("org") == {}
    assert tags.names("place") == {"Chile": 1}


def test_accents_are_optional_in_case_insensitive_keywords(tagger):
    tags = tagger.tag("", "Le centre de donnees d'Electricite de France ouvrira.", "fr")
    assert tags.names("org") == {"EDF": 1}
    assert "data centers" in tags.names("topic")


# --------------------------------------------------------------------------- German


def test_german_entities(tagger):
    text = (
        "Die Deutsche Telekom baut mit Nvidia eine KI-Fabrik in München; das neue "
        "Großrechenzentrum in Bayern soll 10.000 Grafikprozessoren vom Typ B200 erhalten. "
        "RWE und E.ON liefern den Strom, SAP ist Kunde."
    )
    tags = tagger.tag("", text)
    assert tags.language == "de"
    assert tags.names("org") == {"Deutsche Telekom": 1, "Nvidia": 1, "RWE": 1, "E.ON": 1, "SAP": 1}
    assert tags.names("chip") == {"B200": 1}
    assert tags.names("place") == {"Bavaria": 1}
    assert {"data centers", "chips and supply chain", "power and grid"} <= set(tags.names("topic"))


def test_german_traps(tagger):
    text = "Der Spieler brach sich den Arm. Er ist arm dran, sagte der Trainer auf Island."
    tags = tagger.tag("", text, "de")
    assert tags.names("org") == {}
    assert tags.names("place") == {"Iceland": 1}  # "Island" is Iceland in German only
    english = tagger.tag("", "Three Mile Island restarts for Microsoft.", "en")
    assert english.names("place") == {}


# --------------------------------------------------------------------------- Spanish


def test_spanish_entities(tagger):
    text = (
        "Iberdrola y Blackstone invertirán en un centro de datos en Aragón que usará chips "
        "MI355X de AMD. Telefónica y Amazon Web Services también negocian en España."
    )
    tags = tagger.tag("", text)
    assert tags.language == "es"
    assert tags.names("org") == {
        "Iberdrola": 1, "Blackstone": 1, "AMD": 1, "Telefónica": 1, "Amazon": 1,
    }  # fmt: skip
    assert tags.names("chip") == {"MI355X": 1}
    assert tags.names("place") == {"Aragon": 1, "Spain": 1}
    assert "data centers" in tags.names("topic")


def test_spanish_meta_is_a_goal(tagger):
    alone = tagger.tag("", "Meta: ganar la liga. La meta del club es clara.", "es")
    assert alone.names("org") == {}  # ambiguous alias and nothing else named
    with_context = tagger.tag("", "Meta y Nvidia firman un acuerdo de chips.", "es")
    assert with_context.names("org") == {"Meta": 1, "Nvidia": 1}


# --------------------------------------------------------------------------- language, workers


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The utility will connect the campus to the grid next year, officials said."),
        ("fr", "Le fournisseur raccordera le campus au réseau l'an prochain, selon la mairie."),
        ("de", "Der Versorger schließt den Campus im nächsten Jahr an das Netz an, hieß es."),
        ("es", "La compañía conectará el campus a la red el año que viene, según el ayuntamiento."),
    ],
)
def test_language_detection(tagger, lang, text):
    assert tagger.tag("", text).language == lang


def test_language_given_is_normalised(tagger):
    assert tagger.tag("", "Hello", "fr-FR").language == "fr"


def test_tagger_pickles_and_tag_batch(tagger):
    clone = pickle.loads(pickle.dumps(tagger))
    text = "Nscale will deploy 50,000 GB300 GPUs in Norway."
    assert clone.tag("", text).names("org") == tagger.tag("", text).names("org")
    out = tag_batch([(7, "Title", text, None), (8, "", "", None)])
    assert [aid for aid, _ in out] == [7, 8]
    assert out[0][1].names("org") == {"Nscale": 1}
    assert out[1][1].mentions == [] and out[1][1].facts == []


def test_relevance_separates_off_topic_news(tagger):
    on = tagger.tag(
        "CoreWeave signs 1 GW data center lease",
        "CoreWeave will lease a 1 GW data center campus powered by a gas turbine plant; "
        "the site will host Nvidia GB300 systems.",
    )
    off = tagger.tag(
        "Local team wins the cup",
        "The local team won the cup on Sunday after a late goal. Fans celebrated in the "
        "streets; the mayor promised a parade and invited the players to city hall. "
        "An Apple Watch was found on the pitch.",
    )
    assert on.relevant and on.relevance > 0.9
    assert not off.relevant and off.relevance < 0.3
    strict = Tagger(load_taxonomy(), relevance_threshold=0.999)
    assert not strict.tag("", "Nvidia").relevant
