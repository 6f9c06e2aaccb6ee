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
    assert tags.names("org") == {
        "Google": 1, "Texas Instruments": 1, "Qatar Investment Authority": 1,
    }  # fmt: skip
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


# --------------------------------------------------------------------------- grown taxonomy

# Sentences that name no organisation although they contain words an alias is made of
# ("Together", "Apollo", "Aligned", "Vantage", "Scala", "Lambda", "Crusoe", "Duke", "Dominion",
# "Oklo", "Fermi", "Galaxy", "Enel" in "en el", "BEI" in "bei", "Verbund", "Terna"...).
TRICKY = {
    "en": [
        "Together, they went to the Apollo 11 exhibition and stood aligned at a vantage point.",
        "The stack of papers on Scala programming sat next to a lambda expression.",
        "Robinson Crusoe read about Duke University and the Duke of Edinburgh.",
        "Old Dominion University beat Dominion Voting Systems in a quiz on the Dominion of Canada.",
        "The lecture covered Enrico Fermi and the Fermi paradox.",
        "The Milky Way galaxy and the Galaxy S25 phone were on show.",
        "The natural reactor at Oklo, Gabon, ran two billion years ago.",
        "The country's national grid is stable, and the southern company of soldiers left.",
        "Energy transfer in the cell was measured; the last energy drink was sold.",
        "A shell company paid for the general fusion of ideas at La Scala.",
        "He saw embers in the fireplace; a cadence of rebellions followed.",
        "Leonardo da Vinci painted it; Van Helsing hunted; Thales of Miletus thought.",
        "The related digital services and a global switch to electric cars were discussed.",
        "Bringing together AI researchers to scale AI workloads on pure DC power is the plan.",
        "CRE loans rose, and the core scientific questions about applied digital methods stayed.",
    ],
    "fr": [
        "Ensemble, ils ont visité la Scala de Milan et le musée Léonard de Vinci.",
        "Le réacteur naturel d'Oklo fonctionnait il y a deux milliards d'années.",
        "Robinson Crusoé vivait sur son île ; les missions Apollo ont marqué l'époque.",
        "Le réseau électrique national est stable, a dit le duc.",
        "Le paradoxe de Fermi intrigue ; la galaxie d'Andromède brille.",
        "La forêt d'Argonne abrite un projet ; la LPO protège les oiseaux du site.",
    ],
    "de": [
        "Er war bei der Bank und sprach über den Verbund der Stadtwerke.",
        "Der Naturreaktor von Oklo in Gabun ist berühmt, die Apollo-Mission ebenfalls.",
        "Gemeinsam standen sie am Ufer; die Galaxie leuchtete über dem Herzog.",
        "Das Stromnetz ist stabil, sagte der Vorstand der Stadtwerke.",
        "Fluor und Chlor sind Halogene, erklärte die Chemikerin.",
    ],
    "es": [
        "Juntos fueron en el coche a ver el reactor natural de Oklo y la misión Apolo.",
        "La red eléctrica española resistió; una terna de candidatos llegó en el tren.",
        "La EPA del trimestre mostró más empleo en Santander y en la casa del Duque de Alba.",
        "Robinson Crusoe leía sobre la galaxia y la paradoja de Fermi.",
    ],
}


@pytest.mark.parametrize(("lang", "sentence"), [(lg, s) for lg, ss in TRICKY.items() for s in ss])
def test_tricky_sentences_name_no_organisation(tagger, lang, sentence):
    tags = tagger.tag("", sentence, lang)
    assert tags.names("org") == {}
    assert tags.names("chip") == {}


def test_look_alike_names_are_told_apart(tagger):
    grok = tagger.tag("", "xAI's chatbot Grok now runs on Nvidia chips, not on Groq's LPUs.", "en")
    assert grok.names("org") == {"xAI": 1, "Nvidia": 1, "Groq": 1}
    assert tagger.tag("", "xAI unveiled Grok 5 in Memphis.", "en").names("org") == {"xAI": 1}
    deals = (
        "Together AI and Lambda signed with Crusoe, Apollo Global Management and Galaxy Digital; "
        "Fermi America, Oklo, Duke Energy, Dominion, Enel and Aligned Data Centers joined."
    )
    assert set(tagger.tag("", deals, "en").names("org")) == {
        "Together AI", "Lambda", "Crusoe", "Apollo Global Management", "Galaxy Digital",
        "Fermi America", "Oklo", "Duke Energy", "Dominion Energy", "Enel", "Aligned Data Centers",
    }  # fmt: skip
    # a grid operator's name is not the generic word for the grid
    assert tagger.tag("", "La red eléctrica de Redeia resistió.", "es").names("org") == {
        "Redeia": 1
    }


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The European Investment Bank lent to the data centre; the EIB said so."),
        ("fr", "La Banque européenne d'investissement finance le centre, la BEI l'a dit."),
        ("de", "Die Europäische Investitionsbank finanziert das Rechenzentrum, sagte die EIB."),
        ("es", "El Banco Europeo de Inversiones financia el centro de datos, según el BEI."),
    ],
)
def test_public_lender_in_four_languages(tagger, lang, text):
    assert tagger.tag("", text, lang).names("org") == {"European Investment Bank": 2}


def test_xpu_counts_with_its_vendor(tagger):
    tags = tagger.tag("", "Broadcom XPUs will power OpenAI's 10 GW of custom chips.", "en")
    assert tags.names("org") == {"Broadcom": 1, "OpenAI": 1}
    assert tags.names("chip") == {"XPU": 1}
    assert tagger.tag("", "Broadcom ships one XPU and two more xpus.", "en").names("chip") == {
        "XPU": 1
    }  # case-sensitive: "xpus" is not an XPU
