"""Story leads (gigawatch/dedupe/lead.py) and the lead rules of the story score
(gigawatch/dedupe/stories.py): retellings that open with another angle join, deals that recall
each other's figures stay apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gigawatch.dedupe import DedupeConfig
from gigawatch.dedupe.lead import LEAD_MAX, LeadMatcher, lead_end, lead_text
from gigawatch.dedupe.stories import (
    Lead,
    StoryFeatures,
    coverage,
    features,
    keys,
    lead_agreement,
    score,
)

CONFIG = DedupeConfig()
DAY = datetime(2025, 9, 22, 16, tzinfo=UTC)


def test_the_lead_is_the_first_paragraph_not_a_dateline():
    first = "ASML has led a €1.7 billion funding round in Mistral AI, the two companies said."
    text = f"PARIS, Sept 9\n{first}\nExisting backers such as Nvidia took part as well."
    assert text[: lead_end(text)].endswith(first)
    assert lead_end("no breaks " * 100) == LEAD_MAX
    assert lead_end("") == 0 and lead_end(None) == 0
    assert (
        lead_text("ASML bets on Mistral", text) == f"ASML bets on Mistral\nPARIS, Sept 9\n{first}"
    )


def test_the_matcher_finds_names_and_aliases_on_word_boundaries():
    m = LeadMatcher({"OpenAI": ["ChatGPT maker"], "AMD": ["Advanced Micro Devices"],
                     "Arm": ["Arm Holdings"]})  # fmt: skip
    lead = "The ChatGPT maker signed with advanced micro devices; warm words for ARM."
    assert m.named(lead, ["OpenAI", "AMD", "Arm", "Nvidia"]) == {"OpenAI", "AMD"}
    # a short name keeps its case ("Arm" is not "ARM"), a long one does not
    assert m.named("Arm and NVIDIA", ["Arm", "Nvidia"]) == {"Arm", "Nvidia"}


def telling(aid, when, title, orgs, facts, lead_names, lead_figures, places=None):
    mentions = [("org", n, c) for n, c in orgs.items()]
    mentions += [("place", n, c) for n, c in (places or {}).items()]
    lead = Lead(frozenset(lead_names), lead_figures)
    return features(aid, when, title, mentions, facts, lead)


# OpenAI and Nvidia, 10 GW and up to $100 billion (September 22)
NVIDIA = telling(1, DAY, "Nvidia to invest up to $100 billion in OpenAI under 10 GW pact",
                 {"Nvidia": 6, "OpenAI": 5, "Oracle": 1},
                 [("power", 10.0, None), ("money", 1e11, 1e11), ("money", 3e11, 3e11)],
                 {"o:Nvidia", "o:OpenAI"}, 2)  # fmt: skip
# a market-angle retelling the next morning, in German
MARKET = telling(2, DAY + timedelta(hours=15), "Nvidia-Aktie schließt nach OpenAI-Pakt auf Rekord",
                 {"Nvidia": 5, "OpenAI": 3},
                 [("stake", 4.0, None), ("money", 1e11, 1e11), ("power", 10.0, None)],
                 {"o:Nvidia", "o:OpenAI"}, 1)  # fmt: skip
# Stargate adds five sites the day after, recalling the Nvidia deal in passing
STARGATE = telling(3, DAY + timedelta(days=1), "OpenAI, Oracle and SoftBank add Stargate sites",
                   {"OpenAI": 6, "Oracle": 4, "SoftBank": 4, "Stargate": 5, "Nvidia": 1},
                   [("power", 7.0, None), ("money", 4e11, 4e11), ("power", 10.0, None),
                    ("money", 1e11, 1e11)],
                   {"o:OpenAI", "o:Oracle", "o:SoftBank", "o:Stargate"}, 2)  # fmt: skip
# an explainer that opens on the deal's scale and names Stargate's partners later
EXPLAINER = telling(4, DAY + timedelta(days=1, hours=2),
                    "What ten gigawatts of Nvidia systems would mean for OpenAI",
                    {"Nvidia": 6, "OpenAI": 6, "Oracle": 2, "SoftBank": 1, "Stargate": 1},
                    [("power", 10.0, None), ("money", 1e11, 1e11), ("money", 5e11, 5e11)],
                    {"o:Nvidia", "o:OpenAI"}, 1)  # fmt: skip
# a local angle that opens on the site and names only the buyer up front
LOCAL = telling(5, DAY + timedelta(days=2), "Two Texas counties join Stargate",
                {"Stargate": 3, "Oracle": 2, "SoftBank": 2, "OpenAI": 1},
                [("power", 1.4, None), ("power", 7.0, None), ("money", 4e11, 4e11)],
                {"o:Stargate", "p:Texas"}, 0, places={"Texas": 3})  # fmt: skip


def test_lead_features_have_full_salience_and_round_trip():
    assert NVIDIA.weights["o:Oracle"] < 1.0 and NVIDIA.weights["f:money:3e+11"] == 0.5
    assert NVIDIA.weights["f:power:10"] == NVIDIA.weights["f:money:1e+11"] == 1.0
    assert NVIDIA.lead == {"o:Nvidia", "o:OpenAI", "f:power:10", "f:money:1e+11"}
    assert StoryFeatures.decode(NVIDIA.article_id, NVIDIA.seen_at, *NVIDIA.encode()) == NVIDIA
    # the index keys start from what the lead names
    assert set(keys(NVIDIA)) & set(keys(MARKET))


def test_a_retelling_that_leads_with_the_share_price_joins():
    assert lead_agreement(NVIDIA.lead, MARKET.lead)[1] >= 2
    assert score(NVIDIA, MARKET, CONFIG) >= CONFIG.story_threshold


def test_deals_that_recall_each_other_stay_apart():
    # Stargate's articles name OpenAI, Nvidia, 10 GW and $100 billion: only OpenAI is in both
    # leads
    assert lead_agreement(NVIDIA.lead, STARGATE.lead) == (2, 1)
    assert score(NVIDIA, STARGATE, CONFIG) == 0.0
    assert score(EXPLAINER, STARGATE, CONFIG) == 0.0
    # without leads (older rows), the same tags would have been one story
    bare = [StoryFeatures(f.article_id, f.seen_at, f.weights, f.title_words)
            for f in (EXPLAINER, STARGATE)]  # fmt: skip
    assert score(bare[0], bare[1], CONFIG) >= CONFIG.story_threshold
    assert score(EXPLAINER, NVIDIA, CONFIG) >= CONFIG.story_threshold


def test_a_local_angle_joins_through_what_it_names_of_the_other_lead():
    # one short: Texas is not in both leads, but each names most of the other's lead
    assert lead_agreement(LOCAL.lead, STARGATE.lead) == (2, 1)
    assert min(coverage(LOCAL, STARGATE.lead), coverage(STARGATE, LOCAL.lead)) >= 0.6
    assert score(LOCAL, STARGATE, CONFIG) >= CONFIG.story_threshold
    # the explainer, one short too, names too little of Stargate's lead
    assert lead_agreement(EXPLAINER.lead, STARGATE.lead) == (2, 1)
    assert coverage(EXPLAINER, STARGATE.lead) < 0.6
    # its lead names only Stargate (and a place): it must name most of the other lead
    thin = telling(
        6,
        LOCAL.seen_at,
        "Stargate comes to Texas",
        {"Stargate": 3, "OpenAI": 1},
        [("power", 1.4, None)],
        {"o:Stargate"},
        0,
    )
    assert lead_agreement(thin.lead, STARGATE.lead) == (1, 1)
    assert coverage(thin, STARGATE.lead) < CONFIG.story_lead_coverage
    assert score(thin, STARGATE, CONFIG) == 0.0
    rich = telling(7, LOCAL.seen_at, "Stargate comes to Texas",
                   {"Stargate": 3, "Oracle": 2, "SoftBank": 2, "OpenAI": 2},
                   [("power", 1.4, None), ("power", 7.0, None), ("money", 4e11, 4e11)],
                   {"o:Stargate"}, 0)  # fmt: skip
    assert coverage(rich, STARGATE.lead) >= CONFIG.story_lead_coverage
    assert score(rich, STARGATE, CONFIG) >= CONFIG.story_threshold


def test_the_lead_settings_are_read_from_dedupe_toml(tmp_path):
    from gigawatch.dedupe import load_config

    default = load_config()
    assert (default.story_lead_shared, default.story_lead_coverage,
            default.story_lead_short_coverage) == (2, 0.4, 0.6)  # fmt: skip
    path = tmp_path / "dedupe.toml"
    path.write_text("[stories]\nlead_shared = 3\nlead_coverage = 1.5\n", encoding="utf-8")
    try:
        load_config(path)
    except ValueError as exc:
        assert "lead_coverage" in str(exc)
    else:
        raise AssertionError("lead_coverage = 1.5 was accepted")
