"""Story features, keys and scores (gigawatch/dedupe/stories.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gigawatch.dedupe import DedupeConfig
from gigawatch.dedupe.stories import features, figure, keys, score

CONFIG = DedupeConfig()
DAY = datetime(2025, 10, 6, 12, tzinfo=UTC)


def deal(aid, title, when=DAY, orgs=None, chips=None, places=None, facts=()):
    mentions = [("org", n, c) for n, c in (orgs or {}).items()]
    mentions += [("chip", n, c) for n, c in (chips or {}).items()]
    mentions += [("place", n, c) for n, c in (places or {}).items()]
    return features(aid, when, title, mentions, facts)


EN = deal(
    1,
    "OpenAI commits to six gigawatts of AMD GPUs",
    orgs={"AMD": 11, "OpenAI": 5},
    chips={"AMD Instinct MI450": 2},
    facts=[("power", 6.0, None), ("stake", 10.0, None)],
)
FR = deal(2, "OpenAI s'allie à AMD pour six gigawatts de puces", DAY + timedelta(hours=20),
          orgs={"AMD": 7, "OpenAI": 4, "Nvidia": 1}, chips={"AMD Instinct MI450": 1},
          facts=[("power", 6.0, None), ("power", 1.0, None), ("stake", 10.0, None)])  # fmt: skip


def test_figures_are_rounded_to_two_significant_digits():
    assert figure("power", 6.0) == "f:power:6"
    assert figure("power", 0.615) == "f:power:0.61"
    assert figure("money", 38e9, 38e9) == figure("money", 38.2e9, 38.2e9) == "f:money:3.8e+10"
    assert figure("money", 5.5e9, None) is None  # no USD amount: not comparable
    assert figure("stake", 0) is None


def test_the_same_deal_in_two_languages_is_one_story():
    assert score(EN, FR, CONFIG) >= CONFIG.story_threshold
    assert set(keys(EN)) & set(keys(FR))


def test_a_shared_company_name_alone_is_not_a_story():
    austin = deal(
        3,
        "AMD opens a chip design centre in Austin",
        DAY + timedelta(days=1),
        orgs={"AMD": 6},
        places={"Texas": 1},
        facts=[("money", 2.5e8, 2.5e8)],
    )
    assert score(EN, austin, CONFIG) == 0.0
    # even with the same title words and a prominent shared company
    same_title = deal(4, "OpenAI commits to six gigawatts of AMD GPUs", orgs={"OpenAI": 9})
    assert score(EN, same_title, CONFIG) == 0.0


def test_two_deals_by_the_same_companies_differ_by_their_figures():
    uk = deal(
        5,
        "Microsoft pledges $30 billion for Britain with Nscale",
        orgs={"Microsoft": 6, "Nscale": 5},
        chips={"Nvidia GB300": 1},
        facts=[("money", 30e9, 30e9)],
    )
    gpus = deal(6, "Nscale signs second Microsoft deal for 200,000 GPUs", DAY + timedelta(days=2),
                orgs={"Nscale": 8, "Microsoft": 6}, chips={"Nvidia GB300": 2},
                facts=[("money", 24e9, 24e9), ("power", 1.2, None)])  # fmt: skip
    assert score(uk, gpus, CONFIG) < CONFIG.story_threshold


def test_evidence_fades_over_the_window():
    later = deal(2, "OpenAI s'allie à AMD", DAY + timedelta(days=6), orgs={"AMD": 7, "OpenAI": 4},
                 facts=[("power", 6.0, None)])  # fmt: skip
    sooner = deal(2, "OpenAI s'allie à AMD", DAY + timedelta(hours=6),
                  orgs={"AMD": 7, "OpenAI": 4}, facts=[("power", 6.0, None)])  # fmt: skip
    assert 0 < score(EN, later, CONFIG) < score(EN, sooner, CONFIG)


def test_features_round_trip_through_rows():
    from gigawatch.dedupe.stories import StoryFeatures

    assert StoryFeatures.decode(FR.article_id, FR.seen_at, *FR.encode()) == FR
