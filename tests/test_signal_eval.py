"""The signal evaluation scorer (eval/score_signal.py): its metrics on hand-made cases, its
validation of the set, the gate failing below the baseline, and the shape issue 13 asks of the
set (eval/signal/*.toml)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("score_signal", ROOT / "eval" / "score_signal.py")
assert _spec and _spec.loader
ss = importlib.util.module_from_spec(_spec)
sys.modules["score_signal"] = ss  # dataclasses look their module up by name
_spec.loader.exec_module(ss)

EVENT = """
[event]
id = "{id}"
date = "2025-10-06"
summary = "a test event"

[[article]]
key = "{id}/northwind-en"
source = "northwind"
url = "https://northwind-wire.example/{id}/one"
language = "en"
published = "2025-10-06T13:05:00+00:00"
angle = "announcement"
title = "OpenAI to deploy six gigawatts of AMD chips"
text = \"\"\"
OpenAI will deploy 6 gigawatts of AMD graphics processors over several years, the two
companies said on Monday.

The deal recalls Nvidia's plan to invest up to $100 billion in OpenAI.
\"\"\"
orgs = ["OpenAI", "AMD", "Nvidia"]
power = [6.0]
money = [["USD", 100e9]]
"""


def test_counts_precision_recall_f1():
    c = ss.Counts(tp=3, fp=1, fn=2)
    assert c.precision() == pytest.approx(0.75)
    assert c.recall() == pytest.approx(0.6)
    assert c.f1() == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert ss.Counts().measures() == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    total = ss.Counts(1, 0, 0)
    total.add(ss.Counts(0, 1, 1))
    assert (total.tp, total.fp, total.fn) == (1, 1, 1)


def test_names_are_matched_as_sets():
    c, missed, extra = ss.match_names(["OpenAI", "AMD", "AMD"], ["AMD", "Oracle"])
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    assert missed == ["OpenAI"] and extra == ["Oracle"]


def test_figures_match_within_a_relative_tolerance_once_each():
    gold = [("", 6.0), ("", 1.0), ("", 6.0)]  # a figure counts once
    c, missed, extra = ss.match_figures(gold, [("", 6.0 * (1 + 1e-9)), ("", 1.001)])
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    assert missed == [("", 1.0)] and extra == [("", 1.001)]
    # money: the currency must match too
    c, _m, _e = ss.match_figures([("EUR", 30e9)], [("USD", 30e9)])
    assert (c.tp, c.fp, c.fn) == (0, 1, 1)
    c, _m, _e = ss.match_figures([("EUR", 30e9)], [("EUR", 30e9), ("EUR", 30e9)])
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)


def test_pairwise_story_counts():
    truth = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}
    # c split off, d merged into x's story
    got = {"a": 1, "b": 1, "c": 2, "d": 1, "e": 3}
    c = ss.pair_counts(truth, got)
    # true pairs: ab ac bc de (4); predicted: ab ad bd (3); tp ab
    assert (c.tp, c.fp, c.fn) == (1, 2, 3)


def test_the_gate_names_each_metric_below_its_tolerance():
    baseline = {"orgs_f1": 0.98, "power_f1": 0.95, "stories_precision": 1.0}
    tol = {"orgs_f1": 0.005, "power_f1": 0.005, "stories_precision": 0.0}
    assert ss.check({"orgs_f1": 0.976, "power_f1": 0.99, "stories_precision": 1.0},
                    baseline, tol) == []  # fmt: skip
    failures = ss.check({"orgs_f1": 0.97, "power_f1": 0.99, "stories_precision": 0.99},
                        baseline, tol)  # fmt: skip
    assert len(failures) == 2
    assert failures[0].startswith("orgs_f1: 0.9700") and failures[1].startswith("stories_")
    assert ss.check({}, {"chips_f1": 0.9}, {}) == ["chips_f1: in the baseline (0.9000) but "
                                                   "not measured"]  # fmt: skip


def test_a_bad_file_is_named_with_its_article(tmp_path):
    (tmp_path / "ev-one.toml").write_text(
        EVENT.format(id="ev-one").replace("power = [6.0]", 'power = ["six"]'), encoding="utf-8"
    )
    with pytest.raises(ss.EvalSetError, match=r"ev-one\.toml: article 1 \(key 'ev-one/northwind"
                       r"-en'\), power\.0"):  # fmt: skip
        ss.load_set(tmp_path)
    (tmp_path / "ev-one.toml").write_text(EVENT.format(id="ev-two"), encoding="utf-8")
    with pytest.raises(ss.EvalSetError, match="is not the file name 'ev-one'"):
        ss.load_set(tmp_path)
    (tmp_path / "ev-one.toml").write_text(
        EVENT.format(id="ev-one").replace('angle = "announcement"', 'angle = "scoop"'),
        encoding="utf-8",
    )
    with pytest.raises(ss.EvalSetError, match=r"article 1 .*angle"):
        ss.load_set(tmp_path)
    (tmp_path / "ev-one.toml").write_text(
        EVENT.format(id="ev-one").replace('summary = "a test event"',
                                          'summary = "a test event"\nnegatives = ["ev-9"]'),
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(ss.EvalSetError, match=r"negatives \['ev-9'\] are not events"):
        ss.load_set(tmp_path)


def test_the_real_pipeline_scores_and_the_gate_fails_below_the_baseline(tmp_path, capsys):
    signal = tmp_path / "signal"
    signal.mkdir()
    (signal / "ev-one.toml").write_text(EVENT.format(id="ev-one"), encoding="utf-8")
    baseline = tmp_path / "baseline.toml"
    assert ss.main(["--signal", str(signal), "--baseline", str(baseline), "--record"]) == 0
    recorded, _tol = ss.read_baseline(baseline)
    assert recorded["orgs_recall"] == 1.0  # the tagger finds the three companies
    assert ss.main(["--signal", str(signal), "--baseline", str(baseline), "--check"]) == 0
    # a baseline above what the pipeline reaches fails the gate, naming the metric
    text = baseline.read_text(encoding="utf-8")
    baseline.write_text(text.replace("orgs_recall = 1.0000", "orgs_recall = 1.0100"),
                        encoding="utf-8")  # fmt: skip
    capsys.readouterr()
    assert ss.main(["--signal", str(signal), "--baseline", str(baseline), "--check"]) == 1
    assert "orgs_recall: 1.0000 is 0.0100 below the baseline" in capsys.readouterr().err


def test_the_evaluation_set_has_the_shape_issue_13_asks_for():
    eval_set = ss.load_set()
    arts = eval_set.articles
    assert len(arts) >= 120, len(arts)
    assert len(eval_set.events) >= 20, len(eval_set.events)
    assert {"en", "fr", "de", "es"} <= {a.language for a in arts}
    for event in eval_set.events:
        outlets = {a.source for a in arts if a.event == event}
        assert len(outlets) >= 3, (event, outlets)
    # the recorded baseline covers every metric the scorer measures
    metrics, _tol = ss.read_baseline(ss.BASELINE)
    assert set(metrics) == {f"{c}_{m}" for c in ss.CATEGORIES for m in ss.MEASURES}


def test_rebuilding_the_evaluation_warehouse_gives_the_same_stories(tmp_path):
    # the leads come from the batch's texts when ingest folds, from streamed texts when
    # restory rebuilds: both must give the same verdicts
    from warehouse import db as wh
    from warehouse.dedupe_store import fold_batch, rebuild

    db = tmp_path / "eval.duckdb"
    ss.run_pipeline(ss.load_set(), keep=db)
    con = wh.connect(db)
    try:
        sql = "SELECT article_id, duplicate_of, story_id FROM article_dedupe ORDER BY 1"
        incremental = con.execute(sql).fetchall()
        leads = con.execute("SELECT article_id, lead FROM story_features ORDER BY 1").fetchall()
        assert all(lead is not None for _a, lead in leads)
        ids = [r[0] for r in incremental]
        assert fold_batch(con, ids).unchanged == len(ids)  # idempotent
        con.execute("BEGIN TRANSACTION")
        rebuild(con, batch_size=40)
        con.execute("COMMIT")
        assert con.execute(sql).fetchall() == incremental
        assert (
            con.execute("SELECT article_id, lead FROM story_features ORDER BY 1").fetchall()
            == leads
        )
    finally:
        con.close()
