"""The assistant against the gold data: the issue's targets, and the scorer itself."""

from __future__ import annotations

import pytest

from bench.suggest_eval import TARGETS, GoldClaim, GoldText, evaluate, load_gold, score_text
from gbkg.kg.store import OxigraphStore
from gbkg.kg.suggest.engine import Suggester


@pytest.fixture(scope="module")
def gold(article_text: str) -> list[GoldText]:
    texts = load_gold()
    assert {t.id for t in texts} == {"seed", "ng2018", "huang2016"}
    return texts


def test_the_gold_reads_the_curated_records(gold: list[GoldText]) -> None:
    from curation.seed_article import RECORDS

    seed = next(t for t in gold if t.id == "seed")
    assert len(seed.claims) == len(RECORDS)
    for claim in seed.claims:
        assert seed.text[claim.start : claim.end] == claim.quote
    assert {t.part for t in gold} == {"development", "held-out"}


def test_the_targets_are_met(gold: list[GoldText], reference: OxigraphStore) -> None:
    evaluation = evaluate(Suggester(reference), gold)
    for name, (figure, target, met) in evaluation.targets().items():
        assert met, f"{name}: {figure} < {target}; failures: {evaluation.total.failures}"
    assert set(TARGETS) <= set(evaluation.total.figures())
    assert evaluation.total.cis == 6 and evaluation.total.ps == 6


def test_the_scorer_counts_misses() -> None:
    text = "Probiotics reduce IL-6. Kefir contains probiotics."
    claim = GoldClaim("Kefir contains probiotics.", 24, 50, {"subject": "gbkg:kefir",
                      "predicate": "gba:contains", "object": "gbkg:probiotic",
                      "finding": "assertion", "hedged": False})  # fmt: skip
    tally = score_text(GoldText("t", "development", text, None, [claim]), [])
    assert tally.figures()["sentence_recall"] == 0.0
    assert tally.failures == ["t: no candidate covers 'Kefir contains probiotics.'"]
