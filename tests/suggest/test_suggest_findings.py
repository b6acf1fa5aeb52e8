"""Findings, hedges and negations, each with the cue that decided it."""

from __future__ import annotations

import pytest

from gbkg.kg.suggest.engine import Suggester
from gbkg.kg.suggest.findings import judge
from gbkg.kg.suggest.statistics import results


def read(text: str) -> tuple[str, bool, str | None]:
    (result,) = results(text) or [None]
    j = judge(text, 0, text, 0, result)
    return str(j.finding.value), bool(j.hedge.value), j.finding.cue


@pytest.mark.parametrize(
    ("text", "finding", "cue"),
    [
        ("Probiotics did not significantly reduce IL-6.", "null", "did not"),
        (
            "Neither IL-6 nor TNF-α levels decreased meaningfully with probiotics.",
            "null",
            "neither … nor",
        ),
        ("There was no significant difference in mood.", "null", "no difference"),
        ("Probiotics showed no significant benefit.", "null", "no difference"),
        ("No significant (p = 0.4) shift was seen.", "null", "p-value"),
        ("Probiotics had no effect on people aged over 65.", "null", "no difference"),
        ("The change was not statistically significant.", "null", "not significant"),
        ("Probiotics failed to improve mood.", "null", "failed to"),
        ("Probiotics significantly improved mood.", "effect", "significantly"),
        ("Seven studies found that probiotics improved depression.", "effect", "found that"),
        (
            "The researchers could not determine which strains work best.",
            "undetermined",
            "could not determine",
        ),
        ("It remains unclear whether probiotics help.", "undetermined", "remains unclear"),
        ("Probiotics contain live bacteria.", "assertion", None),
        ("Inflammation has been linked to depression.", "assertion", None),
    ],
)
def test_finding_cues(text: str, finding: str, cue: str | None) -> None:
    assert read(text)[0] == finding
    assert read(text)[2] == cue


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Probiotics reduced scores (SMD −0.128, 95% CI −0.261 to 0.00463, P=0.059).", "null"),
        ("Probiotics reduced scores (MD = −0.30, 95% CI (−0.51–−0.09), p = 0.005).", "effect"),
        ("Probiotics reduced scores (OR 0.7, 95% CI 0.5 to 1.2).", "null"),
        ("Probiotics reduced scores (OR 0.7, 95% CI 0.5 to 0.9).", "effect"),
        ("Probiotics changed scores (p < 0.01).", "effect"),
        ("Probiotics changed scores (p > 0.05).", "null"),
    ],
)
def test_statistics_decide(text: str, finding: str) -> None:
    assert read(text)[0] == finding


def test_words_against_statistics_are_reported() -> None:
    text = "Probiotics significantly improved mood (p = 0.30)."
    (result,) = results(text)
    j = judge(text, 0, text, 0, result)
    assert j.finding.value == "null" and j.conflicts


@pytest.mark.parametrize(
    ("text", "hedged"),
    [
        ("They may also influence your mood.", True),
        ("Gut bacteria might influence mood.", True),
        ("Probiotics could help manage depressive symptoms.", True),
        ("The researchers suggest that the effects may depend on strains.", True),
        ("Probiotics appear to be a safe option.", True),
        ("Inflammation is thought to be one pathway.", True),
        ("Probiotics are likely to help.", True),
        ("Probiotics are a potential complement.", True),
        ("The researchers couldn’t determine which strains were most effective.", False),
        ("The trial ended in May 2017 and probiotics improved mood.", False),
        ("Probiotics were linked to modest improvements in depressive symptoms.", False),
    ],
)
def test_hedge_cues(text: str, hedged: bool) -> None:
    assert read(text)[1] is hedged


def test_a_hedge_governing_the_clause_that_follows() -> None:
    text = "The authors suggest that, while probiotics help, they act slowly."
    clause = text.index("they")
    assert judge(text[clause:], clause, text, 0, None).hedge.value is True


def test_not_a_cure_is_a_negation_not_a_null(suggester: Suggester) -> None:
    found = suggester.suggest("Probiotics are not a cure for depression.", validate=False)
    j = judge("Probiotics are not a cure for depression.", 0, "", 0, None)
    assert j.finding.value == "assertion"
    assert j.negation is not None and j.negation.cue == "not a …"
    assert "not a test" in j.negation.why
    for candidate in found.candidates:
        assert candidate.claim["finding"] == "assertion"


def test_neither_nor_gives_one_null_claim_per_marker(suggester: Suggester) -> None:
    text = "Neither IL-6 nor TNF-α levels decreased meaningfully with probiotic supplementation."
    found = suggester.suggest(text, validate=False).candidates
    triples = {(c.claim["subject"], c.claim["predicate"], c.claim["object"]) for c in found}
    assert triples == {
        ("gbkg:probiotic", "gba:decreases", "HGNC:6018"),
        ("gbkg:probiotic", "gba:decreases", "HGNC:11892"),
    }
    for candidate in found:
        assert candidate.claim["finding"] == "null"
        reason = next(r for r in candidate.reasons if r.field == "finding")
        assert reason.cue == "neither … nor"
        assert text[reason.start : reason.end] == reason.text  # type: ignore[misc]


def test_undetermined_is_the_finding(suggester: Suggester) -> None:
    text = (
        "The researchers couldn’t determine which specific probiotic strains were most "
        "effective for depression."
    )
    (candidate,) = suggester.suggest(text, validate=False).candidates
    assert candidate.claim["finding"] == "undetermined"
    assert "finding" not in candidate.extracted
